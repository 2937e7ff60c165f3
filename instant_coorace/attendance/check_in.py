"""Checking people in at the door, from a tablet or a phone.

One tap marks a confirmed registrant present at one session, one more undoes
it; a walk-in becomes a registration « sur place » and is checked in at once.
Every write goes through ``records.record`` (an insert-or-update on the
registration and session), so a second tap, or two tablets tapping the same
person at the same moment, leave one record.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import and_, func, select

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.attendance.records import Observation, forget, record
from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventSession
from instant_coorace.extensions import db
from instant_coorace.members.models import Structure
from instant_coorace.registrations import errors as registration_errors
from instant_coorace.registrations import services as registrations
from instant_coorace.registrations.models import (
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from instant_coorace.search import matches_word
from instant_coorace.transactions import write_transaction

#: How long before a session starts the check-in page opens on it by default.
DOORS_OPEN = dt.timedelta(hours=1)


class CheckInRefused(Exception):
    """A check-in that cannot be: ``message`` says why, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclasses.dataclass(frozen=True)
class CheckInRow:
    registration_id: int
    full_name: str
    organisation: str
    #: What is recorded for this session, ``None`` if nothing is.
    status: AttendanceStatus | None
    recorded_at: dt.datetime | None

    @property
    def is_present(self) -> bool:
        return self.status is AttendanceStatus.PRESENT


@dataclasses.dataclass(frozen=True)
class CheckInList:
    rows: list[CheckInRow]
    #: Confirmed registrants present, and expected, at the session (whatever the search).
    present: int
    expected: int


@dataclasses.dataclass(frozen=True)
class CheckedIn:
    full_name: str
    #: When the person had been checked in already (a second tap), else ``None``.
    already_since: dt.datetime | None


def session_of_event(event_id: int, session_id: int) -> EventSession | None:
    """The session, only if it belongs to that event (URLs must agree)."""
    session = db.session.get(EventSession, session_id)
    return session if session is not None and session.event_id == event_id else None


def current_session(event: Event, now: dt.datetime | None = None) -> EventSession | None:
    """The session the door is for now: the one under way (or about to start),
    else the next one, else the last one."""
    now = now or utcnow()
    sessions = sorted(event.sessions, key=lambda s: (s.starts_at, s.id))
    for session in sessions:
        if now < session.ends_at:
            return session
    return sessions[-1] if sessions else None


def check_in_list(session: EventSession, search: str = "") -> CheckInList:
    """The confirmed registrants of the session's event whose name or structure
    holds every word of ``search``, in alphabetical order, with what is recorded."""
    statement = _rows_of(session)
    for word in search.split():
        statement = statement.where(
            matches_word(
                word,
                Registration.first_name,
                Registration.last_name,
                Structure.name,
                Registration.structure_name,
            )
        )
    present, expected = present_and_expected(session)
    return CheckInList(_read(statement), present, expected)


def check_in_row(session: EventSession, registration_id: int) -> CheckInRow | None:
    """One registrant's row, if they are expected at the session."""
    rows = _read(_rows_of(session).where(Registration.id == registration_id))
    return rows[0] if rows else None


def _rows_of(session: EventSession):
    return (
        select(
            Registration.id,
            Registration.first_name,
            Registration.last_name,
            func.coalesce(Structure.name, Registration.structure_name),
            SessionAttendance.status,
            SessionAttendance.updated_at,
        )
        .outerjoin(Registration.structure)
        .outerjoin(SessionAttendance, _attendance_at(session))
        .where(_expected(session))
        .order_by(func.ic_fold(Registration.last_name), func.ic_fold(Registration.first_name))
    )


def _read(statement) -> list[CheckInRow]:
    return [
        CheckInRow(rid, f"{first} {last}".strip(), organisation or "", status, at)
        for rid, first, last, organisation, status, at in db.session.execute(statement)
    ]


def present_and_expected(session: EventSession) -> tuple[int, int]:
    present = func.count(SessionAttendance.id).filter(
        SessionAttendance.status == AttendanceStatus.PRESENT
    )
    row = db.session.execute(
        select(present, func.count(Registration.id))
        .select_from(Registration)
        .outerjoin(SessionAttendance, _attendance_at(session))
        .where(_expected(session))
    ).one()
    return row[0], row[1]


def check_in(registration_id: int, session_id: int, staff_id: int | None) -> CheckedIn:
    """Mark the registrant present at the session; a second time changes nothing
    but tells since when they were."""
    with write_transaction():
        registration, session = _checkable(registration_id, session_id)
        already = _recorded(registration.id, session.id)
        since = already.updated_at if already and already.is_present else None
        if since is None:
            record([_present(registration.id, session.id, staff_id)])
        return CheckedIn(registration.full_name, since)


def undo_check_in(registration_id: int, session_id: int) -> bool:
    """Take back a check-in; ``False`` when the person was not marked present.

    Only a presence the door recorded is taken back here: one proved by a
    signature, a report or the team's own entry is corrected from the
    attendance overview, where its source is shown, not erased by a tap."""
    with write_transaction():
        registration, session = _checkable(registration_id, session_id)
        recorded = _recorded(registration.id, session.id)
        if recorded is None or not recorded.is_present:
            return False
        if recorded.source is not AttendanceSource.CHECK_IN:
            raise CheckInRefused(
                f"{registration.full_name} est présent·e d'après "
                f"{UNDO_REFUSED_SOURCES[recorded.source]} : corrigez-le depuis la page des "
                "présences."
            )
        return forget(registration.id, session.id)


#: What recorded a presence that a tap at the door does not take back.
UNDO_REFUSED_SOURCES = {
    AttendanceSource.JOIN_LINK: "son lien de connexion à la visio",
    AttendanceSource.REPORT: "un rapport de présence importé",
    AttendanceSource.SIGNATURE: "sa signature",
    AttendanceSource.STAFF: "une saisie de l'équipe",
}


def add_walk_in(
    session_id: int, applicant: registrations.Applicant, staff_id: int | None
) -> CheckedIn:
    """Register someone who came without registering (« sur place ») and check
    them in; someone already registered is checked in under that registration."""
    session = db.session.get(EventSession, session_id)
    if session is None:
        raise CheckInRefused("Cette session n'existe plus.")
    try:
        receipt = registrations.register(
            session.event_id, applicant, source=RegistrationSource.ON_SITE
        )
        registration_id = receipt.registration_id
    except registration_errors.AlreadyRegistered as error:
        registration_id = error.registration_id
    except registration_errors.RegistrationError as error:
        raise CheckInRefused(error.message) from error
    return check_in(registration_id, session_id, staff_id)


def _checkable(registration_id: int, session_id: int) -> tuple[Registration, EventSession]:
    registration = db.session.get(Registration, registration_id)
    session = db.session.get(EventSession, session_id)
    if registration is None or session is None or registration.event_id != session.event_id:
        raise CheckInRefused("Cette inscription ne concerne pas cette session.")
    if registration.status is not RegistrationStatus.CONFIRMED:
        state = (
            "est sur liste d'attente"
            if registration.status is RegistrationStatus.WAITLISTED
            else "est annulée"
        )
        raise CheckInRefused(
            f"L'inscription de {registration.full_name} {state} : "
            "confirmez-la depuis la liste des inscrit·es avant de la marquer présente."
        )
    return registration, session


def _recorded(registration_id: int, session_id: int) -> SessionAttendance | None:
    return db.session.scalars(
        select(SessionAttendance).where(
            SessionAttendance.registration_id == registration_id,
            SessionAttendance.session_id == session_id,
        )
    ).one_or_none()


def _present(registration_id: int, session_id: int, staff_id: int | None) -> Observation:
    now = utcnow()
    return Observation(
        registration_id,
        session_id,
        AttendanceStatus.PRESENT,
        AttendanceSource.CHECK_IN,
        first_seen_at=now,
        last_seen_at=now,
        recorded_by_id=staff_id,
    )


def _expected(session: EventSession):
    return and_(
        Registration.event_id == session.event_id,
        Registration.status == RegistrationStatus.CONFIRMED,
    )


def _attendance_at(session: EventSession):
    return and_(
        SessionAttendance.registration_id == Registration.id,
        SessionAttendance.session_id == session.id,
    )
