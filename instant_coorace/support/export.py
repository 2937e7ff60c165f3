"""The figures of the offre modulaire as tables, and those tables as a CSV file
for French Excel (UTF-8 with a byte order mark, semicolons) and as XLSX sheets
holding real numbers (hours as decimal numbers, counts as integers).

``add_sheets`` writes into a workbook someone else owns, so that the yearly
figures file can carry these sheets beside its own.
"""

from __future__ import annotations

import csv
import dataclasses
import io

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from instant_coorace.spreadsheets import neutralise
from instant_coorace.support.figures import HOW_COUNTED, Line, SupportFigures

BOM = "\ufeff"
LINE_HEADERS = ("Accompagnements", "Heures", "Demi-journées", "Structures")


@dataclasses.dataclass(frozen=True)
class Table:
    title: str
    note: str
    headers: tuple[str, ...]
    rows: list[tuple[str | int | float, ...]]


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def _half_days(minutes: int) -> float:
    return round(minutes / 210, 2)


def _line_rows(lines: list[Line]) -> list[tuple]:
    return [
        (line.label, line.supports, _hours(line.minutes), _half_days(line.minutes), line.structures)
        for line in lines
    ]


def figure_tables(figures: SupportFigures) -> list[Table]:
    usage = figures.usage
    period = f"du {figures.start:%d/%m/%Y} au {figures.end:%d/%m/%Y}"
    return [
        Table(
            "Offre modulaire – synthèse",
            f"Accompagnements donnés {period}.",
            ("Indicateur", "Valeur"),
            [
                ("Accompagnements", figures.supports),
                ("Heures d'accompagnement", _hours(figures.minutes)),
                ("Demi-journées d'accompagnement", _half_days(figures.minutes)),
                ("Structures accompagnées", figures.structures),
                ("Accompagnements au-delà de l'offre annuelle", figures.over_allowance),
            ],
        ),
        Table(
            "Offre modulaire – thématiques",
            HOW_COUNTED["theme"],
            ("Thématique", *LINE_HEADERS),
            _line_rows(figures.by_theme),
        ),
        Table(
            "Offre modulaire – départements",
            HOW_COUNTED["department"],
            ("Département", *LINE_HEADERS),
            _line_rows(figures.by_department),
        ),
        Table(
            "Offre modulaire – types",
            HOW_COUNTED["kind"],
            ("Type", *LINE_HEADERS),
            _line_rows(figures.by_kind),
        ),
        Table(
            "Offre modulaire – utilisation",
            HOW_COUNTED["usage"],
            ("Adhérentes", "Structures"),
            [
                ("Ont utilisé tous leurs jours", len(usage.used_all)),
                ("En ont utilisé une partie", len(usage.used_some)),
                ("N'en ont utilisé aucun", len(usage.used_none)),
                ("Total des adhérentes", usage.members),
            ],
        ),
        Table(
            "Offre modulaire – adhérentes",
            "Heures d'accompagnement de chaque adhérente sur la période.",
            ("Structure", "Heures", "Demi-journées", "Heures prévues par l'offre"),
            [
                (
                    member.name,
                    _hours(member.minutes),
                    _half_days(member.minutes),
                    _hours(usage.allowed_minutes),
                )
                for member in usage.used_all + usage.used_some + usage.used_none
            ],
        ),
    ]


def figures_csv(figures: SupportFigures) -> str:
    """Every table one after the other, each under its title, a blank line between."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for index, table in enumerate(figure_tables(figures)):
        if index:
            writer.writerow(())
        writer.writerow((table.title,))
        writer.writerow(table.headers)
        writer.writerows(tuple(_csv_cell(cell) for cell in row) for row in table.rows)
    return BOM + buffer.getvalue()


def _csv_cell(cell: str | int | float) -> str:
    """French Excel reads « 3,5 » as a number, « 3.5 » as text."""
    if isinstance(cell, float):
        return f"{cell:g}".replace(".", ",")
    return neutralise(str(cell)) if isinstance(cell, str) else str(cell)


def add_sheets(workbook: Workbook, figures: SupportFigures) -> None:
    """One sheet per table, named after it (Excel allows 31 characters)."""
    for table in figure_tables(figures):
        _fill(workbook.create_sheet(table.title[:31]), table)


def figures_xlsx(figures: SupportFigures) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    add_sheets(workbook, figures)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill(sheet: Worksheet, table: Table) -> None:
    sheet.append((table.title,))
    sheet.append((table.note,))
    sheet.append(table.headers)
    for row in table.rows:
        sheet.append(tuple(neutralise(c) if isinstance(c, str) else c for c in row))
    sheet.column_dimensions["A"].width = 45
