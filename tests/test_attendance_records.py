"""One attendance record per registrant and session, whatever records it and how often."""

import datetime as dt

from sqlalchemy import select

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.attendance.records import Observation, forget, record
from instant_coorace.extensions import db
from instant_coorace.registrations.services import register
from instant_coorace.transactions import write_transaction
from tests.builders import applicant, make_event

NINE = dt.datetime(2025, 4, 3, 8, 0, tzinfo=dt.UTC)


def _setting(app):
    event = make_event(sessions=2)
    receipt = register(event.id, applicant(1))
    return receipt.registration_id, [s.id for s in event.sessions]


def _rows():
    db.session.expire_all()
    return db.session.scalars(
        select(SessionAttendance).order_by(SessionAttendance.session_id)
    ).all()


def _seen(registration_id, session_id, **fields):
    values = {"status": AttendanceStatus.PRESENT, "source": AttendanceSource.JOIN_LINK} | fields
    return Observation(registration_id, session_id, **values)


def test_recording_twice_keeps_one_row_with_the_widest_span(app):
    registration_id, (first, _second) = _setting(app)
    later = NINE + dt.timedelta(minutes=50)
    with write_transaction():
        record([_seen(registration_id, first, first_seen_at=later, last_seen_at=later)])
    with write_transaction():
        record([_seen(registration_id, first, first_seen_at=NINE, last_seen_at=NINE)])

    (row,) = _rows()
    assert (row.first_seen_at, row.last_seen_at) == (NINE, later)


def test_a_later_source_sets_the_status_and_keeps_known_minutes(app):
    registration_id, (first, second) = _setting(app)
    with write_transaction():
        record(
            [
                _seen(registration_id, first, source=AttendanceSource.REPORT, minutes_attended=85),
                _seen(registration_id, second, source=AttendanceSource.REPORT, minutes_attended=5),
            ]
        )
    with write_transaction():
        record(
            [
                _seen(
                    registration_id,
                    first,
                    status=AttendanceStatus.EXCUSED,
                    source=AttendanceSource.STAFF,
                    reason="Arrêt maladie",
                )
            ]
        )

    first_row, second_row = _rows()
    assert first_row.status is AttendanceStatus.EXCUSED
    assert first_row.source is AttendanceSource.STAFF
    assert (first_row.reason, first_row.minutes_attended) == ("Arrêt maladie", 85)
    assert (second_row.status, second_row.minutes_attended) == (AttendanceStatus.PRESENT, 5)


def test_forgetting_an_undone_check_in(app):
    registration_id, (first, second) = _setting(app)
    with write_transaction():
        record([_seen(registration_id, first, source=AttendanceSource.CHECK_IN)])
    with write_transaction():
        assert forget(registration_id, first) is True
        assert forget(registration_id, second) is False
    assert _rows() == []
