"""Events at chosen Paris times, and what the reminder scan put in the outbox."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select

import instant_coorace.reminders.scan  # noqa: F401 - the worker's scan is registered
from instant_coorace.events import services as event_services
from instant_coorace.events.drafts import SessionDraft
from instant_coorace.events.models import Event, EventFormat
from instant_coorace.extensions import db
from instant_coorace.formatting import paris_datetime
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.mail.worker import run_jobs
from instant_coorace.reminders.mails import PURPOSES
from tests.builders import webinar_draft


def paris(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return paris_datetime(dt.date(year, month, day), hour, minute)


def event_on(
    day: dt.date,
    hour: int = 10,
    *,
    event_format: EventFormat = EventFormat.ONLINE,
    capacity: int | None = None,
    **fields,
) -> int:
    """A published event of one session from ``hour`` to ``hour`` + 1 h 30, Paris time."""
    draft = webinar_draft(
        sessions=(SessionDraft(day, dt.time(hour), dt.time(hour + 1, 30)),),
        format=event_format,
        capacity=capacity,
        **fields,
    )
    event_id = event_services.create_event(draft)
    event_services.publish(event_id)
    return event_id


def move(event_id: int, day: dt.date, hour: int, minute: int = 0) -> None:
    """Move the event's one session, as the team does from its page."""
    event = db.session.get(Event, event_id)
    [session] = event.sessions
    draft = webinar_draft(
        title=event.title,
        slug=event.slug,
        format=event.format,
        capacity=event.capacity,
        visio_url=event.visio_url,
        venue_name=event.venue_name,
        sessions=(
            SessionDraft(
                day,
                dt.time(hour, minute),
                dt.time(hour + 1, minute),
                session_id=session.id,
            ),
        ),
    )
    event_services.update_event(event_id, draft)


@dataclasses.dataclass(frozen=True)
class Sent:
    purpose: str
    email: str
    status: str
    reason: str


def scan() -> None:
    """One tick of the worker: the scan, rendering (which drops what stopped
    applying) and delivery (to files, without SMTP)."""
    run_jobs()


def reminders(event_id: int | None = None) -> list[Sent]:
    db.session.expire_all()
    query = select(OutgoingMail).where(OutgoingMail.purpose.in_(PURPOSES))
    if event_id is not None:
        query = query.where(OutgoingMail.event_id == event_id)
    return [
        Sent(mail.purpose, mail.to_email, mail.status.value, mail.last_error or "")
        for mail in db.session.scalars(query.order_by(OutgoingMail.id))
    ]


def kept(event_id: int | None = None) -> list[tuple[str, str]]:
    """(purpose, address) of the reminders that will go out or went out."""
    return [
        (sent.purpose, sent.email)
        for sent in reminders(event_id)
        if sent.status not in ("cancelled", "failed")
    ]
