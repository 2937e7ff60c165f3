"""The team's choices for an event's reminders and follow-up."""

from __future__ import annotations

import dataclasses

from instant_coorace.events.models import Event
from instant_coorace.extensions import db
from instant_coorace.reminders.models import ReminderPlan
from instant_coorace.reminders.schedule import ReminderKind, choices_of
from instant_coorace.transactions import write_transaction


class EventNotFound(LookupError):
    pass


@dataclasses.dataclass(frozen=True)
class PlanValues:
    week_before: bool
    day_before: bool
    hour_before: bool
    access_info: str = ""
    follow_up_enabled: bool = True
    follow_up_message: str = ""
    replay_url: str = ""
    survey_url: str = ""
    #: ``None``: the next working day at 9 h.
    follow_up_delay_hours: int | None = None


def plan_values(event: Event) -> PlanValues:
    """What the event's page shows: its saved plan, or the defaults of its format."""
    plan = db.session.get(ReminderPlan, event.id)
    if plan is not None:
        return PlanValues(**{field.name: getattr(plan, field.name) for field in _FIELDS})
    kinds = choices_of(event.format, None).kinds
    return PlanValues(
        week_before=ReminderKind.WEEK_BEFORE in kinds,
        day_before=ReminderKind.DAY_BEFORE in kinds,
        hour_before=ReminderKind.HOUR_BEFORE in kinds,
    )


def save_plan(event_id: int, values: PlanValues) -> None:
    """Record the event's choices; the next scan applies them (the worker reads
    them again before sending, so a reminder turned off is not sent)."""
    with write_transaction() as session:
        if session.get(Event, event_id) is None:
            raise EventNotFound(event_id)
        plan = session.get(ReminderPlan, event_id) or ReminderPlan(event_id=event_id)
        for field in _FIELDS:
            setattr(plan, field.name, getattr(values, field.name))
        session.add(plan)


_FIELDS = dataclasses.fields(PlanValues)
