"""The registrant list as a CSV file that French Excel opens as it is: UTF-8
with a byte order mark, semicolons, CRLF, dates as « 03/04/2025 10:00 » in
Paris time, and no cell that Excel could run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from instant_coorace import labels
from instant_coorace.audit import services as audit
from instant_coorace.audit.models import AuditAction
from instant_coorace.formatting import numeric_datetime
from instant_coorace.registrations import roster
from instant_coorace.registrations.models import RegistrationStatus
from instant_coorace.spreadsheets import neutralise
from instant_coorace.transactions import write_transaction

HEADERS = (
    "Nom",
    "Prénom",
    "E-mail",
    "Structure",
    "Département",
    "Type(s) de structure",
    "Fonction",
    "Statut",
    "Position en liste d'attente",
    "Inscrit·e le",
    "Source",
    "Besoins particuliers",
)
BOM = "\ufeff"
ROWS_PER_CHUNK = 500


def registrations_csv(event_id: int, status: RegistrationStatus | None = None) -> Iterator[str]:
    """The export, chunk by chunk, so that a large event is never held in memory;
    recorded in the audit log as it starts."""
    with write_transaction():
        audit.record(
            AuditAction.REGISTRANTS_EXPORTED, f"Événement n° {event_id}", details=_scope(status)
        )
    kinds = roster.structure_kinds_of_event(event_id)
    rows = (_cells(row, kinds) for row in roster.export_rows(event_id, status))
    yield BOM + _lines([HEADERS])
    chunk: list[tuple[str, ...]] = []
    for cells in rows:
        chunk.append(cells)
        if len(chunk) == ROWS_PER_CHUNK:
            yield _lines(chunk)
            chunk = []
    if chunk:
        yield _lines(chunk)


def _scope(status: RegistrationStatus | None) -> dict:
    return {"statut": status.value} if status else {}


def filename_for(slug: str) -> str:
    return f"inscrits-{slug}.csv"


def _cells(row: roster.ExportRow, kinds: dict[int, list]) -> tuple[str, ...]:
    department = row.department
    if department in labels.DEPARTMENTS:
        department = f"{department} – {labels.DEPARTMENTS[department]}"
    values = (
        row.last_name,
        row.first_name,
        row.email,
        row.structure_name or "",
        department,
        ", ".join(kinds.get(row.structure_id, [])),
        row.job_title,
        labels.REGISTRATION_STATUS[row.status],
        "" if row.waitlist_rank is None else str(row.waitlist_rank),
        numeric_datetime(row.created_at),
        labels.REGISTRATION_SOURCE[row.source],
        row.needs,
    )
    return tuple(neutralise(value) for value in values)


def _lines(rows: Iterable[tuple[str, ...]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()
