"""The offre modulaire's section of the year's figures (``reports``).

Reports know no domain but their own; this module hands them a section
through ``reports.tables.register_section``, so the figures page, its XLSX and
its CSV carry the supports of the period beside the previous period's. The
dependency points from support to reports, never back.
"""

from __future__ import annotations

from instant_coorace.reports.period import Period
from instant_coorace.reports.tables import Figure, Section, Table, register_section
from instant_coorace.support import export
from instant_coorace.support.figures import support_figures

#: An XLSX sheet name holds 31 characters at most.
SHEET_NAME_LENGTH = 31


@register_section
def support_section(period: Period, previous: Period | None) -> Section:
    now = export.figure_tables(support_figures(period.first, period.last))
    before = (
        {
            table.title: table
            for table in export.figure_tables(support_figures(previous.first, previous.last))
        }
        if previous
        else {}
    )
    return Section(
        "Offre modulaire",
        tuple(_compared(table, before.get(table.title)) for table in now),
    )


def _compared(table: export.Table, before: export.Table | None) -> Table:
    """``table`` with each number beside the previous period's, row by row
    (rows are matched by their label: a theme, a department, a member)."""
    earlier = {row[0]: row for row in before.rows} if before else {}

    def cell(label, index, value):
        if index == 0 or not isinstance(value, int | float):
            return value
        row = earlier.get(label)
        return Figure(value, row[index] if row else (0 if before else None))

    return Table(
        name=table.title[:SHEET_NAME_LENGTH],
        title=table.title,
        counted=table.note,
        columns=table.headers,
        rows=tuple(
            tuple(cell(row[0], index, value) for index, value in enumerate(row))
            for row in table.rows
        ),
    )
