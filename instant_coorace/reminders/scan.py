"""Finding the reminders and follow-ups that are due, on every tick of the worker.

Each (registration, kind, schedule) is put in the outbox at most once, ever:
its deduplication key names the registration, the kind and the time it is due
for (a moved event has new due times, hence new keys, and reschedules by
itself; a change of place only does not send it again). Two workers racing
insert the same key once (``INSERT … ON CONFLICT DO NOTHING``); on PostgreSQL
they also share the events (``FOR UPDATE SKIP LOCKED``), SQLite runs one
writer at a time. The follow-up, sent once per registration, has one key.

A reminder found more than ``REMINDER_GRACE_MINUTES`` after its time (the
worker was stopped) is recorded in the outbox as dropped, never sent late.

The scan reads only the events whose reminders or follow-up may be due now,
through the indexes on their start and end, and then a fixed number of
queries: its cost does not grow with the years of past events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask import current_app
from sqlalchemy import select, union

from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventStatus
from instant_coorace.extensions import db
from instant_coorace.mail.outbox import mail_key
from instant_coorace.mail.worker import register_mail_producer
from instant_coorace.reminders import mails
from instant_coorace.reminders.models import MAX_FOLLOW_UP_DELAY_HOURS, ReminderPlan
from instant_coorace.reminders.recipients import (
    Seat,
    confirmed_seats,
    follow_up_seats,
    present_where_taken,
    unsubscribed,
)
from instant_coorace.reminders.schedule import (
    FOLLOW_UP,
    choices_of,
    follow_up_due,
    reminder_due,
)
from instant_coorace.transactions import write_transaction

LOOKBACK = dt.timedelta(days=1)
"""How long after its time a reminder nobody sent is still looked for, to be recorded as dropped."""
REMINDER_HORIZON = dt.timedelta(days=8)
"""J-7 is due at most a week and an hour (a clock change) before the start."""
FOLLOW_UP_HORIZON = dt.timedelta(hours=MAX_FOLLOW_UP_DELAY_HOURS) + LOOKBACK
SETTLE = dt.timedelta(minutes=1)
"""An event changed less than this ago waits for the next scan: moved twice in
a minute, it sends for its final schedule only."""


_EVENT_COLUMNS = (Event.id, Event.format, Event.starts_at, Event.ends_at, Event.updated_at)


@dataclasses.dataclass(frozen=True)
class Due:
    event_id: int
    purpose: str
    due_at: dt.datetime

    @property
    def version(self) -> str:
        """The key's version: the due time of a reminder; the follow-up's is fixed."""
        if self.purpose == FOLLOW_UP:
            return "apres"
        return self.due_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%MZ")


def queue_due_reminders() -> int:
    """Queue (or record as dropped) every reminder and follow-up due now;
    returns how many rows it added to the outbox."""
    now = utcnow()
    grace = dt.timedelta(minutes=current_app.config["REMINDER_GRACE_MINUTES"])
    with write_transaction():
        due = due_now(now)
        if not due:
            return 0
        event_ids = {item.event_id for item in due}
        seats = confirmed_seats(event_ids)
        taken = {item.event_id for item in due if item.purpose == FOLLOW_UP}
        present = present_where_taken(taken)
        gone = unsubscribed({s.email for event_id in taken for s in seats.get(event_id, [])})
        done = mails.used_keys(event_ids)
        added = 0
        for item in due:
            for seat in _recipients(item, seats.get(item.event_id, []), present, gone):
                key = mail_key(item.purpose, seat.registration_id, item.version)
                if key in done:
                    continue
                late = now - item.due_at
                if late > grace:
                    mails.record_dropped(item.purpose, key, seat, item.due_at, late, grace)
                elif item.purpose == FOLLOW_UP:
                    mails.queue_follow_up(key, seat)
                else:
                    mails.queue_reminder(item.purpose, key, seat, item.due_at)
                added += 1
    return added


def due_now(now: dt.datetime) -> list[Due]:
    """What is due by ``now`` and not older than the lookback, event by event;
    on PostgreSQL, events another worker is scanning are skipped."""
    rows = db.session.execute(
        select(*_EVENT_COLUMNS, ReminderPlan)
        .outerjoin(ReminderPlan, ReminderPlan.event_id == Event.id)
        .where(
            Event.id.in_(_in_window(now)),
            Event.status == EventStatus.PUBLISHED,
            Event.updated_at <= now - SETTLE,
        )
        .order_by(Event.id)
        .with_for_update(of=Event, skip_locked=True)
    )
    due = []
    for event_id, event_format, starts_at, ends_at, changed_at, plan in rows:
        choices = choices_of(event_format, plan)
        moments = [(kind.value, reminder_due(kind, starts_at)) for kind in choices.kinds]
        if choices.follow_up:
            moments.append((FOLLOW_UP, follow_up_due(ends_at, choices.follow_up_delay_hours)))
        due += [
            Due(event_id, purpose, moment)
            for purpose, moment in sorted(moments, key=lambda pair: pair[1])
            if now - LOOKBACK <= moment <= now and not too_late_since_set(moment, changed_at)
        ]
    return due


def _in_window(now: dt.datetime):
    """The events starting within the reminders' reach, or ended within the
    follow-up's: each side through its own index (with one ``OR`` beside the
    status, SQLite would read every published event instead)."""
    return union(
        select(Event.id).where(Event.starts_at.between(now - LOOKBACK, now + REMINDER_HORIZON)),
        select(Event.id).where(Event.ends_at.between(now - FOLLOW_UP_HORIZON, now)),
    )


def too_late_since_set(due_at: dt.datetime, changed_at: dt.datetime) -> bool:
    """Whether the event changed after this time was due, and longer than the
    grace ago: an event moved to tomorrow has a J-1 already past, that was
    never missed (nothing to send, nothing to report as dropped)."""
    grace = dt.timedelta(minutes=current_app.config["REMINDER_GRACE_MINUTES"])
    return changed_at > due_at and changed_at - due_at > grace


def _recipients(
    item: Due, seats: list[Seat], present: dict[int, set[int]], gone: set[str]
) -> list[Seat]:
    held = [seat for seat in seats if seat.held_before(item.due_at)]
    if item.purpose == FOLLOW_UP:
        return follow_up_seats(held, present.get(item.event_id), gone)
    return held


register_mail_producer(queue_due_reminders)
