"""The aggregate queries behind the figures: each one a single GROUP BY over the
events of a period, never a loop over events or people.

What counts, in every query:

- an event *held* in the period is published (neither draft nor cancelled) and
  its first session starts in the period; its sessions and registrations come
  with it;
- attendance was *taken* at an event when at least one of its sessions has an
  attendance record; a registration is *present* when it has a « présent »
  record in at least one session;
- a *participant* is a confirmed registration, present where attendance was
  taken (confirmed ones count where it was not); anonymised people still count,
  being still rows.
- a registration belongs to the structure named when registering, so someone
  who changed structure during the year counts for both.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import (
    Float,
    String,
    and_,
    case,
    distinct,
    exists,
    func,
    literal,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from instant_coorace.attendance.models import AttendanceStatus, SessionAttendance
from instant_coorace.events.models import Event, EventFormat, EventKind, EventSession, EventStatus
from instant_coorace.extensions import db
from instant_coorace.labels import DEPARTMENTS
from instant_coorace.members.models import Membership, Structure, StructureKindRow
from instant_coorace.registrations.models import (
    Registration,
    RegistrationSource,
    RegistrationStatus,
)

#: Department buckets besides the 13 codes of Occitanie.
OUTSIDE_REGION = "hors_region"
UNKNOWN_DEPARTMENT = "inconnu"
NOT_IN_DIRECTORY = "hors_annuaire"
#: Structure-kind buckets besides the legal forms.
PARTNER = "partner"
OTHER = "other"


class hours_between(FunctionElement):
    """Hours from the first timestamp to the second, on SQLite and PostgreSQL."""

    type = Float()
    inherit_cache = True


@compiles(hours_between, "sqlite")
def _hours_sqlite(element, compiler, **kw) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"


@compiles(hours_between, "postgresql")
def _hours_postgresql(element, compiler, **kw) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0)"


def _flag(condition) -> case:
    return case((condition, 1), else_=0)


class PeriodQueries:
    """The queries for one period (UTC bounds, end excluded).

    Each registration's flags are computed once per statement, in MATERIALIZED
    CTEs that are then only scanned (else SQLite repeats a subquery wherever a
    flag is used): ``held`` gives each held event its kind and whether
    attendance was taken (one EXISTS per event, not per registration), and
    ``flags`` reaches the registrations from it through their event index.
    « Present » is ``IN`` a set built once per statement, not a correlated
    EXISTS searching the attendance index once per registration.
    """

    def __init__(self, start: dt.datetime, end: dt.datetime) -> None:
        self.held = and_(
            Event.status == EventStatus.PUBLISHED,
            Event.starts_at >= start,
            Event.starts_at < end,
        )
        #: Attendance was taken at the (outer) event.
        self.taken = (
            exists()
            .where(
                EventSession.event_id == Event.id,
                SessionAttendance.session_id == EventSession.id,
            )
            .correlate(Event)
        )
        # Not a correlated EXISTS: SQLite would search the attendance index
        # once per registration, in no useful order; ``IN`` builds the set of
        # present registrations once per statement.
        present = Registration.id.in_(
            select(SessionAttendance.registration_id).where(
                SessionAttendance.status == AttendanceStatus.PRESENT
            )
        )
        held = (
            select(Event.id, Event.kind, _flag(self.taken).label("taken"))
            .where(self.held)
            .cte("held")
            .prefix_with("MATERIALIZED")
        )
        flags = (
            select(
                Registration.id,
                Registration.event_id,
                Registration.person_id,
                Registration.structure_id,
                Registration.status,
                Registration.source,
                held.c.kind,
                held.c.taken,
                _flag(present).label("present"),
            )
            .select_from(held)
            .join(Registration, Registration.event_id == held.c.id)
            .cte("flags")
            .prefix_with("MATERIALIZED")
        )
        confirmed = flags.c.status == RegistrationStatus.CONFIRMED
        taken, came = flags.c.taken == 1, flags.c.present == 1
        self.registrations = select(
            flags.c.event_id,
            flags.c.person_id,
            flags.c.structure_id,
            flags.c.kind,
            _flag(confirmed).label("confirmed"),
            _flag(flags.c.status == RegistrationStatus.WAITLISTED).label("waitlisted"),
            _flag(flags.c.status == RegistrationStatus.CANCELLED).label("cancelled"),
            _flag(and_(confirmed, flags.c.source == RegistrationSource.ON_SITE)).label("on_site"),
            _flag(and_(confirmed, taken)).label("confirmed_taken"),
            _flag(and_(confirmed, taken, came)).label("present"),
            _flag(and_(confirmed, taken, ~came)).label("no_show"),
            _flag(and_(confirmed, ~taken | came)).label("participant"),
        ).subquery("registrations")
        regs = self.registrations
        self.participants = (
            select(regs.c.person_id, regs.c.structure_id)
            .where(regs.c.participant == 1)
            .subquery("participants")
        )

    def events_by_kind_and_format(self) -> dict[tuple[EventKind, EventFormat], int]:
        query = (
            select(Event.kind, Event.format, func.count())
            .where(self.held)
            .group_by(Event.kind, Event.format)
        )
        return {(kind, fmt): number for kind, fmt, number in db.session.execute(query)}

    def sessions_by_kind(self) -> dict[EventKind, tuple[int, float]]:
        """Sessions and hours delivered, per kind of event."""
        query = (
            select(
                Event.kind,
                func.count(EventSession.id),
                func.sum(hours_between(EventSession.starts_at, EventSession.ends_at)),
            )
            .join(Event, Event.id == EventSession.event_id)
            .where(self.held)
            .group_by(Event.kind)
        )
        return {kind: (n, float(hours or 0)) for kind, n, hours in db.session.execute(query)}

    def registrations_by_kind(self) -> dict[EventKind, RegistrationCounts]:
        regs = self.registrations
        summed = [f.name for f in dataclasses.fields(RegistrationCounts)][:-1]
        query = select(regs.c.kind, *(func.sum(regs.c[name]) for name in summed)).group_by(
            regs.c.kind
        )
        counts = {
            kind: dict(zip(summed, (int(n or 0) for n in numbers), strict=True))
            for kind, *numbers in db.session.execute(query)
        }
        events_taken = (
            select(Event.kind, func.count()).where(self.held, self.taken).group_by(Event.kind)
        )
        for kind, number in db.session.execute(events_taken):
            counts.setdefault(kind, {})["events_taken"] = number
        return {kind: RegistrationCounts(**values) for kind, values in counts.items()}

    def events_without_attendance(self) -> list[tuple[str, dt.datetime, int]]:
        """Held events where no attendance was taken: title, start, confirmed."""
        confirmed = and_(
            Registration.event_id == Event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
        query = (
            select(Event.title, Event.starts_at, func.count(Registration.id))
            .outerjoin(Registration, confirmed)
            .where(self.held, ~self.taken)
            .group_by(Event.id, Event.title, Event.starts_at)
            .order_by(Event.starts_at, Event.id)
        )
        return [tuple(row) for row in db.session.execute(query)]

    def reach(self) -> Reach:
        """Distinct participants and structures reached: in all, per department
        bucket and per structure kind, in one statement so that the
        registrations' flags are computed once for the three."""
        people = self.participants
        distinct_people = func.count(distinct(people.c.person_id))
        distinct_structures = func.count(distinct(people.c.structure_id))
        active_member = and_(Structure.membership == Membership.MEMBER, Structure.active)
        totals = select(
            literal("total", String),
            literal("", String),
            distinct_people,
            distinct_structures,
            func.count(distinct(case((active_member, people.c.structure_id)))),
        ).outerjoin(Structure, Structure.id == people.c.structure_id)
        code = case(
            (Structure.department != "", Structure.department),
            (func.length(Structure.postcode) == 5, func.substr(Structure.postcode, 1, 2)),
            else_="",
        )
        department = case(
            (people.c.structure_id.is_(None), NOT_IN_DIRECTORY),
            (code.in_(list(DEPARTMENTS)), code),
            (code == "", UNKNOWN_DEPARTMENT),
            else_=OUTSIDE_REGION,
        )
        by_department = (
            select(
                literal("department", String),
                department,
                distinct_people,
                distinct_structures,
                literal(0),
            )
            .outerjoin(Structure, Structure.id == people.c.structure_id)
            .group_by(department)
        )
        # A structure of several legal forms counts under each, partners
        # under « partenaire », members of no known form under « autre ».
        member = Structure.membership == Membership.MEMBER
        kind = case(
            (~member, PARTNER),
            (StructureKindRow.kind.is_(None), OTHER),
            else_=type_coerce(StructureKindRow.kind, String),
        )
        by_kind = (
            select(literal("kind", String), kind, distinct_people, distinct_structures, literal(0))
            .join(Structure, Structure.id == people.c.structure_id)
            .outerjoin(
                StructureKindRow, and_(StructureKindRow.structure_id == Structure.id, member)
            )
            .group_by(kind)
        )
        reach = Reach()
        for arm, bucket, persons, structures, members in db.session.execute(
            union_all(totals, by_department, by_kind)
        ):
            if arm == "total":
                reach.totals = (persons, structures, members)
            elif arm == "department":
                reach.departments[bucket] = (persons, structures)
            else:
                reach.structure_kinds[str(bucket)] = (structures, persons)
        return reach

    def members_never_reached(self) -> list[tuple[str, str, str]]:
        """Active member structures no participant came from: name, department, city."""
        query = (
            select(Structure.name, Structure.department, Structure.city)
            .where(
                Structure.membership == Membership.MEMBER,
                Structure.active,
                ~Structure.id.in_(
                    select(self.participants.c.structure_id).where(
                        self.participants.c.structure_id.is_not(None)
                    )
                ),
            )
            .order_by(Structure.department, Structure.name)
        )
        return [tuple(row) for row in db.session.execute(query)]

    def events_per_bucket(
        self, buckets: list[tuple[str, dt.datetime, dt.datetime]]
    ) -> dict[tuple[str, EventKind], int]:
        """Held events per month (or year) and kind."""
        if not buckets:
            return {}
        label = case(
            *(
                (and_(Event.starts_at >= start, Event.starts_at < end), name)
                for name, start, end in buckets
            ),
            else_="",
        )
        query = select(label, Event.kind, func.count()).where(self.held).group_by(label, Event.kind)
        return {(name, kind): n for name, kind, n in db.session.execute(query)}

    def training_by_kind(self) -> dict[EventKind, tuple[int, float]]:
        """People present and trainee-hours (hours of each session times the
        people present at it), per kind of event."""
        query = (
            select(
                Event.kind,
                func.count(distinct(Registration.person_id)),
                func.sum(hours_between(EventSession.starts_at, EventSession.ends_at)),
            )
            .select_from(SessionAttendance)
            .join(EventSession, EventSession.id == SessionAttendance.session_id)
            .join(Event, Event.id == EventSession.event_id)
            .join(Registration, Registration.id == SessionAttendance.registration_id)
            .where(
                self.held,
                SessionAttendance.status == AttendanceStatus.PRESENT,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
            .group_by(Event.kind)
        )
        return {kind: (n, float(hours or 0)) for kind, n, hours in db.session.execute(query)}

    def member_structures(self) -> int:
        return db.session.scalar(
            select(func.count()).where(Structure.membership == Membership.MEMBER, Structure.active)
        )


@dataclasses.dataclass
class Reach:
    """What :meth:`PeriodQueries.reach` counts: ``totals`` is (people,
    structures, active members); ``departments`` maps a bucket to (people,
    structures), ``structure_kinds`` a kind to (structures, people)."""

    totals: tuple[int, int, int] = (0, 0, 0)
    departments: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)
    structure_kinds: dict[str, tuple[int, int]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class RegistrationCounts:
    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0
    on_site: int = 0
    confirmed_taken: int = 0
    present: int = 0
    no_show: int = 0
    participant: int = 0
    events_taken: int = 0
