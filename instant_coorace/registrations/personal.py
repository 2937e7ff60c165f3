"""What a registrant sees of their own registration: through the personal link,
or on the confirmation page right after registering. Read-only."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, or_, select

from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventStatus
from instant_coorace.extensions import db
from instant_coorace.registrations.models import Registration, RegistrationStatus
from instant_coorace.registrations.placement import structure_seats_taken
from instant_coorace.registrations.services import find_by_token


@dataclasses.dataclass(frozen=True)
class PersonalRegistration:
    registration: Registration
    #: 1 for the first in line; ``None`` unless waitlisted.
    waitlist_rank: int | None
    #: Waiting because the seats of the registrant's structure are taken (the
    #: line then moves only when one of them frees up).
    waits_for_structure_seat: bool = False

    @property
    def event(self) -> Event:
        return self.registration.event

    @property
    def is_active(self) -> bool:
        return self.registration.status is not RegistrationStatus.CANCELLED

    @property
    def can_change(self) -> bool:
        """Cancelling or handing over makes sense until the event is over."""
        event = self.event
        return (
            self.is_active
            and event.status is EventStatus.PUBLISHED
            and (event.ends_at is None or event.ends_at > utcnow())
        )

    @property
    def shows_visio_link(self) -> bool:
        return self.registration.shows_visio_link


def by_token(token: str) -> PersonalRegistration:
    """The registration behind a personal link; ``RegistrationNotFound`` otherwise."""
    return _personal(find_by_token(token))


def by_id(registration_id: int) -> PersonalRegistration | None:
    """A registration this browser just made (its id comes from the signed session)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        return None
    return _personal(registration)


def _personal(registration: Registration) -> PersonalRegistration:
    rank = _waitlist_rank(registration)
    return PersonalRegistration(
        registration, rank, rank is not None and structure_seats_taken(registration)
    )


def has_waiting_list(event_id: int) -> bool:
    """Whether someone waits for a seat of the event: only then does a seat given
    up go to the first in line."""
    return bool(
        db.session.scalar(
            select(Registration.id)
            .where(
                Registration.event_id == event_id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .limit(1)
        )
    )


def _waitlist_rank(registration: Registration) -> int | None:
    if registration.status is not RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count()).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            or_(
                Registration.waitlist_position < registration.waitlist_position,
                (Registration.waitlist_position == registration.waitlist_position)
                & (Registration.id < registration.id),
            ),
        )
    )
    return ahead + 1
