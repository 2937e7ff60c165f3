"""The team's work on events: create, edit, publish, unpublish, cancel, list.

Each function takes plain values (an ``EventDraft`` for the content), runs one
transaction and raises an ``EventError`` carrying the French sentence to show.
Changes that touch registrations run under the event's lock (``event_transaction``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from instant_coorace.audit import services as audit
from instant_coorace.audit.models import AuditAction
from instant_coorace.calendar.entries import RemovedSession
from instant_coorace.database import utcnow
from instant_coorace.events.changes import EventFacts, compare
from instant_coorace.events.drafts import EventDraft, SessionDraft
from instant_coorace.events.models import (
    Event,
    EventFormat,
    EventSession,
    EventStatus,
    ProgrammeItem,
    Series,
)
from instant_coorace.extensions import db
from instant_coorace.formatting import paris_datetime
from instant_coorace.labels import DEPARTMENTS
from instant_coorace.locking import event_transaction
from instant_coorace.pagination import Page, paginate
from instant_coorace.registrations import notifications
from instant_coorace.registrations.models import ACTIVE_STATUSES, Registration, RegistrationStatus
from instant_coorace.registrations.services import fill_free_seats, seat_counts
from instant_coorace.transactions import write_transaction


class EventError(Exception):
    """An event operation refused; ``field`` names the form field at fault, if any."""

    message = "Cette opération sur l'événement n'est pas possible."
    http_status = 409

    def __init__(self, message: str | None = None, field: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message
        self.field = field


class EventNotFound(EventError):
    message = "Cet événement n'existe pas."
    http_status = 404


class InvalidEvent(EventError):
    http_status = 400


class EventFilter(enum.StrEnum):
    """The back-office list's filters; values appear in URLs."""

    ALL = "tous"
    UPCOMING = "a-venir"
    PAST = "passes"
    DRAFTS = "brouillons"
    CANCELLED = "annules"


@dataclasses.dataclass(frozen=True)
class EventLine:
    """An event with its registration counts, as back-office pages show it."""

    event: Event
    confirmed: int
    waitlisted: int

    @property
    def seats_left(self) -> int | None:
        capacity = self.event.capacity
        return None if capacity is None else max(capacity - self.confirmed, 0)

    @property
    def beyond_capacity(self) -> int:
        """Confirmed people above capacity (after capacity was lowered)."""
        capacity = self.event.capacity
        return 0 if capacity is None else max(self.confirmed - capacity, 0)


@dataclasses.dataclass(frozen=True)
class EventUpdate:
    promoted: int
    beyond_capacity: int
    sequence_raised: bool


# --- reading -----------------------------------------------------------------


def event_lines(events: Sequence[Event]) -> list[EventLine]:
    """Attach confirmed and waitlisted counts to ``events`` in one query."""
    counts = seat_counts(event.id for event in events)
    return [
        EventLine(
            event=event,
            confirmed=counts[event.id].get(RegistrationStatus.CONFIRMED, 0),
            waitlisted=counts[event.id].get(RegistrationStatus.WAITLISTED, 0),
        )
        for event in events
    ]


#: Events per page of the team's list: a year of the federation's events.
EVENTS_PER_PAGE = 50


def list_events(which: EventFilter = EventFilter.ALL, page: int = 1) -> Page[EventLine]:
    """Page ``page`` of the team's event list, ``which`` ones, with their counts."""
    now = utcnow()
    query = select(Event)
    if which is EventFilter.UPCOMING:
        query = query.where(Event.status == EventStatus.PUBLISHED, Event.ends_at >= now)
        query = query.order_by(Event.starts_at, Event.id)
    elif which is EventFilter.PAST:
        query = query.where(Event.status == EventStatus.PUBLISHED, Event.ends_at < now)
        query = query.order_by(Event.starts_at.desc(), Event.id.desc())
    else:
        if which is EventFilter.DRAFTS:
            query = query.where(Event.status == EventStatus.DRAFT)
        elif which is EventFilter.CANCELLED:
            query = query.where(Event.status == EventStatus.CANCELLED)
        query = query.order_by(Event.starts_at.is_(None).desc(), Event.starts_at.desc(), Event.id)
    return paginate(query, page, EVENTS_PER_PAGE).mapped(event_lines)


def event_line(event_id: int) -> EventLine:
    """One event with its sessions, programme, series and counts."""
    event = db.session.scalars(
        select(Event)
        .where(Event.id == event_id)
        .options(
            selectinload(Event.sessions),
            selectinload(Event.programme),
            selectinload(Event.series),
        )
    ).one_or_none()
    if event is None:
        raise EventNotFound()
    return event_lines([event])[0]


def all_series() -> list[Series]:
    return list(db.session.scalars(select(Series).order_by(Series.name)))


# --- writing -----------------------------------------------------------------


def create_event(draft: EventDraft) -> int:
    """Save a new event as a draft; returns its id."""
    _validate(draft)
    with _slug_taken_is_invalid(), write_transaction():
        series = _resolve_series(draft)
        slug = _choose_slug(draft, event_id=None)
        event = Event(status=EventStatus.DRAFT, calendar_sequence=0)
        _apply(event, draft, series, slug)
        db.session.add(event)
    return event.id


def update_event(event_id: int, draft: EventDraft) -> EventUpdate:
    """Replace an event's content, sessions and programme.

    Calendars see a new sequence when a registrant can notice the change (a
    slot, the place or the join link, see ``changes.py``), and registrants are
    told what changed. More room (capacity or seats per structure) promotes the waiting
    list in order; less room bumps nobody, the caller warns instead.
    """
    _validate(draft)
    with event_transaction(event_id) as event:
        if event is None:
            raise EventNotFound()
        if event.status is EventStatus.CANCELLED:
            raise EventError("Un événement annulé ne peut plus être modifié.")
        series = _resolve_series(draft)
        slug = _choose_slug(draft, event_id=event.id)
        before = EventFacts.of(event)
        sessions_before = [RemovedSession.of(session) for session in event.sessions]
        more_room = _grows(event.capacity, draft.capacity) or _grows(
            event.seats_per_structure, draft.seats_per_structure
        )
        _apply(event, draft, series, slug)
        db.session.flush()  # new sessions get their ids
        changes = compare(before, EventFacts.of(event))
        sequence_raised = bool(changes)
        if sequence_raised:
            event.calendar_sequence += 1
            db.session.flush()
        if sequence_raised and event.status is EventStatus.PUBLISHED:
            kept = {session.id for session in event.sessions}
            removed = [session for session in sessions_before if session.id not in kept]
            notifications.event_changed(event, changes, removed)
        promoted = fill_free_seats(event) if more_room else []
        db.session.flush()
        line = event_lines([event])[0]
        return EventUpdate(len(promoted), line.beyond_capacity, sequence_raised)


def publish(event_id: int) -> None:
    with event_transaction(event_id) as event:
        if event is None:
            raise EventNotFound()
        if event.status is EventStatus.PUBLISHED:
            raise EventError("Cet événement est déjà publié.")
        if event.status is EventStatus.CANCELLED:
            raise EventError("Un événement annulé ne peut pas être republié : créez-en un nouveau.")
        if not event.sessions:
            raise EventError("Ajoutez au moins une session avant de publier l'événement.")
        event.status = EventStatus.PUBLISHED
        fill_free_seats(event)


def unpublish(event_id: int) -> None:
    """Back to draft, only while nobody holds a seat or a place in line."""
    with event_transaction(event_id) as event:
        if event is None:
            raise EventNotFound()
        if event.status is not EventStatus.PUBLISHED:
            raise EventError("Seul un événement publié peut être dépublié.")
        active = db.session.scalar(
            select(func.count()).where(
                Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES)
            )
        )
        if active:
            people = "personne est inscrite" if active == 1 else "personnes sont inscrites"
            raise EventError(
                f"Impossible de dépublier : {active} {people} (ou en liste d'attente). "
                "Annulez l'événement pour les prévenir, ou désinscrivez-les d'abord."
            )
        event.status = EventStatus.DRAFT


def cancel_event(event_id: int) -> None:
    """Cancel an event; registrations are kept, and everyone registered is told
    (confirmed seats with a calendar cancellation) in this same transaction."""
    with event_transaction(event_id) as event:
        if event is None:
            raise EventNotFound()
        if event.status is EventStatus.CANCELLED:
            raise EventError("Cet événement est déjà annulé.")
        event.status = EventStatus.CANCELLED
        event.calendar_sequence += 1
        db.session.flush()
        notifications.event_cancelled(event)
        audit.record(AuditAction.EVENT_CANCELLED, f"Événement n° {event.id} : {event.title}")


# --- rules ---------------------------------------------------------------------


def slugify(text: str) -> str:
    """ASCII, lower-case words joined by hyphens: « Journée régionale » → journee-regionale."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:200].rstrip("-")


def is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _validate(draft: EventDraft) -> None:
    if not draft.title.strip():
        raise InvalidEvent("Indiquez un titre.", "title")
    if not draft.sessions:
        raise InvalidEvent("Ajoutez au moins une session.", "sessions")
    for session in draft.sessions:
        if session.ends <= session.starts:
            raise InvalidEvent("L'heure de fin doit être après l'heure de début.", "sessions")
    if draft.visio_url and not is_web_url(draft.visio_url):
        raise InvalidEvent("Le lien de visio doit commencer par http:// ou https://.", "visio_url")
    if draft.format is EventFormat.ONLINE and not draft.visio_url:
        raise InvalidEvent("Un événement en visio a besoin de son lien de connexion.", "visio_url")
    if draft.capacity is not None and draft.capacity < 1:
        raise InvalidEvent("La capacité est d'au moins 1 place.", "capacity")
    if draft.seats_per_structure is not None and draft.seats_per_structure < 1:
        raise InvalidEvent("Au moins 1 place par structure.", "seats_per_structure")
    if draft.department and draft.department not in DEPARTMENTS:
        raise InvalidEvent("Choisissez un département d'Occitanie.", "department")
    opens, closes = draft.registration_opens, draft.registration_closes
    if opens and closes and closes <= opens:
        raise InvalidEvent(
            "La clôture des inscriptions doit être après leur ouverture.", "registration_closes"
        )


def _resolve_series(draft: EventDraft) -> Series | None:
    name = " ".join(draft.new_series_name.split())
    if name:
        series = db.session.scalars(
            select(Series).where(func.lower(Series.name) == name.lower())
        ).first()
        if series is None:
            series = Series(name=name, slug=_free_slug(Series, slugify(name) or "serie", None))
            db.session.add(series)
        return series
    if draft.series_id is None:
        return None
    series = db.session.get(Series, draft.series_id)
    if series is None:
        raise InvalidEvent("Cette série n'existe pas.", "series_id")
    return series


def _choose_slug(draft: EventDraft, event_id: int | None) -> str:
    """The slug typed (normalised), which must be free, or one made from the title."""
    wanted = slugify(draft.slug)
    if wanted:
        if _slug_owner(Event, wanted) not in (None, event_id):
            raise InvalidEvent("Cette adresse est déjà utilisée par un autre événement.", "slug")
        return wanted
    base = slugify(draft.title) or "evenement"
    if draft.sessions and _slug_owner(Event, base) not in (None, event_id):
        # A recurring title (« L'Instant Coorace ») is told apart by its date.
        base = f"{base[:200]}-{min(s.day for s in draft.sessions).isoformat()}"
    return _free_slug(Event, base, event_id)


def _free_slug(model: type[Event] | type[Series], base: str, own_id: int | None) -> str:
    candidate, number = base, 1
    while _slug_owner(model, candidate) not in (None, own_id):
        number += 1
        candidate = f"{base[:190]}-{number}"
    return candidate


def _slug_owner(model: type[Event] | type[Series], slug: str) -> int | None:
    return db.session.scalar(select(model.id).where(model.slug == slug))


def _apply(event: Event, draft: EventDraft, series: Series | None, slug: str) -> None:
    event.kind = draft.kind
    event.series = series
    event.title = draft.title.strip()
    event.slug = slug
    event.description = draft.description.strip()
    event.audience = draft.audience
    event.format = draft.format
    event.venue_name = draft.venue_name.strip()
    event.venue_address = draft.venue_address.strip()
    event.department = draft.department
    event.visio_url = draft.visio_url.strip()
    event.trainers = draft.trainers.strip()
    event.capacity = draft.capacity
    event.seats_per_structure = draft.seats_per_structure
    event.registration_opens_at = _paris(draft.registration_opens)
    event.registration_closes_at = _paris(draft.registration_closes)
    own_sessions = {session.id: session for session in event.sessions}
    event.sessions = sorted(
        (_session_from(draft_session, own_sessions) for draft_session in draft.sessions),
        key=lambda s: s.starts_at,
    )
    event.programme = [
        ProgrammeItem(
            position=position,
            time_label=item.time_label.strip(),
            title=item.title.strip(),
            details=item.details.strip(),
        )
        for position, item in enumerate(draft.programme)
    ]
    event.refresh_time_span()


def _session_from(draft: SessionDraft, own_sessions: dict[int, EventSession]) -> EventSession:
    """The event's own session that ``draft`` edits (same id, so the same calendar
    UID), or a new one; an id from another event is ignored."""
    session = own_sessions.get(draft.session_id) or EventSession()
    session.starts_at = paris_datetime(draft.day, draft.starts.hour, draft.starts.minute)
    session.ends_at = paris_datetime(draft.day, draft.ends.hour, draft.ends.minute)
    session.label = draft.label.strip()
    return session


def _paris(moment: dt.datetime | None) -> dt.datetime | None:
    """The UTC instant of a Paris wall-clock moment."""
    return None if moment is None else paris_datetime(moment.date(), moment.hour, moment.minute)


def _grows(old: int | None, new: int | None) -> bool:
    """Whether a limit (``None`` = unlimited) now allows more."""
    if old is None:
        return False
    return new is None or new > old


@contextmanager
def _slug_taken_is_invalid() -> Iterator[None]:
    """A slug taken by a concurrent creation fails the commit: say it on the field."""
    try:
        yield
    except IntegrityError as error:
        raise InvalidEvent(
            "Cette adresse est déjà utilisée par un autre événement.", "slug"
        ) from error
