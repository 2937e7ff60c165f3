"""The figures as files for the report: an XLSX workbook (one sheet per table,
real numbers and dates), one CSV for French Excel (UTF-8 with BOM, semicolons,
decimal commas), and each chart's SVG."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font

from instant_coorace.formatting import PARIS
from instant_coorace.reports.period import Period
from instant_coorace.reports.tables import Cell, Figure, Section, Table
from instant_coorace.spreadsheets import neutralise

BOM = "\ufeff"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
COMPARISON_HEADERS = ("période précédente", "évolution", "évolution %")


def _columns(table: Table) -> list[str]:
    """The table's columns, each figure column followed by its comparison."""
    figure_columns = _figure_columns(table)
    headers = []
    for index, name in enumerate(table.columns):
        headers.append(name)
        if index in figure_columns:
            headers.extend(f"{name} — {what}" for what in COMPARISON_HEADERS)
    return headers


def _figure_columns(table: Table) -> set[int]:
    return {
        index for row in table.rows for index, cell in enumerate(row) if isinstance(cell, Figure)
    }


def _rows(table: Table):
    """Each row of the table as plain values (see ``_values``)."""
    figure_columns = _figure_columns(table)
    return (_values(figure_columns, row) for row in table.rows)


def _values(figure_columns: set[int], row: tuple[Cell, ...]) -> list[tuple[object, bool]]:
    """A row as plain values, each with whether it is a rate: a figure becomes
    value, previous, change, relative change (a rate's change is in points)."""
    values: list[tuple[object, bool]] = []
    for index, cell in enumerate(row):
        if index not in figure_columns:
            values.append((cell, False))
        elif isinstance(cell, Figure):
            change = cell.change
            if cell.percent and change is not None:
                change = round(change * 100, 1)
            values.extend(
                (
                    (cell.value, cell.percent),
                    (cell.previous, cell.percent),
                    (change, False),
                    (cell.relative_change, True),
                )
            )
        else:
            values.extend(((cell, False), (None, False), (None, False), (None, True)))
    return values


def workbook(period: Period, sections: list[Section]) -> bytes:
    book = Workbook()
    cover = book.active
    cover.title = "Période"
    previous = period.previous()
    cover.append(("Chiffres de Coorace Occitanie", period.label))
    cover.append(("Du", period.first))
    cover.append(("Au", period.last))
    if previous:
        cover.append(("Comparé à la période du", previous.first))
        cover.append(("au", previous.last))
    for row in cover.iter_rows(min_col=2, max_col=2):
        for cell in row:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    cover.column_dimensions["A"].width = 28
    cover.column_dimensions["B"].width = 22
    names: set[str] = {cover.title}
    for section in sections:
        for table in section.tables:
            _sheet(book, _sheet_name(table.name, names), table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, name: str, table: Table) -> None:
    sheet = book.create_sheet(name)
    sheet.append((table.title,))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append((table.counted,))
    sheet["A2"].font = Font(italic=True)
    sheet.append(())
    headers = _columns(table)
    sheet.append(headers)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
    # Cells addressed by number: ``sheet[sheet.max_row]`` scans every cell of
    # the sheet, which made long lists quadratic.
    for row_number, values in enumerate(_rows(table), start=5):
        for column, (value, is_rate) in enumerate(values, start=1):
            cell = sheet.cell(row_number, column, _excel_value(value))
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "DD/MM/YYYY HH:MM"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            elif is_rate:
                cell.number_format = "0.0 %"
    sheet.column_dimensions["A"].width = 40
    sheet.freeze_panes = "B5"


def _excel_value(value):
    """openpyxl stores no time zone: times go in as Paris wall-clock time."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(PARIS).replace(tzinfo=None)
    return value


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub(" ", name)[:31]
    candidate, number = base, 2
    while candidate in taken:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate)
    return candidate


def csv_text(period: Period, sections: list[Section]) -> str:
    """Every table one after the other, each under its title and how it is counted."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow((neutralise(f"Chiffres de Coorace Occitanie, {period.label}"),))
    for section in sections:
        for table in section.tables:
            writer.writerow(())
            writer.writerow((neutralise(table.title),))
            writer.writerow((neutralise(table.counted),))
            writer.writerow([neutralise(name) for name in _columns(table)])
            for values in _rows(table):
                writer.writerow(_csv_cell(value, rate) for value, rate in values)
    return BOM + out.getvalue()


def _csv_cell(value, is_rate: bool) -> str:
    """Numbers as French Excel reads them: « 12 », « 85,5 % », « 03/04/2025 10:00 »."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return neutralise(str(value))
    if is_rate:
        return f"{value * 100:.1f} %".replace(".", ",")
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)
