"""Who came, per session and per event: the counts the team reads and exports.

At a session, the people counted are the confirmed registrants plus anyone
something was recorded for (a registrant cancelled since who still came).
Each of them is present, absent, excused, or — with nothing recorded — a
no-show. A session where nothing at all was recorded is one where attendance
was not taken: it says so rather than showing 0 % (``Tally.taken``), and the
event's totals leave it out.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable

from sqlalchemy import func, or_, select

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.attendance.records import Observation, record
from instant_coorace.events.models import Event, EventSession
from instant_coorace.extensions import db
from instant_coorace.members.models import Person, Structure
from instant_coorace.registrations.models import Registration, RegistrationStatus
from instant_coorace.transactions import write_transaction

#: What the team may set from the overview (present comes from the ways of taking it).
MARKABLE = (AttendanceStatus.ABSENT, AttendanceStatus.EXCUSED)


class MarkRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclasses.dataclass(frozen=True)
class Tally:
    registered: int = 0
    present: int = 0
    absent: int = 0
    excused: int = 0
    #: Minutes attended, summed over what is known.
    minutes: int = 0
    #: Whether attendance was taken: at least one record.
    taken: bool = False

    @property
    def no_show(self) -> int:
        return self.registered - self.present - self.absent - self.excused if self.taken else 0

    @property
    def rate(self) -> float | None:
        """Share of the people counted who were present; ``None`` when not taken."""
        if not self.taken or not self.registered:
            return None
        return self.present / self.registered

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.registered + other.registered,
            self.present + other.present,
            self.absent + other.absent,
            self.excused + other.excused,
            self.minutes + other.minutes,
            self.taken or other.taken,
        )


@dataclasses.dataclass(frozen=True)
class SessionTally:
    session: EventSession
    tally: Tally


@dataclasses.dataclass(frozen=True)
class EventOverview:
    event: Event
    sessions: list[SessionTally]
    #: Over the sessions where attendance was taken (people × sessions).
    total: Tally
    #: Distinct people present at one session at least.
    people_present: int


@dataclasses.dataclass(frozen=True)
class AttendeeLine:
    """One person at one session, as the overview and the exports show them."""

    registration_id: int
    session_id: int
    last_name: str
    first_name: str
    email: str
    organisation: str
    status: AttendanceStatus | None
    source: AttendanceSource | None
    minutes: int | None
    reason: str


def event_overview(event: Event) -> EventOverview:
    sessions = sorted(event.sessions, key=lambda s: (s.starts_at, s.id))
    lines = attendee_lines(event)
    by_session: dict[int, list[AttendeeLine]] = defaultdict(list)
    for line in lines:
        by_session[line.session_id].append(line)
    tallies = [SessionTally(session, _tally(by_session[session.id])) for session in sessions]
    total = sum((t.tally for t in tallies if t.tally.taken), Tally())
    present = {line.registration_id for line in lines if line.status is AttendanceStatus.PRESENT}
    return EventOverview(event, tallies, total, len(present))


def session_lines(session: EventSession) -> tuple[list[AttendeeLine], Tally]:
    lines = [line for line in attendee_lines(session.event) if line.session_id == session.id]
    return lines, _tally(lines)


def attendee_lines(event: Event) -> list[AttendeeLine]:
    """Every person counted at every session of ``event``, by session then name,
    in two queries whatever the size of the event."""
    recorded: dict[tuple[int, int], SessionAttendance] = {
        (row.registration_id, row.session_id): row
        for row in db.session.scalars(
            select(SessionAttendance)
            .join(SessionAttendance.session)
            .where(EventSession.event_id == event.id)
        )
    }
    people = db.session.execute(
        select(
            Registration.id,
            Registration.status,
            Registration.last_name,
            Registration.first_name,
            Person.email,
            func.coalesce(Structure.name, Registration.structure_name),
        )
        .join(Registration.person)
        .outerjoin(Registration.structure)
        .where(
            Registration.event_id == event.id,
            or_(
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.id.in_({registration_id for registration_id, _ in recorded}),
            ),
        )
        .order_by(func.ic_fold(Registration.last_name), func.ic_fold(Registration.first_name))
    ).all()
    lines = []
    for session in sorted(event.sessions, key=lambda s: (s.starts_at, s.id)):
        for rid, status, last, first, email, organisation in people:
            row = recorded.get((rid, session.id))
            if row is None and status is not RegistrationStatus.CONFIRMED:
                continue
            lines.append(
                AttendeeLine(
                    rid,
                    session.id,
                    last,
                    first,
                    email,
                    organisation or "",
                    row.status if row else None,
                    row.source if row else None,
                    row.minutes_attended if row else None,
                    row.reason if row else "",
                )
            )
    return lines


def mark(
    registration_id: int,
    session_id: int,
    status: AttendanceStatus,
    reason: str,
    staff_id: int | None,
) -> None:
    """The team marks someone « absent » or « excusé » at a session, with a reason."""
    if status not in MARKABLE:
        raise MarkRefused("Choisissez « absent·e » ou « excusé·e ».")
    with write_transaction():
        registration = db.session.get(Registration, registration_id)
        session = db.session.get(EventSession, session_id)
        if registration is None or session is None or registration.event_id != session.event_id:
            raise MarkRefused("Cette inscription ne concerne pas cette session.")
        record(
            [
                Observation(
                    registration_id,
                    session_id,
                    status,
                    AttendanceSource.STAFF,
                    reason=reason.strip(),
                    recorded_by_id=staff_id,
                )
            ]
        )


def line_of(session: EventSession, registration_id: int) -> AttendeeLine | None:
    lines = session_lines(session)[0]
    return next((line for line in lines if line.registration_id == registration_id), None)


def _tally(lines: Iterable[AttendeeLine]) -> Tally:
    lines = list(lines)
    statuses = Counter(line.status for line in lines)
    return Tally(
        registered=len(lines),
        present=statuses[AttendanceStatus.PRESENT],
        absent=statuses[AttendanceStatus.ABSENT],
        excused=statuses[AttendanceStatus.EXCUSED],
        minutes=sum(line.minutes or 0 for line in lines),
        taken=any(line.status is not None for line in lines),
    )
