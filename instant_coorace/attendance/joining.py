"""Opening a join link: attendance recorded, then on to the event's visio.

The redirect is the hot path (everyone clicks in the same few minutes): one
query finds the link, its registration, its event and the session whose join
window is open, one statement records the attendance. Everything else (a
link opened too early, a cancelled registration) may take a few more queries
to explain itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from flask import current_app
from sqlalchemy import and_, select

from instant_coorace.attendance.join_links import JoinLink
from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus
from instant_coorace.attendance.records import Observation, record
from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventFormat, EventSession, EventStatus
from instant_coorace.extensions import db
from instant_coorace.registrations.models import Registration, RegistrationStatus
from instant_coorace.registrations.tokens import hash_token
from instant_coorace.transactions import write_transaction


class Refusal(enum.StrEnum):
    """Why a join link does not lead to the visio now."""

    UNKNOWN = "unknown"
    CANCELLED = "cancelled"
    WAITLISTED = "waitlisted"
    HANDED_OVER = "handed_over"
    EVENT_CANCELLED = "event_cancelled"
    NO_VISIO = "no_visio"
    TOO_EARLY = "too_early"
    OVER = "over"


@dataclasses.dataclass(frozen=True)
class Joining:
    """Where a join link leads: ``visio_url``, or a ``refusal`` about ``event_id``;
    ``opens_at`` is when the next join window opens (too early)."""

    visio_url: str | None = None
    refusal: Refusal | None = None
    event_id: int | None = None
    opens_at: dt.datetime | None = None


@dataclasses.dataclass(frozen=True)
class JoinWindow:
    """From ``before`` the start of a session until ``after`` its end."""

    before: dt.timedelta
    after: dt.timedelta

    @classmethod
    def configured(cls) -> JoinWindow:
        config = current_app.config
        return cls(
            dt.timedelta(minutes=config["ATTENDANCE_JOIN_OPENS_MINUTES_BEFORE"]),
            dt.timedelta(minutes=config["ATTENDANCE_JOIN_CLOSES_MINUTES_AFTER"]),
        )

    def opens_at(self, session: EventSession) -> dt.datetime:
        return session.starts_at - self.before


def open_join_link(token: str, now: dt.datetime | None = None) -> Joining:
    """Record that the holder of ``token`` joins the session open now, and say where to go."""
    now = now or utcnow()
    window = JoinWindow.configured()
    with write_transaction():
        found = db.session.execute(
            select(
                JoinLink.person_id,
                Registration.id,
                Registration.person_id,
                Registration.status,
                Event.id,
                Event.status,
                Event.format,
                Event.visio_url,
                EventSession.id,
            )
            .join(Registration, Registration.id == JoinLink.registration_id)
            .join(Event, Event.id == Registration.event_id)
            .outerjoin(
                EventSession,
                and_(
                    EventSession.event_id == Event.id,
                    EventSession.starts_at <= now + window.before,
                    EventSession.ends_at >= now - window.after,
                ),
            )
            .where(JoinLink.token_hash == hash_token(token))
            .order_by(EventSession.starts_at)
            .limit(1)
        ).one_or_none()
        if found is None:
            return Joining(refusal=Refusal.UNKNOWN)
        (holder, registration_id, person_id, status, event_id, event_status, event_format,
         visio_url, session_id) = found  # fmt: skip
        refusal = _refusal(holder != person_id, status, event_status, event_format, visio_url)
        if refusal is None and session_id is not None:
            record(
                [
                    Observation(
                        registration_id,
                        session_id,
                        AttendanceStatus.PRESENT,
                        AttendanceSource.JOIN_LINK,
                        first_seen_at=now,
                        last_seen_at=now,
                    )
                ]
            )
            return Joining(visio_url=visio_url, event_id=event_id)
    if refusal is None:
        return _outside_window(event_id, now, window)
    return Joining(refusal=refusal, event_id=event_id)


def _refusal(
    handed_over: bool,
    status: RegistrationStatus,
    event_status: EventStatus,
    event_format: EventFormat,
    visio_url: str,
) -> Refusal | None:
    if handed_over:
        return Refusal.HANDED_OVER
    if status is RegistrationStatus.CANCELLED:
        return Refusal.CANCELLED
    if status is RegistrationStatus.WAITLISTED:
        return Refusal.WAITLISTED
    if event_status is EventStatus.CANCELLED:
        return Refusal.EVENT_CANCELLED
    if event_status is not EventStatus.PUBLISHED:
        return Refusal.UNKNOWN  # unpublished since: as if the link did not exist
    if event_format is EventFormat.IN_PERSON or not visio_url.startswith(("https://", "http://")):
        return Refusal.NO_VISIO
    return None


def _outside_window(event_id: int, now: dt.datetime, window: JoinWindow) -> Joining:
    upcoming = db.session.scalars(
        select(EventSession)
        .where(EventSession.event_id == event_id, EventSession.starts_at > now)
        .order_by(EventSession.starts_at)
        .limit(1)
    ).first()
    if upcoming is None:
        return Joining(refusal=Refusal.OVER, event_id=event_id)
    return Joining(refusal=Refusal.TOO_EARLY, event_id=event_id, opens_at=window.opens_at(upcoming))
