"""Who came, per event and per session, and the files the team downloads."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from html.parser import HTMLParser

import openpyxl
from sqlalchemy import select

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.attendance.records import Observation, record
from instant_coorace.audit.models import AuditAction, AuditEntry
from instant_coorace.events.models import EventFormat, EventKind
from instant_coorace.extensions import db
from instant_coorace.formatting import to_paris
from instant_coorace.registrations import services
from instant_coorace.transactions import write_transaction
from tests.builders import applicant, make_event, make_structure


def _training():
    """Two half-days, four confirmed trainees, one cancelled; attendance taken at
    the first half-day only: two present (85 and 170 minutes), one excused."""
    event = make_event(
        "Formation « Manager en SIAE »",
        kind=EventKind.FORMATION,
        event_format=EventFormat.IN_PERSON,
        sessions=2,
        duration=dt.timedelta(hours=3),
    )
    structure = make_structure("Régie de quartier Béziers")
    ids = [
        services.register(event.id, applicant(n, structure, last_name=name)).registration_id
        for n, name in enumerate(("Arnaud", "Bernard", "Chevalier", "Dumas"), start=1)
    ]
    cancelled = services.register(event.id, applicant(9, last_name="Zidane")).registration_id
    services.cancel(cancelled)
    first = event.sessions[0].id
    with write_transaction():
        record(
            [
                _seen(ids[0], first, AttendanceStatus.PRESENT, minutes_attended=85),
                _seen(ids[1], first, AttendanceStatus.PRESENT, minutes_attended=170),
                _seen(ids[2], first, AttendanceStatus.EXCUSED, reason="Arrêt maladie"),
            ]
        )
    return event, ids


def _seen(registration_id, session_id, status, **fields):
    return Observation(registration_id, session_id, status, AttendanceSource.REPORT, **fields)


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(page: str) -> list[list[str]]:
    """The cells of the page's first table, row by row, as a person reads them."""
    parser = _Cells()
    parser.feed(page.split("</table>")[0])
    return parser.rows


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_overview_counts_each_session_and_says_when_attendance_was_not_taken(app, staff_client):
    event, _ids = _training()

    page = _text(staff_client.get(f"/gestion/evenements/{event.id}/presences"))
    _header, first, second, total = table_rows(page)
    assert first[1:] == ["4", "2", "0", "1", "1", "50 %", "255 min"]
    assert second[1:] == ["4", "Présence non relevée"]
    assert total[1:] == first[1:]  # the half-day not taken is left out
    words = " ".join(re.sub(r"<[^>]+>", "", page).split())
    assert "2 personnes venues à au moins une session" in words
    assert "50 % de présence sur les sessions relevées" in words

    session = _text(
        staff_client.get(f"/gestion/evenements/{event.id}/presences/{event.sessions[0].id}")
    )
    assert "Arrêt maladie" in session and "<td>Non venu·e</td>" in session
    assert "Zidane" not in session  # cancelled, nothing recorded
    untaken = _text(
        staff_client.get(f"/gestion/evenements/{event.id}/presences/{event.sessions[1].id}")
    )
    assert "<td>Non venu·e</td>" not in untaken and "Non relevée" in untaken


def test_staff_mark_someone_excused_with_a_reason_or_absent(app, staff_client):
    event, ids = _training()
    session = event.sessions[0]
    url = f"/gestion/evenements/{event.id}/presences/{session.id}/{ids[3]}"

    assert staff_client.get(url).status_code == 200
    refused = staff_client.post(url, data={"status": "excused", "reason": "  "})
    assert refused.status_code == 422
    assert "Indiquez le motif de l'absence excusée." in _text(refused)
    assert _row(ids[3], session.id) is None
    bogus = staff_client.post(url, data={"status": "present", "reason": ""})
    assert bogus.status_code == 422 and _row(ids[3], session.id) is None

    done = staff_client.post(url, data={"status": "excused", "reason": "Formation annulée"})
    assert done.status_code == 303
    row = _row(ids[3], session.id)
    assert (row.status, row.source, row.reason) == (
        AttendanceStatus.EXCUSED,
        AttendanceSource.STAFF,
        "Formation annulée",
    )
    assert row.recorded_by_id is not None

    staff_client.post(url, data={"status": "absent", "reason": ""})
    assert _row(ids[3], session.id).status is AttendanceStatus.ABSENT
    other_event = make_event()
    assert (
        staff_client.get(f"/gestion/evenements/{other_event.id}/presences/{session.id}/{ids[3]}")
    ).status_code == 404


def test_the_csv_opens_in_french_excel_and_is_audited(app, staff_client):
    event, _ids = _training()

    response = staff_client.get(f"/gestion/evenements/{event.id}/presences.csv")

    assert response.mimetype == "text/csv"
    assert f"presences-{event.slug}.csv" in response.headers["Content-Disposition"]
    data = response.data
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Nom", "Prénom", "E-mail", "Structure"]
    assert len(rows) == 1 + 4 * 2
    arnaud = rows[1]
    start = to_paris(event.sessions[0].starts_at).strftime("%d/%m/%Y %H:%M")
    assert arnaud[:5] == [
        "Arnaud",
        "Camille",
        "personne1@adherent.example.org",
        "Régie de quartier Béziers",
        start,
    ]
    assert arnaud[6:9] == ["Présent·e", "85", "Rapport de visio importé"]
    presence = [(row[0], row[4] == start, row[6], row[9]) for row in rows[1:]]
    assert ("Chevalier", True, "Excusé·e", "Arrêt maladie") in presence
    assert ("Dumas", True, "Non venu·e", "") in presence
    assert ("Dumas", False, "Présence non relevée", "") in presence
    assert _audited() == ["csv"]


def test_the_xlsx_holds_real_numbers_and_dates_and_is_audited(app, staff_client):
    event, ids = _training()
    with write_transaction():
        record([_seen(ids[3], event.sessions[0].id, AttendanceStatus.ABSENT, reason="=1+1")])

    response = staff_client.get(f"/gestion/evenements/{event.id}/presences.xlsx")

    book = openpyxl.load_workbook(io.BytesIO(response.data))
    rows = list(book["Présences"].iter_rows(values_only=True))
    assert rows[1][0] == "Arnaud"
    assert rows[1][4] == to_paris(event.sessions[0].starts_at).replace(tzinfo=None)
    assert rows[1][7] == 85 and isinstance(rows[1][7], int)
    dumas = next(row for row in rows if row[0] == "Dumas")
    assert dumas[9] == "=1+1"  # text, not a formula
    summary = list(book["Synthèse"].iter_rows(values_only=True))
    assert summary[1][2:9] == (4, 2, 1, 1, 0, 0.5, 255)
    assert summary[2][7] == "Présence non relevée" and summary[2][3] is None
    assert _audited() == ["xlsx"]


def test_anonymous_visitors_get_neither_the_overview_nor_the_files(app, client):
    event, _ids = _training()
    for suffix in ("", ".csv", ".xlsx", f"/{event.sessions[0].id}"):
        response = client.get(f"/gestion/evenements/{event.id}/presences{suffix}")
        assert response.status_code == 302 and "/gestion/connexion" in response.headers["Location"]
    assert _audited() == []


def _row(registration_id, session_id):
    db.session.expire_all()
    return db.session.scalars(
        select(SessionAttendance).where(
            SessionAttendance.registration_id == registration_id,
            SessionAttendance.session_id == session_id,
        )
    ).one_or_none()


def _audited() -> list[str]:
    db.session.expire_all()
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.ATTENDANCE_EXPORTED)
    ).all()
    return [entry.details["format"] for entry in entries]
