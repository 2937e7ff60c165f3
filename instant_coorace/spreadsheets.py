"""Cells of the CSV files the team opens in Excel or LibreOffice."""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Keep spreadsheet software from reading a cell as a formula (CSV injection):
    a cell starting like a formula gets a leading apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def restore(cell: str) -> str:
    """The inverse of ``neutralise``, for a file we exported and get back."""
    if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS):
        return cell[1:]
    return cell
