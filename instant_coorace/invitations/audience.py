"""Whom a campaign invites: the groups the team combines, and who is left out.

Structure criteria (kind, department, member or partner) narrow down one set of
structures, whose people are everyone the directory or past registrations know
there, plus the structure's own contact address. Every other group (followers
of the event's series, people registered to or present at past events, pasted
addresses) adds to it. Left out, and shown as such: people already registered,
addresses that unsubscribed, anonymised people.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from sqlalchemy import Select, func, select, union

from instant_coorace.attendance.models import AttendanceStatus, SessionAttendance
from instant_coorace.events.models import Event, EventStatus
from instant_coorace.extensions import db
from instant_coorace.formatting import french_date
from instant_coorace.invitations.models import SeriesFollower, Unsubscription
from instant_coorace.members.models import (
    Membership,
    Person,
    Structure,
    StructureKind,
    StructureKindRow,
)
from instant_coorace.registrations.models import (
    ACTIVE_STATUSES,
    Registration,
    RegistrationStatus,
)


@dataclasses.dataclass(frozen=True)
class Selection:
    """The groups chosen in the form; pasted addresses are valid and lower-cased."""

    kinds: tuple[StructureKind, ...] = ()
    departments: tuple[str, ...] = ()
    memberships: tuple[Membership, ...] = ()
    followers: bool = False
    registered_to: tuple[int, ...] = ()
    present_at: tuple[int, ...] = ()
    pasted: tuple[str, ...] = ()

    @property
    def by_structure(self) -> bool:
        return bool(self.kinds or self.departments or self.memberships)

    @property
    def is_empty(self) -> bool:
        return not (
            self.by_structure
            or self.followers
            or self.registered_to
            or self.present_at
            or self.pasted
        )


@dataclasses.dataclass(frozen=True)
class Candidate:
    """Someone a campaign could invite, with what fills its placeholders."""

    email: str
    first_name: str = ""
    last_name: str = ""
    structure_id: int | None = None
    structure_name: str = ""
    job_title: str = ""
    person_id: int | None = None

    @property
    def label(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} <{self.email}>" if name else self.email


class Exclusion(enum.StrEnum):
    REGISTERED = "registered"
    UNSUBSCRIBED = "unsubscribed"
    ANONYMISED = "anonymised"


EXCLUSION_LABELS = {
    Exclusion.REGISTERED: "déjà inscrit·e",
    Exclusion.UNSUBSCRIBED: "désabonné·e",
    Exclusion.ANONYMISED: "données anonymisées",
}


@dataclasses.dataclass(frozen=True)
class Audience:
    included: list[Candidate]
    excluded: list[tuple[Candidate, Exclusion]]

    def find(self, email: str) -> Candidate | None:
        return next((c for c in self.included if c.email == email), None)


def audience(event_id: int, series_id: int | None, selection: Selection) -> Audience:
    """Who ``selection`` reaches for the event, in a fixed number of queries."""
    people = _people(event_id, series_id, selection)
    candidates: dict[str, Candidate] = {}
    anonymised: set[str] = set()
    for row in people:
        if row.anonymised_at is not None:
            anonymised.add(row.email)
        candidates[row.email] = Candidate(
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            structure_id=row.structure_id,
            structure_name=row.structure_name or "",
            job_title=row.job_title,
            person_id=row.id,
        )
    if selection.by_structure:
        for structure_id, name, email in db.session.execute(
            select(Structure.id, Structure.name, Structure.email).where(
                Structure.id.in_(_structures(selection)), Structure.email != ""
            )
        ):
            email = email.strip().lower()
            candidates.setdefault(
                email, Candidate(email=email, structure_id=structure_id, structure_name=name)
            )
    for email in selection.pasted:
        candidates.setdefault(email, Candidate(email=email))
    registered = set(
        db.session.scalars(
            select(Person.email)
            .join(Registration, Registration.person_id == Person.id)
            .where(Registration.event_id == event_id, Registration.status.in_(ACTIVE_STATUSES))
        )
    )
    unsubscribed = set(db.session.scalars(select(Unsubscription.email)))
    included, excluded = [], []
    for candidate in sorted(
        candidates.values(),
        key=lambda c: (c.structure_name.lower(), c.last_name.lower(), c.email),
    ):
        if candidate.email in anonymised:
            excluded.append((candidate, Exclusion.ANONYMISED))
        elif candidate.email in unsubscribed:
            excluded.append((candidate, Exclusion.UNSUBSCRIBED))
        elif candidate.email in registered:
            excluded.append((candidate, Exclusion.REGISTERED))
        else:
            included.append(candidate)
    return Audience(included, excluded)


def _structures(selection: Selection) -> Select:
    query = select(Structure.id).where(Structure.active.is_(True))
    if selection.kinds:
        query = query.where(
            Structure.id.in_(
                select(StructureKindRow.structure_id).where(
                    StructureKindRow.kind.in_(selection.kinds)
                )
            )
        )
    if selection.departments:
        query = query.where(Structure.department.in_(selection.departments))
    if selection.memberships:
        query = query.where(Structure.membership.in_(selection.memberships))
    return query


def _people(event_id: int, series_id: int | None, selection: Selection) -> list:
    """The directory's people of every chosen group, one query."""
    groups: list[Select] = []
    if selection.by_structure:
        structures = _structures(selection)
        groups.append(select(Person.id).where(Person.structure_id.in_(structures)))
        groups.append(
            select(Registration.person_id).where(Registration.structure_id.in_(structures))
        )
    if selection.followers and series_id is not None:
        groups.append(
            select(SeriesFollower.person_id).where(
                SeriesFollower.series_id == series_id, SeriesFollower.confirmed_at.is_not(None)
            )
        )
    if selection.registered_to:
        groups.append(
            select(Registration.person_id).where(
                Registration.event_id.in_(selection.registered_to),
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
    if selection.present_at:
        groups.append(
            select(Registration.person_id)
            .join(SessionAttendance, SessionAttendance.registration_id == Registration.id)
            .where(
                Registration.event_id.in_(selection.present_at),
                SessionAttendance.status == AttendanceStatus.PRESENT,
            )
        )
    if selection.pasted:
        groups.append(select(Person.id).where(Person.email.in_(selection.pasted)))
    if not groups:
        return []
    ids = union(*groups).subquery()
    return list(
        db.session.execute(
            select(
                Person.id,
                Person.email,
                Person.first_name,
                Person.last_name,
                Person.job_title,
                Person.structure_id,
                Person.anonymised_at,
                func.coalesce(Structure.name, Person.other_structure_name).label("structure_name"),
            )
            .outerjoin(Structure, Structure.id == Person.structure_id)
            .where(Person.id.in_(select(ids.c[0])))
        )
    )


def directory_departments() -> list[str]:
    """The departments of the directory's active structures, in order."""
    return list(
        db.session.scalars(
            select(Structure.department)
            .where(Structure.active.is_(True), Structure.department != "")
            .distinct()
            .order_by(Structure.department)
        )
    )


def past_events(now: dt.datetime, limit: int = 60) -> list[tuple[int, str]]:
    """The latest events that took place, whose registrants or attendees may be invited."""
    rows = db.session.execute(
        select(Event.id, Event.title, Event.starts_at)
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at < now)
        .order_by(Event.starts_at.desc())
        .limit(limit)
    )
    return [(event_id, f"{title} ({french_date(start)})") for event_id, title, start in rows]
