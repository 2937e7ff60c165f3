"""What the team sees of an event's reminders: planned, sent, dropped."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select

from instant_coorace.database import utcnow
from instant_coorace.events.models import Event
from instant_coorace.extensions import db
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.reminders.mails import DROPPED, PURPOSES
from instant_coorace.reminders.models import ReminderPlan
from instant_coorace.reminders.recipients import (
    confirmed_seats,
    follow_up_seats,
    present_where_taken,
    unsubscribed,
)
from instant_coorace.reminders.schedule import (
    FOLLOW_UP,
    ReminderKind,
    choices_of,
    follow_up_due,
    reminder_due,
)

LABELS = {
    ReminderKind.WEEK_BEFORE.value: "J-7, une semaine avant",
    ReminderKind.DAY_BEFORE.value: "J-1, la veille",
    ReminderKind.HOUR_BEFORE.value: "H-1, une heure avant",
    FOLLOW_UP: "Suivi après l'événement",
}
_WAITING = (MailStatus.PENDING, MailStatus.QUEUED, MailStatus.SENDING)


@dataclasses.dataclass(frozen=True)
class Line:
    purpose: str
    enabled: bool
    due_at: dt.datetime | None
    #: People it will go to, while it is ahead.
    planned: int
    sent: int
    waiting: int
    failed: int
    dropped: int

    @property
    def label(self) -> str:
        return LABELS[self.purpose]

    @property
    def is_ahead(self) -> bool:
        return self.due_at is not None and self.due_at > utcnow()


def reminder_lines(event: Event) -> list[Line]:
    choices = choices_of(event.format, db.session.get(ReminderPlan, event.id))
    counts = _mail_counts(event.id)
    seats = confirmed_seats([event.id]).get(event.id, [])
    followed = follow_up_seats(
        seats,
        present_where_taken([event.id]).get(event.id),
        unsubscribed({seat.email for seat in seats}),
    )
    lines = []
    for purpose in PURPOSES:
        if event.starts_at is None or event.ends_at is None:
            enabled, audience, due = False, 0, None
        elif purpose == FOLLOW_UP:
            enabled, audience = choices.follow_up, len(followed)
            due = follow_up_due(event.ends_at, choices.follow_up_delay_hours)
        else:
            enabled, audience = ReminderKind(purpose) in choices.kinds, len(seats)
            due = reminder_due(ReminderKind(purpose), event.starts_at)
        ahead = enabled and due is not None and due > utcnow()
        by_status = counts.get(purpose, {})
        lines.append(
            Line(
                purpose=purpose,
                enabled=enabled,
                due_at=due,
                planned=audience if ahead else 0,
                sent=by_status.get(MailStatus.SENT, 0),
                waiting=sum(by_status.get(status, 0) for status in _WAITING),
                failed=by_status.get(MailStatus.FAILED, 0),
                dropped=by_status.get("dropped", 0),
            )
        )
    return lines


def _mail_counts(event_id: int) -> dict[str, dict[MailStatus | str, int]]:
    rows = db.session.execute(
        select(OutgoingMail.purpose, OutgoingMail.status, OutgoingMail.last_error, func.count())
        .where(OutgoingMail.event_id == event_id, OutgoingMail.purpose.in_(PURPOSES))
        .group_by(OutgoingMail.purpose, OutgoingMail.status, OutgoingMail.last_error)
    )
    counts: dict[str, dict[MailStatus | str, int]] = {}
    for purpose, status, reason, count in rows:
        dropped = status is MailStatus.CANCELLED and (reason or "").startswith(DROPPED)
        key = "dropped" if dropped else status
        per_purpose = counts.setdefault(purpose, {})
        per_purpose[key] = per_purpose.get(key, 0) + count
    return counts
