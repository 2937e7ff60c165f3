"""The member directory's use cases: search, edit, deactivate, import and export.

Each function that writes owns its transaction and commits once. An import
compares the parsed file (``members.importer``) with the directory, then either
reports what it would do (preview) or does exactly that in one transaction.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import secrets
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import Select, func, select, text

from instant_coorace.audit import services as audit
from instant_coorace.audit.models import AuditAction
from instant_coorace.extensions import db
from instant_coorace.labels import MEMBERSHIP
from instant_coorace.members.fields import identity_key
from instant_coorace.members.importer import (
    FIELD_LABELS,
    ImportReport,
    Outcome,
    ParsedDirectory,
    RowReport,
    StructureRow,
    decode,
    parse_directory,
)
from instant_coorace.members.models import Membership, Structure, StructureKind, StructureKindRow
from instant_coorace.pagination import Page, paginate
from instant_coorace.search import matches_word
from instant_coorace.spreadsheets import neutralise
from instant_coorace.transactions import write_transaction

#: Structures per page of the team's directory list.
DIRECTORY_PER_PAGE = 50

IMPORTABLE_FIELDS = (
    "name",
    "membership",
    "kinds",
    "department",
    "address",
    "city",
    "phone",
    "email",
    "notes",
)
"""Fields an import may change; the postcode is part of a structure's identity."""

STAGED_IMPORT_LIFETIME = 24 * 3600
_STAGED_TOKEN = re.compile(r"[0-9a-f]{32}")


class DirectoryError(Exception):
    message = "Cette opération sur l'annuaire n'est pas possible."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class StructureNotFound(DirectoryError):
    message = "Cette structure n'existe pas dans l'annuaire."


class DuplicateStructure(DirectoryError):
    message = "Une structure de même nom existe déjà avec ce code postal."


class StagedImportNotFound(DirectoryError):
    message = (
        "Ce fichier d'import n'est plus disponible (déjà importé ou trop ancien) : "
        "envoyez-le à nouveau."
    )


@dataclasses.dataclass(frozen=True)
class StructureFields:
    """A structure as the edit form describes it, already validated and normalised."""

    name: str
    membership: Membership
    kinds: tuple[StructureKind, ...]
    department: str = ""
    address: str = ""
    postcode: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""


@dataclasses.dataclass(frozen=True)
class DirectoryFilters:
    text: str = ""
    department: str = ""
    kind: StructureKind | None = None
    membership: Membership | None = None
    active: bool | None = None


# --- Reading -----------------------------------------------------------------


def search_structures(filters: DirectoryFilters) -> list[Structure]:
    """Every structure matching the filters, by name; kinds come in one more query."""
    return list(db.session.scalars(_directory_query(filters)))


def directory_page(filters: DirectoryFilters, page: int) -> Page[Structure]:
    """One page of ``search_structures``."""
    return paginate(_directory_query(filters), page, DIRECTORY_PER_PAGE)


def _directory_query(filters: DirectoryFilters) -> Select:
    query = select(Structure).order_by(
        func.ic_fold(Structure.name), Structure.postcode, Structure.id
    )
    for word in filters.text.split():
        query = query.where(matches_word(word, Structure.name, Structure.city, Structure.email))
    if filters.department:
        query = query.where(Structure.department == filters.department)
    if filters.kind is not None:
        query = query.where(Structure.kind_rows.any(StructureKindRow.kind == filters.kind))
    if filters.membership is not None:
        query = query.where(Structure.membership == filters.membership)
    if filters.active is not None:
        query = query.where(Structure.active.is_(filters.active))
    return query


def get_structure(structure_id: int) -> Structure:
    structure = db.session.get(Structure, structure_id)
    if structure is None:
        raise StructureNotFound()
    return structure


# --- Editing -----------------------------------------------------------------


def create_structure(values: StructureFields) -> Structure:
    with write_transaction():
        _refuse_duplicate(values, structure_id=None)
        structure = Structure(active=True)
        _assign(structure, values)
        db.session.add(structure)
    return structure


def update_structure(structure_id: int, values: StructureFields) -> Structure:
    with write_transaction():
        structure = get_structure(structure_id)
        _refuse_duplicate(values, structure_id=structure_id)
        _assign(structure, values)
    return structure


def set_structure_active(structure_id: int, active: bool) -> Structure:
    """Deactivated structures stay in the directory (past registrations keep
    them) but are no longer offered on the public registration form."""
    with write_transaction():
        structure = get_structure(structure_id)
        structure.active = active
    return structure


def _assign(structure: Structure, values: StructureFields) -> None:
    for field in dataclasses.fields(values):
        setattr(structure, field.name, getattr(values, field.name))
    structure.kinds = list(values.kinds)


def _refuse_duplicate(values: StructureFields, structure_id: int | None) -> None:
    wanted = identity_key(values.name, values.postcode)
    query = select(Structure).where(Structure.postcode == values.postcode)
    if structure_id is not None:
        query = query.where(Structure.id != structure_id)
    if any(
        identity_key(other.name, other.postcode) == wanted for other in db.session.scalars(query)
    ):
        raise DuplicateStructure()


# --- Importing ---------------------------------------------------------------


def import_structures_from_csv(text: str, *, dry_run: bool = False) -> ImportReport:
    """Import a directory CSV given as text (the demo loader and the CLI use it).

    Raises ``importer.ImportFileError`` when the file as a whole is unusable;
    nothing is written then, nor when ``dry_run`` is set.
    """
    parsed = parse_directory(text)
    return preview_import(parsed) if dry_run else apply_import(parsed)


def preview_import(parsed: ParsedDirectory) -> ImportReport:
    """What ``apply_import`` would do with this file now, without writing anything."""
    return _report(_plan(parsed, _all_structures()), parsed, applied=False)


def apply_import(parsed: ParsedDirectory) -> ImportReport:
    """Create and update structures in one transaction: every valid row fully
    applied, every skipped row untouched, all or nothing if the database fails."""
    with write_transaction():
        _lock_directory()
        plan = _plan(parsed, _all_structures())
        for step in plan:
            if step.report.outcome is Outcome.CREATED:
                structure = Structure(postcode=step.row.postcode, active=True)
                _apply_row(structure, step.row, IMPORTABLE_FIELDS)
                db.session.add(structure)
            elif step.report.outcome is Outcome.UPDATED:
                _apply_row(step.structure, step.row, step.changes)
        report = _report(plan, parsed, applied=True)
        counts = {outcome.value: count for outcome, count in report.counts.items()}
        audit.record(AuditAction.DIRECTORY_IMPORTED, details=counts)
    return report


@dataclasses.dataclass(frozen=True)
class _Step:
    report: RowReport
    row: StructureRow
    structure: Structure | None = None
    changes: tuple[str, ...] = ()


def _all_structures() -> list[Structure]:
    return list(db.session.scalars(select(Structure).order_by(Structure.id)))


def _lock_directory() -> None:
    """Hold the directory's write lock, so two imports of the same file cannot
    both create a structure. On SQLite the writing transaction already holds
    the database's only write lock."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("LOCK TABLE structure IN SHARE ROW EXCLUSIVE MODE"))


def _plan(parsed: ParsedDirectory, existing: list[Structure]) -> list[_Step]:
    by_key: dict[tuple[str, str], list[Structure]] = defaultdict(list)
    by_email: dict[str, Structure] = {}
    for structure in existing:
        by_key[identity_key(structure.name, structure.postcode)].append(structure)
        if structure.email:
            by_email.setdefault(structure.email.casefold(), structure)
    keys_in_file = {row.key for row in parsed.rows}
    steps = []
    for row in parsed.rows:
        matches = by_key.get(row.key, [])
        warnings = list(row.warnings)
        email_owner = by_email.get(row.email.casefold()) if row.email else None
        if email_owner is not None and identity_key(email_owner.name, email_owner.postcode) not in (
            keys_in_file
        ):
            warnings.append(
                f"email déjà utilisé dans l'annuaire par « {email_owner.name} » "
                f"({email_owner.postcode or 'sans code postal'})"
            )
        steps.append(_step_for(row, matches, tuple(warnings)))
    return steps


def _step_for(row: StructureRow, matches: list[Structure], warnings: tuple[str, ...]) -> _Step:
    if not matches:
        return _Step(RowReport(row.line, row.name, Outcome.CREATED, (), warnings), row)
    if len(matches) > 1:
        reason = (
            f"{len(matches)} structures de l'annuaire ont ce nom et ce code postal : "
            "fusionnez-les avant d'importer cette ligne"
        )
        return _Step(RowReport(row.line, row.name, Outcome.SKIPPED, (reason,), warnings), row)
    structure = matches[0]
    if not structure.active:
        warnings = (*warnings, "structure désactivée dans l'annuaire : elle le reste")
    changes = tuple(field for field in IMPORTABLE_FIELDS if _differs(structure, row, field))
    if not changes:
        return _Step(RowReport(row.line, row.name, Outcome.UNCHANGED, (), warnings), row, structure)
    details = tuple(
        f"{FIELD_LABELS[field]} : « {_shown(getattr(structure, field))} » → "
        f"« {_shown(getattr(row, field))} »"
        for field in changes
    )
    return _Step(
        RowReport(row.line, row.name, Outcome.UPDATED, details, warnings), row, structure, changes
    )


def _differs(structure: Structure, row: StructureRow, field: str) -> bool:
    """A row changes a field only with a usable value: empty or invalid cells
    never erase what the directory holds."""
    new = getattr(row, field)
    if field == "kinds":
        return bool(new) and set(new) != set(structure.kinds)
    return new not in ("", None) and new != getattr(structure, field)


def _shown(value) -> str:
    if isinstance(value, Membership):
        return MEMBERSHIP[value]
    if isinstance(value, list | tuple):
        return "/".join(value)
    return str(value)


def _apply_row(structure: Structure, row: StructureRow, changed: tuple[str, ...]) -> None:
    for field in changed:
        value = getattr(row, field)
        if field == "kinds":
            structure.kinds = list(value)
        elif field == "membership":
            structure.membership = value or Membership.MEMBER
        else:
            setattr(structure, field, value)


def _report(plan: list[_Step], parsed: ParsedDirectory, *, applied: bool) -> ImportReport:
    rows = sorted([step.report for step in plan] + list(parsed.skipped), key=lambda r: r.line)
    return ImportReport(tuple(rows), applied, parsed.ignored_columns)


# --- Import through the back office: upload, preview, confirm ------------------


def stage_import(folder: Path, data: bytes) -> tuple[str, ImportReport]:
    """Keep an uploaded file server-side and preview it; the returned token is
    the only thing the confirmation form sends back."""
    report = preview_import(parse_directory(decode(data)))
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old_staged_imports(folder)
    token = secrets.token_hex(16)
    (folder / f"{token}.csv").write_bytes(data)
    return token, report


def preview_staged_import(folder: Path, token: str) -> ImportReport:
    return preview_import(parse_directory(decode(_staged_path(folder, token).read_bytes())))


def apply_staged_import(folder: Path, token: str) -> ImportReport:
    path = _staged_path(folder, token)
    report = apply_import(parse_directory(decode(path.read_bytes())))
    path.unlink(missing_ok=True)
    return report


def _staged_path(folder: Path, token: str) -> Path:
    path = folder / f"{token}.csv"
    if not _STAGED_TOKEN.fullmatch(token) or not path.is_file():
        raise StagedImportNotFound()
    return path


def _forget_old_staged_imports(folder: Path) -> None:
    deadline = time.time() - STAGED_IMPORT_LIFETIME
    for path in folder.glob("*.csv"):
        if path.stat().st_mtime < deadline:
            path.unlink(missing_ok=True)


# --- Exporting ---------------------------------------------------------------

EXPORT_HEADER = (
    "nom",
    "types",
    "departement",
    "adresse",
    "code_postal",
    "ville",
    "telephone",
    "email",
    "remarque",
    "adhesion",
    "statut",
)


def export_directory_csv(filters: DirectoryFilters) -> str:
    """The directory as French Excel opens it (BOM, « ; »), in the import's
    columns so that an export can be edited and imported back."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(EXPORT_HEADER)
    for structure in search_structures(filters):
        writer.writerow(
            neutralise(value)
            for value in (
                structure.name,
                "/".join(structure.kinds),
                structure.department,
                structure.address,
                structure.postcode,
                structure.city,
                structure.phone,
                structure.email,
                structure.notes,
                MEMBERSHIP[structure.membership].lower(),
                "active" if structure.active else "désactivée",
            )
        )
    return "\ufeff" + buffer.getvalue()
