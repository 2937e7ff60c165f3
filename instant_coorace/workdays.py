"""Working days in metropolitan France: when the team's events and mails fall."""

from __future__ import annotations

import datetime as dt

from dateutil.easter import easter


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday, and not a public holiday in metropolitan France."""
    return day.weekday() < 5 and day not in french_public_holidays(day.year)


def french_public_holidays(year: int) -> set[dt.date]:
    fixed = {(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)}
    easter_sunday = easter(year)
    # Easter Monday, Ascension Thursday, Whit Monday.
    moving = {easter_sunday + dt.timedelta(days=n) for n in (1, 39, 50)}
    return {dt.date(year, month, day) for month, day in fixed} | moving
