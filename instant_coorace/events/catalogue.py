"""Read-only queries behind the public pages: the list of upcoming events and
one event's page, with seats left and whether registering is possible now.

Each function issues a fixed number of SQL queries however many events,
sessions or registrations there are (sessions and series come by
``selectinload``, seat counts by one grouped query).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventFormat, EventKind, EventSession, EventStatus
from instant_coorace.extensions import db
from instant_coorace.labels import DEPARTMENTS
from instant_coorace.registrations.models import RegistrationStatus
from instant_coorace.registrations.services import seat_counts, seats_left
from instant_coorace.registrations.window import (
    Availability,
    availability,
    registration_closes_at,
)


@dataclasses.dataclass(frozen=True)
class CatalogueFilters:
    kind: EventKind | None = None
    format: EventFormat | None = None
    department: str | None = None
    series_id: int | None = None


@dataclasses.dataclass(frozen=True)
class EventOverview:
    """An event as the public sees it: the event with its sessions loaded, and
    the figures its card or page shows."""

    event: Event
    confirmed: int
    waitlisted: int
    seats_left: int | None
    availability: Availability
    #: When the public form stops accepting registrations.
    closes_at: dt.datetime | None

    @property
    def first_session(self) -> EventSession | None:
        return self.event.sessions[0] if self.event.sessions else None

    @property
    def is_full(self) -> bool:
        return self.seats_left == 0

    @property
    def is_cancelled(self) -> bool:
        return self.availability is Availability.CANCELLED

    @property
    def town(self) -> str:
        """Where it happens, as a card says it: « Toulouse (31) », « En visio »,
        or « Montpellier (34) ou en visio »; empty when the place is not known."""
        event = self.event
        if event.format is EventFormat.ONLINE:
            return "En visio"
        town = _town(event.venue_address, event.department)
        if event.format is EventFormat.HYBRID:
            return f"{town} ou en visio" if town else "En visio"
        return town


_POSTCODE_AND_CITY = re.compile(r"\b(\d{5})\s+([^,\d][^,]*)$")


def _town(address: str, department: str) -> str:
    """The city of a French address ending in « 31000 Toulouse », with its
    department; the department's name when the address has no city."""
    found = _POSTCODE_AND_CITY.search(address.strip())
    code = department or (found.group(1)[:2] if found else "")
    if found:
        return f"{found.group(2).strip()} ({code})" if code else found.group(2).strip()
    return f"{DEPARTMENTS[code]} ({code})" if code in DEPARTMENTS else ""


def upcoming_events(
    filters: CatalogueFilters, now: dt.datetime | None = None
) -> list[EventOverview]:
    """Published events not yet over (upcoming or running), soonest first."""
    now = now or utcnow()
    query = (
        select(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at >= now)
        .options(selectinload(Event.sessions), selectinload(Event.series))
        .order_by(Event.starts_at, Event.id)
    )
    if filters.kind is not None:
        query = query.where(Event.kind == filters.kind)
    if filters.format is not None:
        query = query.where(Event.format == filters.format)
    if filters.department:
        query = query.where(Event.department == filters.department)
    if filters.series_id is not None:
        query = query.where(Event.series_id == filters.series_id)
    events = list(db.session.scalars(query))
    return _overviews(events, now)


def public_event(slug: str, now: dt.datetime | None = None) -> EventOverview | None:
    """A published or cancelled event with its sessions and programme; ``None``
    for unknown slugs and drafts, which the public never sees."""
    return _one(Event.slug == slug, Event.status != EventStatus.DRAFT, now=now)


def event_preview(event_id: int, now: dt.datetime | None = None) -> EventOverview | None:
    """Any event, drafts included, as its public page would show it: for the
    team's « Aperçu » only."""
    return _one(Event.id == event_id, now=now)


def _one(*conditions, now: dt.datetime | None) -> EventOverview | None:
    event = db.session.scalars(
        select(Event)
        .where(*conditions)
        .options(
            selectinload(Event.sessions),
            selectinload(Event.programme),
            selectinload(Event.series),
        )
    ).one_or_none()
    if event is None:
        return None
    return _overviews([event], now or utcnow())[0]


def _overviews(events: list[Event], now: dt.datetime) -> list[EventOverview]:
    counts = seat_counts(event.id for event in events)
    overviews = []
    for event in events:
        by_status = counts[event.id]
        confirmed = by_status.get(RegistrationStatus.CONFIRMED, 0)
        overviews.append(
            EventOverview(
                event=event,
                confirmed=confirmed,
                waitlisted=by_status.get(RegistrationStatus.WAITLISTED, 0),
                seats_left=seats_left(event, confirmed),
                availability=availability(event, now),
                closes_at=registration_closes_at(event),
            )
        )
    return overviews
