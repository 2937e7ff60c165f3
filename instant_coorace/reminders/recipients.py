"""Who a reminder or a follow-up goes to, read for many events at once.

The scan and the team's overview ask the same questions, in a fixed number of
queries whatever the number of events: confirmed registrations (never the
waiting list, never a cancelled one), who was marked present where attendance
was taken, and which addresses unsubscribed (the follow-up is not transactional).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import case, func, select

from instant_coorace.attendance.models import AttendanceStatus, SessionAttendance
from instant_coorace.events.models import EventSession
from instant_coorace.extensions import db
from instant_coorace.invitations.models import Unsubscription
from instant_coorace.members.models import Person
from instant_coorace.registrations.models import Registration, RegistrationStatus


@dataclasses.dataclass(frozen=True)
class Seat:
    """A confirmed registration, as plain values."""

    registration_id: int
    event_id: int
    email: str
    name: str
    confirmed_at: dt.datetime | None

    def held_before(self, moment: dt.datetime) -> bool:
        """Whether the seat was confirmed by ``moment``: someone registered or
        promoted after a reminder's time does not get that stale reminder."""
        return self.confirmed_at is not None and self.confirmed_at <= moment


def confirmed_seats(event_ids: Collection[int]) -> dict[int, list[Seat]]:
    """The confirmed registrations of these events, by event."""
    rows = db.session.execute(
        select(
            Registration.id,
            Registration.event_id,
            Person.email,
            Registration.first_name,
            Registration.last_name,
            Registration.confirmed_at,
        )
        .join(Person, Person.id == Registration.person_id)
        .where(
            Registration.event_id.in_(event_ids),
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        .order_by(Registration.id)
    )
    seats: dict[int, list[Seat]] = defaultdict(list)
    for reg_id, event_id, email, first, last, confirmed_at in rows:
        name = f"{first} {last}".strip()
        seats[event_id].append(Seat(reg_id, event_id, email, name, confirmed_at))
    return seats


def present_where_taken(event_ids: Collection[int]) -> dict[int, set[int]]:
    """For each of these events where attendance was taken (some session has a
    record), the registrations marked present in at least one session."""
    if not event_ids:
        return {}
    rows = db.session.execute(
        select(
            EventSession.event_id,
            SessionAttendance.registration_id,
            func.max(case((SessionAttendance.status == AttendanceStatus.PRESENT, 1), else_=0)),
        )
        .join(EventSession, EventSession.id == SessionAttendance.session_id)
        .where(EventSession.event_id.in_(event_ids))
        .group_by(EventSession.event_id, SessionAttendance.registration_id)
    )
    present: dict[int, set[int]] = {}
    for event_id, registration_id, was_present in rows:
        attended = present.setdefault(event_id, set())
        if was_present:
            attended.add(registration_id)
    return present


def unsubscribed(emails: Collection[str]) -> set[str]:
    """Those of ``emails`` (lower-cased) that asked for no more follow-ups."""
    wanted = {email.lower() for email in emails}
    if not wanted:
        return set()
    return set(
        db.session.scalars(select(Unsubscription.email).where(Unsubscription.email.in_(wanted)))
    )


def follow_up_seats(
    seats: list[Seat], present: set[int] | None, unsubscribed_emails: set[str]
) -> list[Seat]:
    """Those of an event's seats its follow-up goes to: the people marked present
    when attendance was taken (``present`` is ``None`` when it was not), and
    never an address that unsubscribed."""
    return [
        seat
        for seat in seats
        if (present is None or seat.registration_id in present)
        and seat.email.lower() not in unsubscribed_emails
    ]
