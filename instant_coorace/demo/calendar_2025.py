"""Reading the federation's 2025 calendar (``data/evenements-2025.csv``) into
event descriptions the demo loader can create."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from importlib import resources

from instant_coorace.events.models import Audience, EventFormat, EventKind

KINDS = {
    "instant_coorace": EventKind.INSTANT_COORACE,
    "atelier_collectif": EventKind.ATELIER_COLLECTIF,
    "formation": EventKind.FORMATION,
    "webinaire": EventKind.WEBINAIRE,
    "assemblee_generale": EventKind.ASSEMBLEE_GENERALE,
    "collectif": EventKind.COLLECTIF,
    # The calendar also lists meetings, a week of events and a conference:
    # for registrations they are all « journée / rencontre ».
    "journee": EventKind.JOURNEE,
    "rencontre": EventKind.JOURNEE,
    "semaine": EventKind.JOURNEE,
    "conference": EventKind.JOURNEE,
}

#: Places named in the calendar, and their department.
PLACE_DEPARTMENTS = {
    "toulouse": "31",
    "haute-garonne": "31",
    "ramonville": "31",
    "(31)": "31",
    "montpellier": "34",
    "aveyron": "12",
    "gruissan": "11",
}


@dataclasses.dataclass(frozen=True)
class PastEvent:
    kind: EventKind
    event_format: EventFormat
    title: str
    venue: str
    department: str
    audience: Audience
    days: tuple[dt.date, ...]
    start_time: dt.time | None
    known_participants: int | None
    programme: tuple[str, ...]


def read_calendar() -> list[PastEvent]:
    text = (
        resources.files("instant_coorace.demo")
        .joinpath("data/evenements-2025.csv")
        .read_text(encoding="utf-8")
    )
    return [_parse_row(row) for row in csv.DictReader(io.StringIO(text), delimiter=";")]


def _parse_row(row: dict[str, str]) -> PastEvent:
    first = dt.date.fromisoformat(row["date_debut"])
    last = dt.date.fromisoformat(row["date_fin"] or row["date_debut"])
    days = tuple(first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    online = row["format"] == "distanciel"
    venue = "" if online else row["lieu"].strip()
    return PastEvent(
        kind=KINDS[row["type"]],
        event_format=EventFormat.ONLINE if online else EventFormat.IN_PERSON,
        title=row["titre"].strip(),
        venue=venue,
        department=_department_of(venue),
        audience=_audience_of(row["public"]),
        days=days,
        start_time=dt.time.fromisoformat(row["heure_debut"]) if row["heure_debut"] else None,
        known_participants=_leading_number(row["participants_connus"]),
        programme=tuple(item.strip() for item in row["programme"].split("|") if item.strip()),
    )


def _department_of(venue: str) -> str:
    lowered = venue.lower()
    return next((dep for place, dep in PLACE_DEPARTMENTS.items() if place in lowered), "")


def _audience_of(public: str) -> Audience:
    lowered = public.lower()
    if lowered == "public":
        return Audience.PUBLIC
    if lowered.startswith("adherent") or "adhérent" in lowered:
        return Audience.MEMBERS
    return Audience.MEMBERS_AND_PARTNERS


def _leading_number(value: str) -> int | None:
    match = re.match(r"\s*(\d+)", value or "")
    return int(match.group(1)) if match else None
