"""When each reminder and the follow-up of an event are due.

Everything is computed from the event's time span (kept equal to its sessions'
span by the events domain) at the moment it is asked: nothing is stored, so a
moved event reschedules its reminders by itself.

« J-7 » and « J-1 » keep the Paris wall-clock time of the start: J-1 of an
event at 10 h on 30 March 2025 (the day clocks go forward) is at 10 h on
29 March, 23 hours before. « H-1 » is one hour before, whatever the clocks do.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from instant_coorace.events.models import EventFormat
from instant_coorace.formatting import paris_datetime, to_paris
from instant_coorace.reminders.models import ReminderPlan
from instant_coorace.workdays import is_working_day


class ReminderKind(enum.StrEnum):
    """Also the purpose of the mails in the outbox."""

    WEEK_BEFORE = "reminder_week_before"
    DAY_BEFORE = "reminder_day_before"
    HOUR_BEFORE = "reminder_hour_before"


FOLLOW_UP = "follow_up"
"""The purpose of the mail sent after the event."""

FOLLOW_UP_HOUR = 9
"""Paris time of the default follow-up, the next working day."""

_DAYS_BEFORE = {ReminderKind.WEEK_BEFORE: 7, ReminderKind.DAY_BEFORE: 1}


@dataclasses.dataclass(frozen=True)
class Choices:
    """Which reminders an event sends, and its follow-up's delay."""

    kinds: frozenset[ReminderKind]
    follow_up: bool = True
    #: ``None``: the next working day at 9 h.
    follow_up_delay_hours: int | None = None


def default_kinds(event_format: EventFormat) -> frozenset[ReminderKind]:
    """J-7 and J-1 for every event, H-1 too when one joins from a screen."""
    kinds = {ReminderKind.WEEK_BEFORE, ReminderKind.DAY_BEFORE}
    if event_format is not EventFormat.IN_PERSON:
        kinds.add(ReminderKind.HOUR_BEFORE)
    return frozenset(kinds)


def reminder_due(kind: ReminderKind, starts_at: dt.datetime) -> dt.datetime:
    if kind is ReminderKind.HOUR_BEFORE:
        return starts_at - dt.timedelta(hours=1)
    local = to_paris(starts_at)
    day = local.date() - dt.timedelta(days=_DAYS_BEFORE[kind])
    return paris_datetime(day, local.hour, local.minute)


def follow_up_due(ends_at: dt.datetime, delay_hours: int | None) -> dt.datetime:
    if delay_hours is not None:
        return ends_at + dt.timedelta(hours=delay_hours)
    day = to_paris(ends_at).date() + dt.timedelta(days=1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return paris_datetime(day, FOLLOW_UP_HOUR)


def choices_of(event_format: EventFormat, plan: ReminderPlan | None) -> Choices:
    """The event's own choices, or the defaults of its format when it has none."""
    if plan is None:
        return Choices(default_kinds(event_format))
    chosen = {
        ReminderKind.WEEK_BEFORE: plan.week_before,
        ReminderKind.DAY_BEFORE: plan.day_before,
        ReminderKind.HOUR_BEFORE: plan.hour_before,
    }
    return Choices(
        frozenset(kind for kind, wanted in chosen.items() if wanted),
        plan.follow_up_enabled,
        plan.follow_up_delay_hours,
    )
