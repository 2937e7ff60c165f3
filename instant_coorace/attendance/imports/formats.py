"""The attendance reports we read, recognised from their content (never the
file name), each read into the same ``Attendee`` rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence

from instant_coorace.attendance.imports.reading import ImportRefused, decode, rows
from instant_coorace.attendance.imports.values import duration_seconds, folded, moment, name_key

Rows = list[list[str]]

ACCEPTED = (
    "rapport des participants d'une réunion Zoom",
    "rapport des participants d'un webinaire Zoom (« Attendee Report »)",
    "rapport de présence d'une réunion Microsoft Teams, en anglais ou en français",
    "rapport de présence Google Meet",
)
"""What the refusal of an unknown file names, in French."""

_ORGANISER_ROLES = {"organizer", "organiser", "co-organizer", "organisateur", "coorganisateur",
                    "co-organisateur", "host", "co-host", "hote", "co-hote"}  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Attendee:
    """One row of a report: someone seen once (a person who rejoined has several)."""

    line: int
    name: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    joined: dt.datetime | None = None
    left: dt.datetime | None = None
    #: Time attended as the report says, when it gives no join and leave times.
    seconds: int | None = None
    organiser: bool = False
    #: Why the row could not be read (a truncated line, a date we cannot read).
    problem: str = ""


@dataclasses.dataclass(frozen=True)
class Report:
    format_name: str
    attendees: list[Attendee]


def read_report(data: bytes, near: dt.datetime) -> Report:
    """The report in ``data``; ``near`` (the event's start) tells day from month."""
    table = rows(decode(data))
    for format_name, recognises, read in _FORMATS:
        if recognises(table):
            attendees = read(table, near)
            if not attendees:
                raise ImportRefused(
                    f"Ce {format_name} ne contient aucun participant : "
                    "le fichier est peut-être tronqué."
                )
            return Report(format_name, attendees)
    raise ImportRefused(
        "Ce fichier n'est pas un rapport de présence que nous savons lire. "
        "Formats acceptés : " + " ; ".join(ACCEPTED) + " (CSV, ou le même fichier ré-enregistré "
        "par Excel)."
    )


class _Header:
    """A header row: the position of each column, found by any of its names."""

    def __init__(self, cells: Sequence[str], line: int) -> None:
        self.line = line
        self.width = len(cells)
        self.positions = {folded(cell): index for index, cell in enumerate(cells) if cell}

    def has(self, *names: str) -> bool:
        return self.position(*names) is not None

    def position(self, *names: str) -> int | None:
        for name in names:
            if (index := self.positions.get(folded(name))) is not None:
                return index
        return None

    def cell(self, row: Sequence[str], *names: str) -> str:
        index = self.position(*names)
        return row[index] if index is not None and index < len(row) else ""


def _first_cell(row: Sequence[str]) -> str:
    return folded(row[0]) if row else ""


def _attendee(header: _Header, row: list[str], line: int, near: dt.datetime, *,
              name: str, email: str, joined: str, left: str, seconds: int | None,
              organiser: bool, first_name: str = "", last_name: str = "") -> Attendee:  # fmt: skip
    """A row made into an ``Attendee``, or one that says what is wrong with it."""
    problem = ""
    if len([cell for cell in row if cell]) < min(3, header.width) or len(row) < header.width - 1:
        problem = "ligne incomplète (fichier tronqué ?)"
    joined_at, left_at = moment(joined, near), moment(left, near)
    if not problem and ((joined and joined_at is None) or (left and left_at is None)):
        problem = f"date illisible : « {joined if joined_at is None else left} »"
    if not problem and joined_at and left_at and left_at < joined_at:
        problem = "l'heure de départ précède l'heure d'arrivée"
    if not problem and not (name or email or first_name or last_name):
        problem = "ni nom ni adresse e-mail"
    return Attendee(
        line=line,
        name=name or f"{first_name} {last_name}".strip(),
        email=email.strip(),
        first_name=first_name,
        last_name=last_name,
        joined=joined_at,
        left=left_at,
        seconds=seconds,
        organiser=organiser,
        problem=problem,
    )


# --- Microsoft Teams ---------------------------------------------------------

_TEAMS_SECTIONS = {
    "summary": ("1. summary", "1. resume"),
    "participants": ("2. participants",),
    "activities": ("3. in-meeting activities", "3. activites pendant la reunion"),
}


def _teams_section(row: Sequence[str]) -> str | None:
    first = _first_cell(row)
    for section, titles in _TEAMS_SECTIONS.items():
        if first in titles:
            return section
    return None


def _is_teams(table: Rows) -> bool:
    found = {_teams_section(row) for row in table}
    return "summary" in found and "participants" in found


def _read_teams(table: Rows, near: dt.datetime) -> list[Attendee]:
    """From the « In-Meeting Activities » (every join and leave) when the report
    has them, else from the « Participants » (first join, last leave)."""
    starts = {_teams_section(row): index for index, row in enumerate(table)}
    section = "activities" if "activities" in starts else "participants"
    header, data = _section_rows(table, starts[section] + 1, _teams_section)
    if header is None:
        return []
    attendees = []
    for line, row in data:
        attendees.append(
            _attendee(
                header, row, line, near,
                name=header.cell(row, "Name", "Nom", "Nom complet", "Full Name"),
                email=header.cell(row, "Email", "E-mail", "Adresse e-mail", "Courrier"),
                joined=header.cell(row, "Join Time", "Heure d'arrivée", "First Join",
                                   "Première arrivée", "Première connexion"),
                left=header.cell(row, "Leave Time", "Heure de départ", "Last Leave",
                                 "Dernier départ", "Dernière déconnexion"),
                seconds=duration_seconds(header.cell(row, "Duration", "Durée",
                                                     "In-Meeting Duration", "Durée de la réunion")),
                organiser=folded(header.cell(row, "Role", "Rôle")) in _ORGANISER_ROLES,
            )
        )  # fmt: skip
    return attendees


def _section_rows(
    table: Rows, start: int, ends_section: Callable[[Sequence[str]], object]
) -> tuple[_Header | None, list[tuple[int, list[str]]]]:
    """The header after ``start`` and the rows under it, up to a blank line or
    the next section; each row with its line number in the file."""
    index = start
    while index < len(table) and not any(table[index]):
        index += 1
    if index >= len(table):
        return None, []
    header = _Header(table[index], index + 1)
    data = []
    for number in range(index + 1, len(table)):
        row = table[number]
        if not any(row) or ends_section(row):
            break
        data.append((number + 1, row))
    return header, data


# --- Zoom --------------------------------------------------------------------

_ZOOM_SECTIONS = ("host details", "panelist details", "attendee details", "other attended")


def _is_zoom_webinar(table: Rows) -> bool:
    return any(_first_cell(row) in ("attendee report", "attendee details") for row in table)


def _read_zoom_webinar(table: Rows, near: dt.datetime) -> list[Attendee]:
    """Hosts and panelists are the organisers; attendees who did not come say ``No``."""
    attendees = []
    for index, row in enumerate(table):
        section = _first_cell(row)
        if section not in _ZOOM_SECTIONS:
            continue
        header, data = _section_rows(table, index + 1, lambda r: _first_cell(r) in _ZOOM_SECTIONS)
        if header is None or not header.has("Join Time"):
            continue
        for line, cells in data:
            came = folded(header.cell(cells, "Attended")) not in ("no", "non")
            attendees.append(
                _attendee(
                    header, cells, line, near,
                    name=header.cell(cells, "User Name (Original Name)", "User Name", "Name"),
                    first_name=header.cell(cells, "First Name"),
                    last_name=header.cell(cells, "Last Name"),
                    email=header.cell(cells, "Email", "User Email"),
                    joined=header.cell(cells, "Join Time") if came else "",
                    left=header.cell(cells, "Leave Time") if came else "",
                    seconds=duration_seconds(header.cell(cells, "Time in Session (minutes)"))
                    if came else 0,
                    organiser=section in ("host details", "panelist details"),
                )
            )  # fmt: skip
    return attendees


def _zoom_meeting_header(table: Rows) -> int | None:
    for index, row in enumerate(table):
        header = _Header(row, index + 1)
        if (
            header.has("Join Time")
            and header.has("Leave Time")
            and header.has("Name (Original Name)", "Name", "User Name")
        ):
            return index
    return None


def _is_zoom_meeting(table: Rows) -> bool:
    return _zoom_meeting_header(table) is not None


def _read_zoom_meeting(table: Rows, near: dt.datetime) -> list[Attendee]:
    """The host is the account named in the meeting's summary line, if there is one."""
    host = ""
    for index, row in enumerate(table[:-1]):
        summary = _Header(row, index + 1)
        if summary.has("Meeting ID") and summary.has("Topic"):
            host = folded(summary.cell(table[index + 1], "User Email", "Host Email"))
    start = _zoom_meeting_header(table)
    header = _Header(table[start], start + 1)
    attendees = []
    for number in range(start + 1, len(table)):
        row = table[number]
        if not any(row):
            continue
        email = header.cell(row, "User Email", "Email")
        role = folded(header.cell(row, "Role"))
        attendees.append(
            _attendee(
                header, row, number + 1, near,
                name=header.cell(row, "Name (Original Name)", "Name", "User Name"),
                email=email,
                joined=header.cell(row, "Join Time"),
                left=header.cell(row, "Leave Time"),
                seconds=duration_seconds(header.cell(row, "Duration (Minutes)", "Duration")),
                organiser=(bool(host) and folded(email) == host) or role in _ORGANISER_ROLES,
            )
        )  # fmt: skip
    return attendees


# --- Google Meet -------------------------------------------------------------


def _meet_header(table: Rows) -> int | None:
    for index, row in enumerate(table[:10]):
        header = _Header(row, index + 1)
        if header.has("First name", "Prénom") and header.has("Time joined", "Heure d'arrivée",
                                                            "First seen", "Arrivée"):  # fmt: skip
            return index
    return None


def _is_meet(table: Rows) -> bool:
    return _meet_header(table) is not None


def _read_meet(table: Rows, near: dt.datetime) -> list[Attendee]:
    start = _meet_header(table)
    header = _Header(table[start], start + 1)
    attendees = []
    for number in range(start + 1, len(table)):
        row = table[number]
        if not any(row):
            continue
        attendees.append(
            _attendee(
                header, row, number + 1, near,
                name="",
                first_name=header.cell(row, "First name", "Prénom"),
                last_name=header.cell(row, "Last name", "Nom"),
                email=header.cell(row, "Email", "E-mail", "Adresse e-mail"),
                joined=header.cell(row, "Time joined", "Heure d'arrivée", "First seen", "Arrivée"),
                left=header.cell(row, "Time exited", "Heure de départ", "Last seen", "Départ"),
                seconds=duration_seconds(header.cell(row, "Duration", "Durée")),
                organiser=False,
            )
        )  # fmt: skip
    return attendees


_FORMATS: tuple[tuple[str, Callable[[Rows], bool], Callable[[Rows, dt.datetime], list]], ...] = (
    ("rapport de présence Microsoft Teams", _is_teams, _read_teams),
    ("rapport de webinaire Zoom", _is_zoom_webinar, _read_zoom_webinar),
    ("rapport de réunion Zoom", _is_zoom_meeting, _read_zoom_meeting),
    ("rapport de présence Google Meet", _is_meet, _read_meet),
)

__all__ = ["ACCEPTED", "Attendee", "ImportRefused", "Report", "name_key", "read_report"]
