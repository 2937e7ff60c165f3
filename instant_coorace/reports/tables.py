"""What the figures page, the XLSX and the CSV are made of: sections of tables.

Another domain adds its own figures with one call, without touching this
package's pages or exports::

    from instant_coorace.reports.tables import register_section

    @register_section
    def support_figures(period: Period, previous: Period | None) -> Section: ...

Register it in a module the app factory imports (the domain's blueprint
module, say). A provider runs read-only aggregate queries (a fixed number,
whatever the data's size) and returns a :class:`Section`;
the page shows it after the built-in ones, the XLSX gives each of its tables a
sheet, the CSV appends them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from instant_coorace.reports.charts import Chart
    from instant_coorace.reports.period import Period

Number = int | float


@dataclasses.dataclass(frozen=True)
class Figure:
    """A number of the period beside the same number for the period before
    (``previous`` is ``None`` when there is none to compare with). ``percent``
    marks a rate: its change is told in points, not in per cent."""

    value: Number | None
    previous: Number | None = None
    percent: bool = False

    @property
    def change(self) -> Number | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def relative_change(self) -> float | None:
        """The change as a fraction of the previous value; ``None`` from zero."""
        if self.change is None or self.percent or not self.previous:
            return None
        return self.change / self.previous


Cell = str | Number | dt.date | Figure | None


@dataclasses.dataclass(frozen=True)
class Table:
    """One table of the page, one sheet of the XLSX.

    ``name`` is short (an XLSX sheet name, 31 characters at most); ``counted``
    is the one French sentence that says how the figures are counted.
    """

    name: str
    title: str
    counted: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def has_comparison(self) -> bool:
        return any(isinstance(cell, Figure) for row in self.rows for cell in row)


@dataclasses.dataclass(frozen=True)
class Section:
    title: str
    tables: tuple[Table, ...]
    charts: tuple[Chart, ...] = ()
    #: Sentences shown under the title (what is not counted, where attendance is missing).
    notes: tuple[str, ...] = ()


SectionProvider = Callable[["Period", "Period | None"], Section]

_providers: list[SectionProvider] = []


def register_section(provider: SectionProvider) -> SectionProvider:
    """Add a domain's section after the built-in ones (usable as a decorator)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def contributed_sections(period: Period, previous: Period | None) -> list[Section]:
    return [provider(period, previous) for provider in _providers]
