"""French wording of dates and times, always in Europe/Paris.

« jeudi 3 avril 2025 à 10 h », « jeudi 3 avril 2025 de 10 h à 11 h 30 »: words, not
dashes, so that a screen reader says them as one would.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date

PARIS = ZoneInfo("Europe/Paris")


def to_paris(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(PARIS)


def french_time(moment: dt.datetime) -> str:
    local = to_paris(moment)
    return f"{local.hour} h" if local.minute == 0 else f"{local.hour} h {local.minute:02d}"


def french_date(moment: dt.datetime | dt.date) -> str:
    day = to_paris(moment).date() if isinstance(moment, dt.datetime) else moment
    return format_date(day, "EEEE d MMMM y", locale="fr_FR")


def french_datetime(moment: dt.datetime) -> str:
    return f"{french_date(moment)} à {french_time(moment)}"


def french_time_range(start: dt.datetime, end: dt.datetime) -> str:
    """A session's slot: one day with both times, or both full moments when it spans days."""
    if to_paris(start).date() == to_paris(end).date():
        return f"{french_date(start)} de {french_time(start)} à {french_time(end)}"
    return f"du {french_datetime(start)} au {french_datetime(end)}"


def french_date_span(start: dt.datetime, end: dt.datetime | None = None) -> str:
    """The days an event covers: « jeudi 3 avril 2025 », or « du … au … » over several days."""
    if end is None or to_paris(start).date() == to_paris(end).date():
        return french_date(start)
    return f"du {french_date(start)} au {french_date(end)}"


def paris_datetime(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """The UTC instant of a Paris wall-clock time."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(dt.UTC)


def numeric_datetime(moment: dt.datetime) -> str:
    """« 03/04/2025 10:00 »: compact, for tables and spreadsheets."""
    return to_paris(moment).strftime("%d/%m/%Y %H:%M")
