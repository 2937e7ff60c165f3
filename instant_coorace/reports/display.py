"""How figures read on the page: French numbers and the change beside each."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape

from instant_coorace.formatting import french_date
from instant_coorace.reports.tables import Figure

NARROW_SPACE = "\u202f"


def french_number(value: float | None, *, percent: bool = False) -> str:
    """« 1 234 », « 12,5 », « 85,5 % »; a dash when there is nothing to count."""
    if value is None:
        return "—"
    if percent:
        value *= 100
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.1f}"
    else:
        text = f"{value:,.0f}"
    text = text.replace(",", NARROW_SPACE).replace(".", ",")
    return f"{text}{NARROW_SPACE}%" if percent else text


def signed(value: float, *, points: bool = False, percent: bool = False) -> str:
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    text = french_number(abs(value), percent=percent)
    return f"{sign}{text}{NARROW_SPACE}pt" if points else f"{sign}{text}"


def comparison(figure: Figure) -> str:
    """« +3 ; +12 % », « −2,5 pt » for a rate, « nouveau » from zero."""
    if figure.previous is None or figure.value is None:
        return ""
    change = figure.change
    if figure.percent:
        return signed(change * 100, points=True)
    if not figure.previous:
        return "nouveau" if change else "±0"
    return f"{signed(change)} ; {signed(figure.relative_change, percent=True)}"


def cell(value) -> Markup:
    """A table cell's content on the page."""
    if isinstance(value, Figure):
        shown = escape(french_number(value.value, percent=value.percent))
        change = comparison(value)
        if change:
            previous = french_number(value.previous, percent=value.percent)
            shown += Markup(
                ' <span class="change" title="Période précédente : {0}">'
                '<span class="visually-hidden">évolution : </span>({1})</span>'
            ).format(previous, change)
        return shown
    if isinstance(value, int | float) and not isinstance(value, bool):
        return escape(french_number(value))
    if isinstance(value, dt.date):
        return escape(french_date(value))
    return escape("—" if value in (None, "") else value)
