"""What a registrant can be told of the reminders still to come.

The confirmation page promises only reminders that will be sent: those the
event sends (its plan, or the defaults of its format) whose time is ahead.
Offered to templates as ``reminders_ahead(event)`` by this domain's
blueprint, so that registrations, which reminders read, need not import it.
"""

from __future__ import annotations

from instant_coorace.database import utcnow
from instant_coorace.events.models import Event
from instant_coorace.extensions import db
from instant_coorace.reminders.models import ReminderPlan
from instant_coorace.reminders.schedule import ReminderKind, choices_of, reminder_due

SPOKEN = {
    ReminderKind.WEEK_BEFORE: "une semaine avant",
    ReminderKind.DAY_BEFORE: "la veille",
    ReminderKind.HOUR_BEFORE: "une heure avant",
}


def reminders_ahead(event: Event) -> list[str]:
    """« une semaine avant », « la veille », « une heure avant », in time order,
    for the reminders of ``event`` that are still to be sent."""
    if event.starts_at is None:
        return []
    kinds = choices_of(event.format, db.session.get(ReminderPlan, event.id)).kinds
    now = utcnow()
    return [
        spoken
        for kind, spoken in SPOKEN.items()
        if kind in kinds and reminder_due(kind, event.starts_at) > now
    ]
