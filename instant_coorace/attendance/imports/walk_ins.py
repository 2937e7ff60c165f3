"""A person seen at a session without a registration, added as a walk-in."""

from __future__ import annotations

from instant_coorace.addresses import stored_email
from instant_coorace.database import utcnow
from instant_coorace.locking import event_transaction
from instant_coorace.registrations import placement
from instant_coorace.registrations.models import RegistrationSource, RegistrationStatus
from instant_coorace.registrations.tokens import new_link


def add(event_id: int, email: str, first_name: str, last_name: str) -> int:
    """A confirmed registration « sur place » for ``email`` (a cancelled one of
    theirs is reused; an active one is returned as it is); its id. Capacity does
    not apply: the person came. No mail is sent."""
    email = stored_email(email)
    declaration = {
        "first_name": first_name[:100],
        "last_name": last_name[:100],
        "job_title": "",
        "structure_id": None,
        "other_structure_name": "",
    }
    with event_transaction(event_id):
        situation = placement.read_situation(event_id, email, None)
        if situation.registration_status in (RegistrationStatus.CONFIRMED,
                                             RegistrationStatus.WAITLISTED):  # fmt: skip
            return situation.registration_id
        link = new_link()
        return placement.save_registration(
            event_id,
            situation.registration_id,
            {
                "person_id": placement.person_id_for(email, declaration),
                "source": RegistrationSource.ON_SITE,
                "first_name": declaration["first_name"],
                "last_name": declaration["last_name"],
                "structure_id": None,
                "structure_name": "",
                "job_title": "",
                "needs": "",
                "status": RegistrationStatus.CONFIRMED,
                "waitlist_position": None,
                "token_nonce": link.nonce,
                "token_hash": link.token_hash,
                "confirmed_at": utcnow(),
                "cancelled_at": None,
            },
        )
