"""Attendance at the demo's 2025 events, as the team would have taken it: the
signature sheet in the room, the join link online; most confirmed registrants
came, a few missed a half-day or the whole event. The large days were not
pointed (no attendance taken), as happens, so the figures page has to say so."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert, select

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.events.models import Event, EventFormat, EventSession
from instant_coorace.extensions import db
from instant_coorace.registrations.models import Registration, RegistrationStatus
from instant_coorace.transactions import write_transaction

#: Events with more confirmed registrants than this were not pointed.
UNPOINTED_ABOVE = 60
SHOW_UP_RATE = 0.85
#: Chance that someone who came still missed one of several sessions.
MISSED_SESSION_RATE = 0.1


def record_attendance_2025(now: dt.datetime, rng: random.Random) -> int:
    """Attendance records for the 2025 events already over; returns how many."""
    rows = db.session.execute(
        select(Registration.id, EventSession.id, EventSession.starts_at, Event.format, Event.id)
        .join(Event, Event.id == Registration.event_id)
        .join(EventSession, EventSession.event_id == Event.id)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            Event.ends_at < now,
            Event.starts_at >= dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
            Event.starts_at < dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
        .order_by(Event.id, Registration.id, EventSession.starts_at)
    ).all()
    confirmed_per_event: dict[int, set[int]] = {}
    for registration_id, _session, _start, _format, event_id in rows:
        confirmed_per_event.setdefault(event_id, set()).add(registration_id)
    came = {
        registration_id
        for registrations in confirmed_per_event.values()
        for registration_id in sorted(registrations)
        if rng.random() < SHOW_UP_RATE
    }
    records = [
        {
            "registration_id": registration_id,
            "session_id": session_id,
            "status": AttendanceStatus.PRESENT,
            "source": AttendanceSource.JOIN_LINK
            if event_format is EventFormat.ONLINE
            else AttendanceSource.SIGNATURE,
            "first_seen_at": starts_at,
            "last_seen_at": starts_at,
        }
        for registration_id, session_id, starts_at, event_format, event_id in rows
        if len(confirmed_per_event[event_id]) <= UNPOINTED_ABOVE
        and registration_id in came
        and rng.random() >= MISSED_SESSION_RATE
    ]
    if records:
        with write_transaction():
            db.session.execute(insert(SessionAttendance.__table__), records)
    return len(records)
