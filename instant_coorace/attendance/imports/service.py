"""Importing an attendance report into one session of an event.

Staff first see what the import would do (``stage`` keeps the file on the
server and previews it), then confirm (``apply``). The rows that matched no
one stay listed: staff attach each to a registration or add the person as a
walk-in, and these choices are kept with the file, so applying it again (or
importing the same file twice) leaves the same records. Every write goes
through ``attendance.records.record``, in one statement for the whole report.
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
import time
from collections import defaultdict
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from instant_coorace.attendance.imports import walk_ins
from instant_coorace.attendance.imports.formats import Attendee, read_report
from instant_coorace.attendance.imports.matching import (
    Candidate,
    Judged,
    Matcher,
    Outcome,
    people,
    union,
)
from instant_coorace.attendance.imports.reading import ImportRefused
from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus
from instant_coorace.attendance.records import Observation, record
from instant_coorace.audit.models import AuditAction
from instant_coorace.audit.services import record as audit
from instant_coorace.events.models import Event, EventSession
from instant_coorace.extensions import db
from instant_coorace.members.models import Person
from instant_coorace.registrations.errors import RegistrationError
from instant_coorace.registrations.models import Registration, RegistrationStatus
from instant_coorace.staff.models import StaffUser
from instant_coorace.transactions import write_transaction

#: A staged report not confirmed within this many seconds is forgotten.
STAGED_LIFETIME = 7 * 24 * 3600
_STAGED_TOKEN = re.compile(r"[0-9a-f]{32}")


@dataclasses.dataclass(frozen=True)
class ImportReport:
    """What importing a report does (or did), person by person, row numbers included."""

    format_name: str
    event: Event
    session: EventSession
    session_number: int
    threshold_minutes: int
    judged: list[Judged]
    unreadable: list[Attendee]
    #: The registrations staff may attach an unmatched person to.
    candidates: list[Candidate]
    applied: bool = False

    def count(self, outcome: str) -> int:
        return sum(1 for judged in self.judged if judged.outcome.value == outcome)

    def lines(self) -> list[str]:
        """The report as the command line prints it, one line per person or unreadable row."""
        printed = [
            f"{self.format_name.capitalize()} — session {self.session_number}, "
            f"seuil de présence : {self.threshold_minutes} min"
        ]
        for judged in self.judged:
            person = judged.person
            rows = ", ".join(str(line) for line in person.lines)
            who = person.name or f"{person.first_name} {person.last_name}".strip()
            target = f" → {judged.registration.full_name}" if judged.registration else ""
            printed.append(
                f"ligne {rows} : {who} <{person.email or 'sans adresse'}>, "
                f"{person.minutes} min — {OUTCOME_LABELS[judged.outcome]}{target}"
            )
        for attendee in self.unreadable:
            printed.append(f"ligne {attendee.line} : illisible — {attendee.problem}")
        return printed


OUTCOME_LABELS = {
    Outcome.PRESENT: "présent·e",
    Outcome.BELOW_THRESHOLD: "sous le seuil de présence",
    Outcome.UNMATCHED: "non rapproché·e",
    Outcome.ORGANISER: "organisateur·rice, ignoré·e",
}


def preview(event_id: int, data: bytes, session_number: int | None = None,
            attached: dict[str, int] | None = None) -> ImportReport:  # fmt: skip
    """What importing ``data`` into the event would do; writes nothing."""
    event = _event(event_id)
    report = read_report(data, event.starts_at)
    session_number = session_number or _likely_session(event, report.attendees)
    if not 1 <= session_number <= len(event.sessions):
        raise ImportRefused(
            f"Cet événement a {len(event.sessions)} session(s) : choisissez-en une."
        )
    session = event.sessions[session_number - 1]
    candidates = _candidates(event.id)
    matcher = Matcher(candidates, _staff_emails(), attached or {})
    length = (session.ends_at - session.starts_at).total_seconds() / 60
    threshold = round(length * current_app.config["ATTENDANCE_PRESENCE_PERCENT"] / 100)
    return ImportReport(
        format_name=report.format_name,
        event=event,
        session=session,
        session_number=session_number,
        threshold_minutes=threshold,
        judged=[matcher.judge(person, threshold) for person in people(report.attendees)],
        unreadable=[attendee for attendee in report.attendees if attendee.problem],
        candidates=sorted(candidates, key=lambda c: (c.last_name.casefold(), c.first_name)),
    )


def import_report(event_id: int, data: bytes, session_number: int | None = None,
                  attached: dict[str, int] | None = None, *,
                  filename: str = "") -> ImportReport:  # fmt: skip
    """Record what the report says of each registrant it names, in one transaction."""
    with write_transaction():
        report = preview(event_id, data, session_number, attached)
        record(_observations(report))
        audit(
            AuditAction.ATTENDANCE_IMPORTED,
            f"Événement {report.event.id} : {report.event.title}",
            details={
                "session": report.session_number,
                "format": report.format_name,
                "file": filename,
                "present": report.count("present"),
                "below_threshold": report.count("below_threshold"),
                "unmatched": report.count("unmatched"),
            },
        )
    return dataclasses.replace(report, applied=True)


def _observations(report: ImportReport) -> list[Observation]:
    """One observation per registration, even if two of the report's people turn
    out to be the same registrant (two addresses): their times merged."""
    intervals, minutes = defaultdict(list), defaultdict(int)
    for judged in report.judged:
        if judged.registration is not None:
            registration_id = judged.registration.registration_id
            intervals[registration_id] += judged.person.intervals
            minutes[registration_id] += judged.person.minutes
    observations = []
    for registration_id, spans in intervals.items():
        merged = union(spans)
        attended = round(sum((end - start).total_seconds() for start, end in merged) / 60)
        attended = min(attended, minutes[registration_id]) if merged else minutes[registration_id]
        observations.append(
            Observation(
                registration_id,
                report.session.id,
                AttendanceStatus.PRESENT
                if attended >= report.threshold_minutes
                else AttendanceStatus.ABSENT,
                AttendanceSource.REPORT,
                minutes_attended=attended,
                first_seen_at=merged[0][0] if merged else None,
                last_seen_at=max(end for _, end in merged) if merged else None,
            )
        )
    return observations


# --- The two steps of the staff page, and the choices for unmatched people ---


@dataclasses.dataclass(frozen=True)
class Staged:
    token: str
    event_id: int
    session_number: int | None
    filename: str
    attached: dict[str, int]


def stage(folder: Path, event_id: int, data: bytes, session_number: int | None,
          filename: str) -> tuple[Staged, ImportReport]:  # fmt: skip
    """Keep an uploaded report server-side and preview it; only the token goes
    back and forth with the browser."""
    report = preview(event_id, data, session_number)
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    staged = Staged(secrets.token_hex(16), event_id, report.session_number, filename[:200], {})
    (folder / f"{staged.token}.report").write_bytes(data)
    _save(folder, staged)
    return staged, report


def apply(folder: Path, event_id: int, token: str) -> tuple[Staged, ImportReport]:
    staged = load(folder, event_id, token)
    data = (folder / f"{token}.report").read_bytes()
    report = import_report(
        event_id, data, staged.session_number, staged.attached, filename=staged.filename
    )
    return staged, report


def attach(folder: Path, event_id: int, token: str, key: str, registration_id: int):
    """Staff say who an unmatched person is; the report is applied again with it."""
    staged = load(folder, event_id, token)
    if registration_id not in {c.registration_id for c in _candidates(event_id)}:
        raise ImportRefused("Choisissez une personne inscrite à cet événement.")
    _save(folder, dataclasses.replace(staged, attached=staged.attached | {key: registration_id}))
    return apply(folder, event_id, token)


def add_walk_in(folder: Path, event_id: int, token: str, key: str):
    """An unmatched person of the report becomes a walk-in (« sur place »)."""
    staged = load(folder, event_id, token)
    data = (folder / f"{token}.report").read_bytes()
    report = preview(event_id, data, staged.session_number, staged.attached)
    person = next((j.person for j in report.judged if j.person.key == key), None)
    if person is None:
        raise ImportRefused("Cette personne ne figure plus dans le rapport.")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", person.email):
        raise ImportRefused(
            "Le rapport ne donne pas d'adresse e-mail valide pour cette personne : rattachez-la "
            "à une personne inscrite, ou inscrivez-la depuis la liste des inscrit·es."
        )
    first, last = _split_name(person)
    try:
        registration_id = walk_ins.add(event_id, person.email, first, last)
    except RegistrationError as error:
        raise ImportRefused(error.message) from error
    _save(folder, dataclasses.replace(staged, attached=staged.attached | {key: registration_id}))
    return apply(folder, event_id, token)


def load(folder: Path, event_id: int, token: str) -> Staged:
    path = folder / f"{token}.json"
    if not _STAGED_TOKEN.fullmatch(token) or not path.is_file():
        raise ImportRefused("Ce rapport n'est plus disponible : importez le fichier à nouveau.")
    staged = Staged(**json.loads(path.read_text()))
    if staged.event_id != event_id:
        raise ImportRefused("Ce rapport a été importé pour un autre événement.")
    return staged


def _save(folder: Path, staged: Staged) -> None:
    (folder / f"{staged.token}.json").write_text(json.dumps(dataclasses.asdict(staged)))


def _forget_old(folder: Path) -> None:
    deadline = time.time() - STAGED_LIFETIME
    for path in folder.iterdir():
        if path.stat().st_mtime < deadline:
            path.unlink(missing_ok=True)


def _split_name(person) -> tuple[str, str]:
    if person.first_name or person.last_name:
        return person.first_name, person.last_name
    first, _, last = re.sub(r"\([^)]*\)", " ", person.name).strip().partition(" ")
    return first, last


# --- Reading what matching needs, a few statements whatever the report's size ---


def event_by_slug(slug: str) -> int:
    event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
    if event_id is None:
        raise ImportRefused(f"Aucun événement n'a l'adresse « {slug} ».")
    return event_id


def _event(event_id: int) -> Event:
    event = db.session.scalars(
        select(Event).where(Event.id == event_id).options(selectinload(Event.sessions))
    ).one_or_none()
    if event is None:
        raise ImportRefused("Cet événement n'existe pas.")
    if not event.sessions:
        raise ImportRefused("Cet événement n'a pas de session.")
    return event


def _likely_session(event: Event, attendees: list[Attendee]) -> int:
    """The session the report's times overlap most (the first if it has no times)."""

    def overlap(session: EventSession) -> float:
        spans = [(max(a.joined, session.starts_at), min(a.left, session.ends_at))
                 for a in attendees if a.joined and a.left]  # fmt: skip
        return sum(max(0.0, (end - start).total_seconds()) for start, end in spans)

    best = max(range(len(event.sessions)), key=lambda index: overlap(event.sessions[index]))
    return best + 1


def _candidates(event_id: int) -> list[Candidate]:
    rows = db.session.execute(
        select(Registration.id, Person.email, Registration.first_name, Registration.last_name)
        .join(Person, Person.id == Registration.person_id)
        .where(
            Registration.event_id == event_id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )
    return [Candidate(*row) for row in rows]


def _staff_emails() -> list[str]:
    return list(db.session.scalars(select(StaffUser.email)))
