"""An event's attendance as files: CSV for French Excel (UTF-8 with a byte
order mark, semicolons, CRLF, no cell read as a formula) and XLSX with real
numbers and dates. One row per person and session, then, in the XLSX, the
counts per session. Each export is recorded in the audit log: it holds
personal data."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from openpyxl import Workbook

from instant_coorace.attendance import overview, status_labels
from instant_coorace.audit import services as audit
from instant_coorace.audit.models import AuditAction
from instant_coorace.events.models import Event, EventSession
from instant_coorace.formatting import numeric_datetime, to_paris
from instant_coorace.spreadsheets import neutralise
from instant_coorace.transactions import write_transaction

HEADERS = (
    "Nom",
    "Prénom",
    "E-mail",
    "Structure",
    "Session",
    "Intitulé de la session",
    "Présence",
    "Minutes de présence",
    "Relevé par",
    "Motif",
)
SUMMARY_HEADERS = (
    "Session",
    "Intitulé de la session",
    "Inscrit·es",
    "Présent·es",
    "Absent·es",
    "Excusé·es",
    "Non venu·es",
    "Taux de présence",
    "Minutes de présence",
)
BOM = "\ufeff"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attendance_csv(event: Event) -> bytes:
    lines = _audited(event, "csv")
    sessions, taken = _sessions(event), _taken(lines)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for line in lines:
        session = sessions[line.session_id]
        cells = _cells(line, session, taken=line.session_id in taken)
        cells[4] = numeric_datetime(session.starts_at)
        cells[7] = "" if line.minutes is None else str(line.minutes)
        writer.writerow([neutralise(str(cell)) for cell in cells])
    return (BOM + buffer.getvalue()).encode("utf-8")


def attendance_xlsx(event: Event) -> bytes:
    lines = _audited(event, "xlsx")
    sessions, taken = _sessions(event), _taken(lines)
    book = Workbook()
    sheet = book.active
    sheet.title = "Présences"
    sheet.append(HEADERS)
    for line in lines:
        session = sessions[line.session_id]
        sheet.append(_cells(line, session, taken=line.session_id in taken))
        _as_text(sheet[sheet.max_row])
        sheet.cell(sheet.max_row, 5).number_format = "dd/mm/yyyy hh:mm"
    summary = book.create_sheet("Synthèse")
    summary.append(SUMMARY_HEADERS)
    for tallied in overview.event_overview(event).sessions:
        tally, session = tallied.tally, tallied.session
        summary.append(
            [
                _local(session),
                session.label,
                tally.registered,
                tally.present if tally.taken else None,
                tally.absent if tally.taken else None,
                tally.excused if tally.taken else None,
                tally.no_show if tally.taken else None,
                tally.rate if tally.taken else status_labels.NOT_TAKEN,
                tally.minutes if tally.taken else None,
            ]
        )
        summary.cell(summary.max_row, 1).number_format = "dd/mm/yyyy hh:mm"
        summary.cell(summary.max_row, 8).number_format = "0.0 %"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def filename_for(event: Event, extension: str) -> str:
    return f"presences-{event.slug}.{extension}"


def _audited(event: Event, kind: str) -> list[overview.AttendeeLine]:
    with write_transaction():
        audit.record(
            AuditAction.ATTENDANCE_EXPORTED,
            f"Événement n° {event.id} : {event.title}"[:300],
            details={"format": kind},
        )
    return overview.attendee_lines(event)


def _cells(line: overview.AttendeeLine, session: EventSession, *, taken: bool) -> list:
    if line.status is not None:
        presence = status_labels.STATUS[line.status]
    else:
        presence = status_labels.NO_SHOW if taken else status_labels.NOT_TAKEN
    return [
        line.last_name,
        line.first_name,
        line.email,
        line.organisation,
        _local(session),
        session.label,
        presence,
        line.minutes,
        status_labels.SOURCE[line.source] if line.source else "",
        line.reason,
    ]


def _local(session: EventSession):
    """The session's start as Paris wall-clock time, without zone (what a
    spreadsheet cell holds)."""
    return to_paris(session.starts_at).replace(tzinfo=None)


def _sessions(event: Event) -> dict[int, EventSession]:
    return {session.id: session for session in event.sessions}


def _taken(lines: Iterable[overview.AttendeeLine]) -> set[int]:
    """The sessions where attendance was taken."""
    return {line.session_id for line in lines if line.status is not None}


def _as_text(cells) -> None:
    """openpyxl stores a string starting with « = » as a formula: a name or a
    reason typed that way stays text."""
    for cell in cells:
        if cell.data_type == "f":
            cell.data_type = "s"
