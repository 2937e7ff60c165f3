"""Durations of support: stored in minutes, typed and shown in half-days and hours.

A half-day counts 3 h 30 and a day 7 h, the federation's training day
(9 h–12 h 30 and 13 h 30–17 h in its programme); the yearly allowance is
``SUPPORT_DAYS_PER_YEAR`` days (2 by default, that is 4 half-days or 14 h).
"""

from __future__ import annotations

import enum
import re
from decimal import Decimal, InvalidOperation

MINUTES_PER_HALF_DAY = 210
MINUTES_PER_DAY = 2 * MINUTES_PER_HALF_DAY
#: The longest single support one may record: five days.
MAX_MINUTES = 5 * MINUTES_PER_DAY


class DurationUnit(enum.StrEnum):
    HALF_DAYS = "half_days"
    HOURS = "hours"


UNIT_LABELS = {DurationUnit.HALF_DAYS: "demi-journée(s)", DurationUnit.HOURS: "heure(s)"}
_MINUTES_PER_UNIT = {DurationUnit.HALF_DAYS: MINUTES_PER_HALF_DAY, DurationUnit.HOURS: 60}
_NUMBER = re.compile(r"[0-9]{1,3}([.,][0-9]{1,2})?")


class InvalidDuration(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def to_minutes(text: str, unit: DurationUnit) -> int:
    """« 1,5 » half-days or « 2 » hours as minutes, rounded to the minute."""
    text = text.strip()
    if not _NUMBER.fullmatch(text):
        raise InvalidDuration("Indiquez la durée en chiffres, par exemple 1 ou 2,5.")
    try:
        amount = Decimal(text.replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise InvalidDuration("Indiquez la durée en chiffres.") from error
    minutes = int((amount * _MINUTES_PER_UNIT[unit]).to_integral_value())
    if minutes <= 0:
        raise InvalidDuration("La durée doit être supérieure à zéro.")
    if minutes > MAX_MINUTES:
        raise InvalidDuration("Un accompagnement dure au plus cinq jours (10 demi-journées).")
    return minutes


def as_typed(minutes: int) -> tuple[str, DurationUnit]:
    """What the form shows for a stored duration: half-days when whole, else hours."""
    if minutes % MINUTES_PER_HALF_DAY == 0:
        return str(minutes // MINUTES_PER_HALF_DAY), DurationUnit.HALF_DAYS
    return french_number(minutes / 60), DurationUnit.HOURS


def french_number(value: float) -> str:
    """« 1,5 », « 2 »: at most two decimals, a comma, no trailing zero."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def hours(minutes: int) -> str:
    """« 3 h 30 », « 7 h », « 45 min »."""
    whole, rest = divmod(minutes, 60)
    if not whole:
        return f"{rest} min"
    return f"{whole} h" if not rest else f"{whole} h {rest:02d}"


def half_days(minutes: int) -> str:
    """« 1 demi-journée », « 2,5 demi-journées »."""
    count = minutes / MINUTES_PER_HALF_DAY
    return f"{french_number(count)} demi-journée{'s' if count >= 2 else ''}"


def day_count(minutes: int) -> str:
    """« 1,5 »: the days, as a number."""
    return french_number(minutes / MINUTES_PER_DAY)


def days(minutes: int) -> str:
    """« 1 jour », « 1,5 jour », « 2 jours »."""
    return f"{day_count(minutes)} jour{'s' if minutes >= 2 * MINUTES_PER_DAY else ''}"


def both(minutes: int) -> str:
    """The two ways the team counts, the one it was typed in first:
    « 2 demi-journées (7 h) », « 3 h (0,86 demi-journée) »."""
    if minutes % MINUTES_PER_HALF_DAY == 0:
        return f"{half_days(minutes)} ({hours(minutes)})"
    return f"{hours(minutes)} ({half_days(minutes)})"
