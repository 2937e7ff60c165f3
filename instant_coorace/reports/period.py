"""The period the figures are counted over, and the one before it to compare with."""

from __future__ import annotations

import dataclasses
import datetime as dt

from instant_coorace.formatting import PARIS, french_date
from instant_coorace.inputs import EARLIEST_YEAR

#: Beyond this many months, the « per month » chart counts per year instead.
MAX_MONTHS_CHARTED = 36


@dataclasses.dataclass(frozen=True)
class Period:
    """From ``first`` to ``last``, both days included, in Paris time."""

    first: dt.date
    last: dt.date

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def label(self) -> str:
        if self.is_whole_months and (self.first.month, self.last.month) == (1, 12):
            years = {self.first.year, self.last.year}
            if len(years) == 1:
                return f"année {self.first.year}"
            return f"années {self.first.year} à {self.last.year}"
        return f"du {french_date(self.first)} au {french_date(self.last)}"

    @property
    def slug(self) -> str:
        """A file-name friendly tag: « 2025 » or « 2025-01-01_2025-06-30 »."""
        if self.label == f"année {self.first.year}":
            return str(self.first.year)
        return f"{self.first.isoformat()}_{self.last.isoformat()}"

    @property
    def is_whole_months(self) -> bool:
        return self.first.day == 1 and (self.last + dt.timedelta(days=1)).day == 1

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    def utc_bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The UTC instants of the first day's midnight and of the day after the last."""
        return _paris_midnight(self.first), _paris_midnight(self.last + dt.timedelta(days=1))

    def previous(self) -> Period | None:
        """The period of the same length just before: the previous year for a
        year, the previous quarter for a quarter; ``None`` before the years the
        site knows."""
        if self.is_whole_months:
            first = _add_months(self.first, -self.months)
        else:
            first = self.first - (self.last - self.first) - dt.timedelta(days=1)
        if first.year < EARLIEST_YEAR:
            return None
        return Period(first, self.first - dt.timedelta(days=1))

    def buckets(self) -> list[tuple[str, dt.datetime, dt.datetime]]:
        """Months (or years, for a long period) as (label, UTC start, UTC end)."""
        step = 1 if self.months <= MAX_MONTHS_CHARTED else 12
        start = self.first.replace(day=1) if step == 1 else self.first.replace(month=1, day=1)
        buckets = []
        while start <= self.last:
            end = _add_months(start, step)
            label = f"{start.month:02d}/{start.year}" if step == 1 else str(start.year)
            buckets.append(
                (
                    label,
                    _paris_midnight(max(start, self.first)),
                    _paris_midnight(min(end, self.last + dt.timedelta(days=1))),
                )
            )
            start = end
        return buckets


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month ``months`` away from ``day`` (which is a first)."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _paris_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), PARIS).astimezone(dt.UTC)
