"""Reading a directory CSV: decoding, columns, and the validation of every row.

Pure functions, no database: ``parse_directory`` says what each line contains
and what is wrong with it; ``members.services`` compares that with the directory
and applies it. A defect never stops the file: the value is dropped with a
warning, or the row is skipped with a reason, always citing the line.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import enum
import io
import re
import unicodedata
from collections.abc import Iterator

from babel.numbers import format_decimal

from instant_coorace.inputs import has_control_character
from instant_coorace.labels import DEPARTMENTS
from instant_coorace.members import fields
from instant_coorace.members.models import Membership, StructureKind
from instant_coorace.spreadsheets import restore

MAX_LENGTHS = {"name": 200, "address": 300, "city": 120}
MAX_IMPORT_ROWS = 5000
"""Lines of data a file may hold. The directory counts about fifty structures:
a file a hundred times larger is a mistake, and its preview nobody could read."""
PREVIEW_ROWS = 50
"""Lines of each kind (to create, duplicates, errors…) shown on a preview page."""

COLUMN_NAMES = {
    "name": ("nom", "nom_structure", "structure", "raison_sociale"),
    "kinds": ("types", "type", "type_structure", "types_structure"),
    "department": ("departement", "dept", "dep"),
    "address": ("adresse",),
    "postcode": ("code_postal", "cp", "codepostal"),
    "city": ("ville", "commune"),
    "phone": ("telephone", "tel"),
    "email": ("email", "e_mail", "mail", "courriel"),
    "notes": ("remarque", "remarques", "notes", "commentaire", "commentaires"),
    "membership": ("adhesion",),
}
"""Our field → the header names accepted for it (compared without case or accents)."""

REQUIRED_FIELDS = ("name", "kinds", "department", "postcode", "city")
EXPECTED_HEADER = "nom;types;departement;adresse;code_postal;ville;telephone;email;remarque"

FIELD_LABELS = {
    "name": "nom",
    "membership": "adhésion",
    "kinds": "types",
    "department": "département",
    "address": "adresse",
    "postcode": "code postal",
    "city": "ville",
    "phone": "téléphone",
    "email": "email",
    "notes": "remarque",
}

MEMBERSHIP_WORDS = {
    "adherent": Membership.MEMBER,
    "adherente": Membership.MEMBER,
    "membre": Membership.MEMBER,
    "partenaire": Membership.PARTNER,
}


class ImportFileError(ValueError):
    """The whole file is unusable; ``message`` says why, in French."""

    http_status = 422

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooManyRows(ImportFileError):
    http_status = 413

    def __init__(self) -> None:
        limit = _number(MAX_IMPORT_ROWS)
        super().__init__(
            f"Le fichier compte plus de {limit} lignes : un import en accepte {limit} au plus. "
            "Vérifiez qu'il s'agit bien de l'annuaire, ou découpez-le en plusieurs fichiers."
        )


def _number(value: int) -> str:
    return format_decimal(value, locale="fr_FR")


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"


@dataclasses.dataclass(frozen=True)
class StructureRow:
    """One valid line. Empty strings (or no kinds) mean « nothing usable »:
    they are stored on creation but never erase an existing value."""

    line: int
    name: str
    postcode: str
    kinds: tuple[StructureKind, ...] = ()
    department: str = ""
    address: str = ""
    city: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""
    membership: Membership | None = None
    warnings: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return fields.identity_key(self.name, self.postcode)


@dataclasses.dataclass(frozen=True)
class RowReport:
    """What happened (or would happen) to one line of the file."""

    line: int
    name: str
    outcome: Outcome
    details: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    duplicate: bool = False

    @property
    def kind(self) -> str:
        """How a preview groups it: its outcome, duplicates apart from other skips."""
        return "duplicate" if self.duplicate else self.outcome.value


@dataclasses.dataclass(frozen=True)
class ReportExcerpt:
    """The lines a page shows, and how many of each kind it leaves out."""

    rows: tuple[RowReport, ...]
    hidden: dict[str, int]


@dataclasses.dataclass(frozen=True)
class ParsedDirectory:
    rows: tuple[StructureRow, ...]
    skipped: tuple[RowReport, ...]
    ignored_columns: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class ImportReport:
    """The line-by-line account of an import; ``applied`` is False for a preview."""

    rows: tuple[RowReport, ...]
    applied: bool
    ignored_columns: tuple[str, ...] = ()

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome is outcome)

    @property
    def counts(self) -> dict[Outcome, int]:
        return {outcome: self.count(outcome) for outcome in Outcome}

    @property
    def warning_count(self) -> int:
        return sum(len(row.warnings) for row in self.rows)

    def line(self, number: int) -> RowReport:
        return next(row for row in self.rows if row.line == number)

    @property
    def duplicate_count(self) -> int:
        return sum(1 for row in self.rows if row.duplicate)

    @property
    def error_count(self) -> int:
        return self.count(Outcome.SKIPPED) - self.duplicate_count

    @property
    def valid_count(self) -> int:
        return len(self.rows) - self.count(Outcome.SKIPPED)

    def excerpt(self, per_kind: int = PREVIEW_ROWS) -> ReportExcerpt:
        """The first ``per_kind`` lines of each kind, in file order: a page stays
        readable whatever the file, and the counts tell the rest."""
        seen: dict[str, int] = {}
        shown = []
        for row in self.rows:
            seen[row.kind] = seen.get(row.kind, 0) + 1
            if seen[row.kind] <= per_kind:
                shown.append(row)
        hidden = {kind: count - per_kind for kind, count in seen.items() if count > per_kind}
        return ReportExcerpt(tuple(shown), hidden)


_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
SAVE_AS_CSV = (
    "enregistrez-le en « CSV UTF-8 » ou « CSV (séparateur : point-virgule) » depuis votre tableur."
)


def decode(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 (with or without BOM), UTF-16 or UTF-32
    with BOM, or Windows-1252 as French Excel writes it. Anything else, such as a
    truncated UTF-16 file or a binary one, is refused with a reason."""
    text = _decoded(data)
    # Control characters (the shared input rule's) that no spreadsheet writes in a CSV.
    if has_control_character(text.replace("\r", ""), multi_line=True):
        raise ImportFileError(
            "Ce fichier n'est pas un tableau CSV (il contient des caractères de contrôle) : "
            + SAVE_AS_CSV
        )
    return text


def _decoded(data: bytes) -> str:
    for mark, codec, name in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as error:
                raise ImportFileError(
                    f"Le fichier se déclare en {name} mais son contenu est incomplet ou abîmé : "
                    + SAVE_AS_CSV
                ) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if _reads_as_utf8_elsewhere(data):
            line = data[: error.start].count(b"\n") + 1
            raise ImportFileError(
                f"Le fichier est en UTF-8, mais la ligne {line} contient un caractère abîmé "
                "(un octet qui n'est pas de l'UTF-8) : corrigez cette ligne, ou " + SAVE_AS_CSV
            ) from error
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ImportFileError("Encodage du fichier non reconnu : " + SAVE_AS_CSV) from error


def _reads_as_utf8_elsewhere(data: bytes) -> bool:
    """Whether a file that is not valid UTF-8 still holds UTF-8 accented letters
    (« é » written as two bytes): then it is UTF-8 with a damaged byte, and
    reading it as Windows-1252 would turn every accent of the file into « Ã© »."""
    return any(
        character > "\x7f" and character != "\ufffd"
        for character in data.decode("utf-8", errors="replace")
    )


def parse_directory(text: str) -> ParsedDirectory:
    """Validate every line of a directory CSV; raise ``ImportFileError`` only
    when the file as a whole cannot be read (no header, a required column missing)."""
    text = text.removeprefix("\ufeff")
    header_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(header_line))
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise _unreadable(1) from error
    if not header or not any(cell.strip() for cell in header):
        raise ImportFileError("Le fichier est vide : la première ligne doit nommer les colonnes.")
    columns, ignored = _map_columns(header)

    rows: list[StructureRow] = []
    skipped: list[RowReport] = []
    first_line_of: dict[tuple[str, str], StructureRow] = {}
    email_owner: dict[str, StructureRow] = {}
    for count, (line, cells) in enumerate(_records(reader), start=1):
        if count > MAX_IMPORT_ROWS:
            raise TooManyRows()
        values = {field: _cell(cells, index) for field, index in columns.items()}
        extra = [cell for cell in cells[len(header) :] if cell.strip()]
        row, reasons = _validate(line, values, extra)
        if row is None:
            skipped.append(RowReport(line, values.get("name", ""), Outcome.SKIPPED, reasons))
            continue
        original = first_line_of.get(row.key)
        if original is not None:
            skipped.append(_duplicate(row, original))
            continue
        first_line_of[row.key] = row
        row = _warn_shared_email(row, email_owner)
        rows.append(row)
    return ParsedDirectory(tuple(rows), tuple(skipped), tuple(ignored))


def _delimiter(header_line: str) -> str:
    """The separator the header uses most: « ; » (French Excel), « , » or a tab."""
    return max((";", ",", "\t"), key=header_line.count)


def _header_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.strip().casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return re.sub(r"[^a-z0-9]+", "_", plain).strip("_")


def _map_columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    by_name = {alias: field for field, aliases in COLUMN_NAMES.items() for alias in aliases}
    columns: dict[str, int] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        field = by_name.get(_header_key(name))
        if field is None:
            if name.strip():
                ignored.append(name.strip())
        elif field in columns:
            raise ImportFileError(f"La colonne « {name.strip()} » apparaît deux fois.")
        else:
            columns[field] = index
    missing = [COLUMN_NAMES[field][0] for field in REQUIRED_FIELDS if field not in columns]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise ImportFileError(
            f"Colonne{plural} obligatoire{plural} manquante{plural} : {', '.join(missing)}. "
            f"La première ligne doit nommer les colonnes : {EXPECTED_HEADER} "
            f"(trouvé : {';'.join(cell.strip() for cell in header)})."
        )
    return columns, ignored


def _records(reader) -> Iterator[tuple[int, list[str]]]:
    """Non-blank records with the line where each starts (quoted cells may span lines)."""
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _unreadable(start) from error
        if any(cell.strip() for cell in cells):
            yield start, cells


def _unreadable(line: int) -> ImportFileError:
    return ImportFileError(
        f"Ligne {line} illisible : une cellule dépasse {_number(csv.field_size_limit())} "
        "caractères, ou un guillemet ouvert n'est jamais refermé."
    )


def _cell(cells: list[str], index: int) -> str:
    """The cell's text, without the apostrophe our exports put before a formula."""
    value = cells[index].strip() if index < len(cells) else ""
    return restore(value)


def _validate(
    line: int, values: dict[str, str], extra: list[str]
) -> tuple[StructureRow | None, tuple[str, ...]]:
    if any(has_control_character(cell, multi_line=True) for cell in (*values.values(), *extra)):
        return None, ("caractère invisible non autorisé",)
    name = fields.collapse_spaces(values["name"])
    if not name:
        return None, ("nom manquant",)
    if len(name) > MAX_LENGTHS["name"]:
        return None, (f"nom trop long ({len(name)} caractères, {MAX_LENGTHS['name']} au plus)",)
    warnings: list[str] = []
    if extra:
        warnings.append(
            f"{len(extra)} cellule(s) au-delà des colonnes ignorée(s) : « {' ; '.join(extra)} »"
        )
    postcode = _checked(warnings, "code postal", values["postcode"], fields.normalise_postcode)
    department = _department(warnings, values["department"], postcode)
    row = StructureRow(
        line=line,
        name=name,
        postcode=postcode,
        kinds=_kinds(warnings, values["kinds"]),
        department=department,
        address=_bounded(warnings, "address", values.get("address", "")),
        city=_bounded(warnings, "city", values["city"]),
        phone=_checked(warnings, "téléphone", values.get("phone", ""), fields.normalise_phone),
        email=_checked(warnings, "email", values.get("email", ""), fields.normalise_email),
        notes=values.get("notes", ""),
        membership=_membership(warnings, values.get("membership", "")),
        warnings=(),
    )
    return dataclasses.replace(row, warnings=tuple(warnings)), ()


def _checked(warnings: list[str], label: str, raw: str, normalise) -> str:
    try:
        return normalise(raw)
    except fields.InvalidValue as error:
        suffix = f" ({error.expected})" if error.expected else ""
        warnings.append(f"{label} « {raw} » invalide{suffix}, laissé vide")
        return ""


def _bounded(warnings: list[str], field: str, raw: str) -> str:
    value = fields.collapse_spaces(raw)
    if len(value) > MAX_LENGTHS[field]:
        warnings.append(
            f"{FIELD_LABELS[field]} trop long ({len(value)} caractères, "
            f"{MAX_LENGTHS[field]} au plus), laissé vide"
        )
        return ""
    return value


def _kinds(warnings: list[str], raw: str) -> tuple[StructureKind, ...]:
    words = [word for word in re.split(r"[\s/,;+&-]+", raw.upper()) if word]
    if not words:
        warnings.append("type manquant : structure importée sans type")
    known = [kind.value for kind in StructureKind]
    for word in words:
        if word not in known:
            warnings.append(f"type « {word} » inconnu, ignoré (types connus : {', '.join(known)})")
    return tuple(StructureKind(word) for word in dict.fromkeys(words) if word in known)


def _department(warnings: list[str], raw: str, postcode: str) -> str:
    department = raw.strip().upper()
    if len(department) == 1 and department.isdigit():
        department = "0" + department
    if department and not fields.DEPARTMENT_CODE.fullmatch(department):
        warnings.append(f"département « {raw} » invalide, laissé vide")
        department = ""
    if not department:
        if postcode:
            department = fields.department_of_postcode(postcode)
            warnings.append(f"département manquant, déduit du code postal : {department}")
        else:
            warnings.append("département manquant")
        return department
    if department not in DEPARTMENTS:
        warnings.append(f"département « {department} » hors Occitanie")
    if postcode and fields.department_of_postcode(postcode) != department:
        warnings.append(
            f"département « {department} » incohérent avec le code postal « {postcode} »"
        )
    return department


def _membership(warnings: list[str], raw: str) -> Membership | None:
    word = _header_key(raw)
    if not word:
        return None
    if word not in MEMBERSHIP_WORDS:
        warnings.append(f"adhésion « {raw} » inconnue (adhérente ou partenaire), ignorée")
    return MEMBERSHIP_WORDS.get(word)


def _duplicate(row: StructureRow, original: StructureRow) -> RowReport:
    differences = [
        f"{FIELD_LABELS[field]} « {getattr(row, field)} »"
        for field in ("address", "city", "phone", "email", "department", "notes")
        if getattr(row, field) and getattr(row, field) != getattr(original, field)
    ]
    reasons = [
        f"doublon de la ligne {original.line} ({original.name}, même nom et même code postal)"
    ]
    if differences:
        reasons.append("valeurs différentes non importées : " + ", ".join(differences))
    return RowReport(
        row.line, row.name, Outcome.SKIPPED, tuple(reasons), row.warnings, duplicate=True
    )


def _warn_shared_email(row: StructureRow, email_owner: dict[str, StructureRow]) -> StructureRow:
    if not row.email:
        return row
    owner = email_owner.setdefault(row.email.casefold(), row)
    if owner is row:
        return row
    warning = (
        f"même email que la ligne {owner.line} ({owner.name}, "
        f"{owner.postcode or 'sans code postal'}) : deux établissements à vérifier"
    )
    return dataclasses.replace(row, warnings=(*row.warnings, warning))
