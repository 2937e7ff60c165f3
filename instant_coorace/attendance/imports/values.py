"""The values of a report's cells: durations, moments, names and addresses,
written as each tool and each locale write them."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

from instant_coorace.formatting import PARIS

_DURATION_PART = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*"
    r"(h|hr|hrs|hours?|heures?|m|min|mins|minutes?|mn|s|sec|secs|seconds?|secondes?)\b",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"^(\d{1,3}):(\d{2})(?::(\d{2}))?$")
_UNIT_SECONDS = {"h": 3600, "m": 60, "s": 1}

_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?$"
)
_NUMERIC = re.compile(
    r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4}),?\s+"
    r"(\d{1,2})[:h](\d{2})(?::(\d{2}))?\s*([AaPp])?\.?[Mm]?\.?$"
)
_WORDED = re.compile(
    r"^([A-Za-zéû]{3,9})\.? (\d{1,2}),? (\d{4}),? "
    r"(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp])?\.?[Mm]?\.?$"
)
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "janv"),
            ("feb", "fev", "févr"),
            ("mar", "mars"),
            ("apr", "avr"),
            ("may", "mai"),
            ("jun", "juin"),
            ("jul", "juil"),
            ("aug", "aou", "aoû"),
            ("sep", "sept"),
            ("oct",),
            ("nov",),
            ("dec", "déc"),
        ),
        start=1,
    )
    for name in names
}


def duration_seconds(text: str) -> int | None:
    """``1h 27m 51s``, ``1 h 27 min 51 s``, ``1 hr 27 min``, ``01:27:51`` or a
    bare number of minutes (Zoom); ``None`` when empty or unreadable."""
    text = text.strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return round(float(text.replace(",", ".")) * 60)
    if clock := _CLOCK.match(text):
        hours, minutes, seconds = clock.groups()
        return int(hours) * 3600 + int(minutes) * 60 + int(seconds or 0)
    parts = _DURATION_PART.findall(text)
    if not parts:
        return None
    return round(
        sum(float(value.replace(",", ".")) * _UNIT_SECONDS[unit[0].lower()]
            for value, unit in parts)
    )  # fmt: skip


def moment(text: str, near: dt.datetime) -> dt.datetime | None:
    """A date and time as a report writes it (in Paris time unless it says
    otherwise), in UTC. Day and month are told apart by ``near``: of
    ``03/12/2026`` read as 3 December or 12 March, the one closer to the session."""
    text = " ".join(text.split())
    if not text:
        return None
    if iso := _ISO.match(text):
        year, month, day, hour, minute, second, zone = iso.groups()
        if zone:
            return dt.datetime.fromisoformat(text.replace(" ", "T").replace("Z", "+00:00"))
        return _paris(int(year), int(month), int(day), _hour(hour, None), minute, second)
    if numeric := _NUMERIC.match(text):
        first, second_part, year, hour, minute, second, meridiem = numeric.groups()
        year = int(year) + (2000 if len(year) == 2 else 0)
        candidates = [
            _paris(year, month, day, _hour(hour, meridiem), minute, second)
            for day, month in ((int(first), int(second_part)), (int(second_part), int(first)))
            if 1 <= month <= 12 and 1 <= day <= 31
        ]
        candidates = [candidate for candidate in candidates if candidate is not None]
        return min(candidates, key=lambda c: abs(c - near)) if candidates else None
    if worded := _WORDED.match(text):
        name, day, year, hour, minute, second, meridiem = worded.groups()
        month = _MONTHS.get(name.lower()[:4]) or _MONTHS.get(name.lower()[:3])
        if month is None:
            return None
        return _paris(int(year), month, int(day), _hour(hour, meridiem), minute, second)
    return None


def _hour(hour: str, meridiem: str | None) -> int:
    value = int(hour)
    if meridiem:
        value = value % 12 + (12 if meridiem.lower() == "p" else 0)
    return value


def _paris(year, month, day, hour, minute, second) -> dt.datetime | None:
    try:
        local = dt.datetime(year, month, day, hour, int(minute), int(second or 0), tzinfo=PARIS)
    except ValueError:
        return None
    return local.astimezone(dt.UTC)


@functools.lru_cache(maxsize=65536)
def folded(text: str) -> str:
    """For comparing addresses and headers: no case, no accents, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def name_key(text: str) -> str:
    """For comparing names: folded, punctuation (hyphens, apostrophes) as spaces."""
    return " ".join(re.sub(r"[^\w]+", " ", folded(text)).split())
