"""Who in a report is whom: rows merged per person, matched to registrations,
and judged present or not against the session's length."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
from collections import defaultdict
from collections.abc import Iterable

from instant_coorace.attendance.imports.formats import Attendee
from instant_coorace.attendance.imports.values import folded, name_key

Interval = tuple[dt.datetime, dt.datetime]

#: What Teams and Zoom add to a guest's name: « Jean-Marc Roux (Invité) ».
_NAME_NOTE = re.compile(r"\([^)]*\)")


class Outcome(enum.StrEnum):
    PRESENT = "present"
    BELOW_THRESHOLD = "below_threshold"
    UNMATCHED = "unmatched"
    ORGANISER = "organiser"


@dataclasses.dataclass(frozen=True)
class Candidate:
    """A registration a report's person may be."""

    registration_id: int
    email: str
    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclasses.dataclass(frozen=True)
class Person:
    """Everyone's rows of one person merged: the union of their intervals."""

    key: str
    name: str
    email: str
    first_name: str
    last_name: str
    lines: tuple[int, ...]
    intervals: tuple[Interval, ...]
    #: Time attended when the report gives durations only (no join and leave times).
    reported_seconds: int | None
    organiser: bool

    @property
    def seconds(self) -> int:
        union = sum((end - start).total_seconds() for start, end in self.intervals)
        if self.reported_seconds is None:
            return round(union)
        return round(min(union, self.reported_seconds) if self.intervals else self.reported_seconds)

    @property
    def minutes(self) -> int:
        return round(self.seconds / 60)

    @property
    def first_seen(self) -> dt.datetime | None:
        return self.intervals[0][0] if self.intervals else None

    @property
    def last_seen(self) -> dt.datetime | None:
        return max(end for _, end in self.intervals) if self.intervals else None

    def name_keys(self) -> set[str]:
        given = name_key(_NAME_NOTE.sub(" ", self.name))
        keys = {given} if given else set()
        if self.first_name or self.last_name:
            keys |= {name_key(f"{self.first_name} {self.last_name}"),
                     name_key(f"{self.last_name} {self.first_name}")}  # fmt: skip
        return keys


@dataclasses.dataclass(frozen=True)
class Judged:
    """One person of the report and what importing does with them."""

    person: Person
    outcome: Outcome
    registration: Candidate | None = None


def people(attendees: Iterable[Attendee]) -> list[Person]:
    """The readable rows grouped by address (else by name), in the report's order."""
    groups: dict[str, list[Attendee]] = defaultdict(list)
    for attendee in attendees:
        if not attendee.problem:
            groups[_key(attendee)].append(attendee)
    return [_merged(key, rows) for key, rows in groups.items()]


def _key(attendee: Attendee) -> str:
    if attendee.email:
        return "e:" + folded(attendee.email)
    name = attendee.name or f"{attendee.first_name} {attendee.last_name}"
    return "n:" + name_key(_NAME_NOTE.sub(" ", name))


def _merged(key: str, rows: list[Attendee]) -> Person:
    timed = [(row.joined, row.left) for row in rows if row.joined and row.left]
    durations = [row.seconds for row in rows if row.seconds is not None]
    first = rows[0]
    return Person(
        key=key,
        name=first.name,
        email=first.email,
        first_name=first.first_name,
        last_name=first.last_name,
        lines=tuple(row.line for row in rows),
        intervals=tuple(union(timed)),
        reported_seconds=sum(durations) if len(durations) == len(rows) else None,
        organiser=any(row.organiser for row in rows),
    )


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Overlapping intervals merged: rejoining, or two devices at once, counts once."""
    merged: list[list[dt.datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


class Matcher:
    """Finds a person's registration: staff's own choice, then the address
    (case and accents aside), then first and last name when only one fits."""

    def __init__(
        self,
        candidates: Iterable[Candidate],
        staff_emails: Iterable[str],
        attached: dict[str, int],
    ) -> None:
        self.candidates = {candidate.registration_id: candidate for candidate in candidates}
        self.by_email = {folded(c.email): c for c in self.candidates.values()}
        names: dict[str, list[Candidate]] = defaultdict(list)
        for candidate in self.candidates.values():
            names[name_key(candidate.full_name)].append(candidate)
        self.by_name = {key: found[0] for key, found in names.items() if len(found) == 1}
        self.staff = {folded(email) for email in staff_emails}
        self.attached = attached

    def judge(self, person: Person, threshold_minutes: float) -> Judged:
        if person.organiser or folded(person.email) in self.staff:
            return Judged(person, Outcome.ORGANISER)
        registration = self.registration_of(person)
        if registration is None:
            return Judged(person, Outcome.UNMATCHED)
        present = person.minutes >= threshold_minutes
        return Judged(person, Outcome.PRESENT if present else Outcome.BELOW_THRESHOLD, registration)

    def registration_of(self, person: Person) -> Candidate | None:
        if (chosen := self.attached.get(person.key)) in self.candidates:
            return self.candidates[chosen]
        if person.email and (found := self.by_email.get(folded(person.email))):
            return found
        for key in person.name_keys():
            if found := self.by_name.get(key):
                return found
        return None
