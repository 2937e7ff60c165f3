"""When an event accepts registrations from the public form: one rule, used by
the registration service to refuse and by the public pages to explain."""

from __future__ import annotations

import datetime as dt
import enum

from instant_coorace.events.models import Event, EventStatus
from instant_coorace.locking import EventTerms
from instant_coorace.registrations import errors


class Availability(enum.StrEnum):
    OPEN = "open"
    NOT_OPEN_YET = "not_open_yet"
    CLOSED = "closed"
    CANCELLED = "cancelled"

    @property
    def refusal(self) -> type[errors.RegistrationError] | None:
        """The domain error a registration meets in this state."""
        return {
            Availability.NOT_OPEN_YET: errors.RegistrationNotOpenYet,
            Availability.CLOSED: errors.RegistrationClosed,
            Availability.CANCELLED: errors.EventCancelled,
        }.get(self)


def registration_closes_at(event: Event | EventTerms) -> dt.datetime | None:
    """The end of the registration window: its own date, else the first session."""
    return event.registration_closes_at or event.starts_at


def availability(event: Event | EventTerms, now: dt.datetime) -> Availability:
    if event.status is EventStatus.CANCELLED:
        return Availability.CANCELLED
    if event.registration_opens_at and now < event.registration_opens_at:
        return Availability.NOT_OPEN_YET
    closes_at = registration_closes_at(event)
    if closes_at is not None and now >= closes_at:
        return Availability.CLOSED
    return Availability.OPEN
