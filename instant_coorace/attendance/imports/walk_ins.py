"""A person seen at a session without a registration, added as a walk-in."""

from __future__ import annotations

from instant_coorace.registrations import errors, services
from instant_coorace.registrations.models import RegistrationSource


def add(event_id: int, email: str, first_name: str, last_name: str) -> int:
    """A confirmed registration « sur place » for ``email`` (a cancelled one of
    theirs is reused; an active one is returned as it is); its id. Capacity does
    not apply and no mail is sent (``registrations.services``: the person came).
    Any other refusal (a cancelled event) is the service's ``RegistrationError``."""
    applicant = services.Applicant(email, first_name[:100], last_name[:100])
    try:
        return services.register(
            event_id, applicant, source=RegistrationSource.ON_SITE
        ).registration_id
    except errors.AlreadyRegistered as error:
        return error.registration_id
