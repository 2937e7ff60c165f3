"""What the team chose for one event's reminders and follow-up.

An event without a plan gets the defaults of its format (see ``schedule.py``):
a row exists only once the team saved the event's reminder page.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from instant_coorace.database import UTCDateTime, utcnow
from instant_coorace.events.models import Event
from instant_coorace.extensions import db

MAX_FOLLOW_UP_DELAY_HOURS = 14 * 24
"""The longest delay after the end a follow-up may wait: the scan looks no further back."""


class ReminderPlan(db.Model):
    __tablename__ = "reminder_plan"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    #: J-7, J-1 (same Paris wall-clock time as the start) and H-1.
    week_before: Mapped[bool] = mapped_column(Boolean)
    day_before: Mapped[bool] = mapped_column(Boolean)
    hour_before: Mapped[bool] = mapped_column(Boolean)
    #: How to get in for an in-person event (transport, parking, door code), sent in reminders.
    access_info: Mapped[str] = mapped_column(Text, default="")
    follow_up_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Markdown thanks written by the team; a default text when empty.
    follow_up_message: Mapped[str] = mapped_column(Text, default="")
    replay_url: Mapped[str] = mapped_column(String(500), default="")
    survey_url: Mapped[str] = mapped_column(String(500), default="")
    #: Hours after the end; ``None``: the next working day at 9 h, Paris time.
    follow_up_delay_hours: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# The follow-up scan asks « which events ended in the last days »: without this
# index it would read every past event at every tick.
Index("ix_event_ends_at", Event.ends_at)
