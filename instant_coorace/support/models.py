"""Supports given to member structures (« offre modulaire ») and their themes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from instant_coorace.database import UTCDateTime, utcnow
from instant_coorace.extensions import db
from instant_coorace.members.models import Structure
from instant_coorace.staff.models import StaffUser


class SupportTheme(db.Model):
    """One entry of the list the team picks a support's theme from.

    Renamed or deactivated, never deleted: past supports keep their theme,
    and a deactivated theme is only no longer offered for new ones.
    """

    __tablename__ = "support_theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Support(db.Model):
    """A support given to one member structure on one day."""

    __tablename__ = "support"
    __table_args__ = (CheckConstraint("minutes > 0", name="minutes_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structure.id", ondelete="CASCADE"), index=True
    )
    given_on: Mapped[dt.date] = mapped_column(Date, index=True)
    #: The duration, in minutes whichever unit it was typed in (``support/durations.py``).
    minutes: Mapped[int] = mapped_column(Integer)
    theme_id: Mapped[int] = mapped_column(
        ForeignKey("support_theme.id", ondelete="RESTRICT"), index=True
    )
    #: Who from the team gave it; kept empty when the account is gone.
    staff_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    note: Mapped[str] = mapped_column(Text, default="")
    #: Recorded past the year's allowance, with the explicit confirmation that takes.
    over_allowance: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    structure: Mapped[Structure] = relationship()
    theme: Mapped[SupportTheme] = relationship()
    staff_user: Mapped[StaffUser | None] = relationship()
