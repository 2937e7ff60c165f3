"""What the team writes about an event, as plain values for the event services.

Dates and times are Europe/Paris wall-clock values, exactly as typed; the
services turn them into UTC instants.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from instant_coorace.events.models import Audience, EventFormat, EventKind


@dataclasses.dataclass(frozen=True)
class SessionDraft:
    """One time slot: a day, a start and an end in Paris time, a label (« Jour 1 — matin »)."""

    day: dt.date
    starts: dt.time
    ends: dt.time
    label: str = ""
    #: The session this row edits; ``None`` for a new one. Keeping it keeps the
    #: session's calendar UID, so registrants' calendars update the entry in place.
    session_id: int | None = None


@dataclasses.dataclass(frozen=True)
class ProgrammeDraft:
    title: str
    time_label: str = ""
    details: str = ""


@dataclasses.dataclass(frozen=True)
class EventDraft:
    kind: EventKind
    title: str
    sessions: tuple[SessionDraft, ...]
    programme: tuple[ProgrammeDraft, ...] = ()
    #: Empty: made from the title.
    slug: str = ""
    description: str = ""
    audience: Audience = Audience.MEMBERS
    format: EventFormat = EventFormat.IN_PERSON
    venue_name: str = ""
    venue_address: str = ""
    department: str = ""
    visio_url: str = ""
    trainers: str = ""
    #: ``None``: unlimited.
    capacity: int | None = None
    #: ``None``: unlimited.
    seats_per_structure: int | None = None
    #: Paris wall-clock moments; ``None``: no limit.
    registration_opens: dt.datetime | None = None
    registration_closes: dt.datetime | None = None
    series_id: int | None = None
    #: When set, the event joins the series of that name, created if needed.
    new_series_name: str = ""
