"""Everything about one structure at a glance, for the team: its people (from
the directory and from past registrations), their registrations and
attendance year by year, its supports of the offre modulaire with the year's
allowance, and which of its addresses unsubscribed from invitations.

A handful of queries whatever the structure's history: attendance is counted
by the database, per registration.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from itertools import groupby

from sqlalchemy import distinct, func, or_, select

from instant_coorace.attendance.models import AttendanceStatus, SessionAttendance
from instant_coorace.events.models import Event, EventKind, EventSession
from instant_coorace.extensions import db
from instant_coorace.formatting import to_paris
from instant_coorace.invitations.models import Unsubscription
from instant_coorace.members.models import Person, Structure
from instant_coorace.members.services import get_structure
from instant_coorace.registrations.models import Registration, RegistrationStatus
from instant_coorace.support.allowance import Allowance, allowance_of
from instant_coorace.support.models import Support
from instant_coorace.support.services import supports_of_structure


@dataclasses.dataclass(frozen=True)
class PersonLine:
    person_id: int
    name: str
    email: str
    job_title: str
    anonymised: bool
    #: The directory places them in this structure today (else: a past registration did).
    in_directory: bool
    registrations: int
    events_attended: int


@dataclasses.dataclass(frozen=True)
class RegistrationLine:
    event_id: int
    event_title: str
    event_kind: EventKind
    starts_at: dt.datetime | None
    person_id: int
    name: str
    status: RegistrationStatus
    sessions: int
    #: Sessions of the event where attendance was taken (for anyone).
    sessions_taken: int
    sessions_present: int

    @property
    def attendance_taken(self) -> bool:
        return self.sessions_taken > 0


@dataclasses.dataclass(frozen=True)
class YearOfRegistrations:
    year: int | None
    lines: list[RegistrationLine]


@dataclasses.dataclass(frozen=True)
class StructureOverview:
    structure: Structure
    people: list[PersonLine]
    years: list[YearOfRegistrations]
    supports: list[Support]
    #: This year's allowance; none for a partner.
    allowance: Allowance | None
    unsubscribed: list[Unsubscription]


def structure_overview(structure_id: int, today: dt.date) -> StructureOverview:
    """Raises ``StructureNotFound`` for an unknown id."""
    structure = get_structure(structure_id)
    registrations = _registrations(structure_id)
    people = _people(structure_id, registrations)
    emails = {line.email.lower() for line in people if not line.anonymised}
    if structure.email:
        emails.add(structure.email.lower())
    return StructureOverview(
        structure=structure,
        people=people,
        years=[
            YearOfRegistrations(year, list(lines))
            for year, lines in groupby(registrations, key=_year)
        ],
        supports=supports_of_structure(structure_id),
        allowance=allowance_of(structure_id, today.year) if structure.is_member else None,
        unsubscribed=list(
            db.session.scalars(
                select(Unsubscription)
                .where(Unsubscription.email.in_(sorted(emails)))
                .order_by(Unsubscription.email)
            )
        )
        if emails
        else [],
    )


def _year(line: RegistrationLine) -> int | None:
    return to_paris(line.starts_at).year if line.starts_at else None


def _registrations(structure_id: int) -> list[RegistrationLine]:
    """The registrations made for this structure, newest event first, each
    with the event's sessions, those where attendance was taken, and the
    ones the registrant attended."""
    sessions = (
        select(func.count(EventSession.id))
        .where(EventSession.event_id == Registration.event_id)
        .scalar_subquery()
    )
    taken = (
        select(func.count(distinct(SessionAttendance.session_id)))
        .join(EventSession, EventSession.id == SessionAttendance.session_id)
        .where(EventSession.event_id == Registration.event_id)
        .scalar_subquery()
    )
    present = (
        select(func.count(SessionAttendance.id))
        .where(
            SessionAttendance.registration_id == Registration.id,
            SessionAttendance.status == AttendanceStatus.PRESENT,
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            Event.id,
            Event.title,
            Event.kind,
            Event.starts_at,
            Registration.person_id,
            Registration.first_name,
            Registration.last_name,
            Registration.status,
            sessions,
            taken,
            present,
        )
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.structure_id == structure_id)
        .order_by(Event.starts_at.desc().nulls_last(), Event.id.desc(), Registration.last_name)
    ).all()
    return [
        RegistrationLine(
            event_id=row[0],
            event_title=row[1],
            event_kind=row[2],
            starts_at=row[3],
            person_id=row[4],
            name=f"{row[5]} {row[6]}".strip() or "Personne anonymisée",
            status=row[7],
            sessions=row[8],
            sessions_taken=row[9],
            sessions_present=row[10],
        )
        for row in rows
    ]


def _people(structure_id: int, registrations: list[RegistrationLine]) -> list[PersonLine]:
    registered = select(Registration.person_id).where(Registration.structure_id == structure_id)
    people = db.session.execute(
        select(Person)
        .where(or_(Person.structure_id == structure_id, Person.id.in_(registered)))
        .order_by(Person.last_name, Person.first_name, Person.id)
    ).scalars()
    counts: dict[int, list[int]] = {}
    for line in registrations:
        count = counts.setdefault(line.person_id, [0, 0])
        count[0] += 1
        count[1] += line.sessions_present > 0
    return [
        PersonLine(
            person_id=person.id,
            name="Personne anonymisée" if person.anonymised_at else person.full_name,
            email="" if person.anonymised_at else person.email,
            job_title="" if person.anonymised_at else person.job_title,
            anonymised=person.anonymised_at is not None,
            in_directory=person.structure_id == structure_id,
            registrations=counts.get(person.id, [0, 0])[0],
            events_attended=counts.get(person.id, [0, 0])[1],
        )
        for person in people
    ]
