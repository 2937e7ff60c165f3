"""The yearly allowance of the offre modulaire: ``SUPPORT_DAYS_PER_YEAR`` days
per member structure and calendar year; partners have none."""

from __future__ import annotations

import dataclasses
import datetime as dt

from flask import current_app
from sqlalchemy import extract, func, select

from instant_coorace.extensions import db
from instant_coorace.support.durations import MINUTES_PER_DAY
from instant_coorace.support.models import Support


def yearly_minutes() -> int:
    """One member's allowance for one calendar year, in minutes."""
    return round(current_app.config["SUPPORT_DAYS_PER_YEAR"] * MINUTES_PER_DAY)


@dataclasses.dataclass(frozen=True)
class Allowance:
    """How much of one year's allowance a member structure has used."""

    year: int
    allowed_minutes: int
    used_minutes: int

    @property
    def left_minutes(self) -> int:
        return max(self.allowed_minutes - self.used_minutes, 0)

    @property
    def over_minutes(self) -> int:
        return max(self.used_minutes - self.allowed_minutes, 0)

    @property
    def is_used_up(self) -> bool:
        return self.used_minutes >= self.allowed_minutes

    def after(self, minutes: int) -> Allowance:
        return dataclasses.replace(self, used_minutes=self.used_minutes + minutes)


def used_minutes(structure_id: int, year: int, *, excluding: int | None = None) -> int:
    """Minutes of support the structure received in ``year`` (one support left out
    when it is being edited)."""
    query = select(func.coalesce(func.sum(Support.minutes), 0)).where(
        Support.structure_id == structure_id,
        Support.given_on >= dt.date(year, 1, 1),
        Support.given_on <= dt.date(year, 12, 31),
    )
    if excluding is not None:
        query = query.where(Support.id != excluding)
    return int(db.session.scalar(query))


def allowance_of(structure_id: int, year: int, *, excluding: int | None = None) -> Allowance:
    return Allowance(year, yearly_minutes(), used_minutes(structure_id, year, excluding=excluding))


def years_with_supports() -> list[int]:
    """The years some support was given in, newest first."""
    year = extract("year", Support.given_on)
    return sorted(
        {int(value) for value in db.session.scalars(select(year).distinct())}, reverse=True
    )
