"""Calendar files served over HTTP: one event's download, the public feeds, and
a person's own feed behind a secret token.

Each answer comes with its ETag (a hash of the bytes) and a Last-Modified (the
latest change among the rows it was built from, published or not, so that an
event leaving the feed still moves it forward).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import secrets
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from instant_coorace import labels
from instant_coorace.attendance.join_links import registrant_join_url
from instant_coorace.calendar.ics import public_calendar
from instant_coorace.calendar.text import markdown_to_text
from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventKind, EventStatus, Series
from instant_coorace.extensions import db
from instant_coorace.members.models import Person
from instant_coorace.registrations.errors import RegistrationNotFound
from instant_coorace.registrations.models import Registration, RegistrationStatus
from instant_coorace.registrations.personal import by_token
from instant_coorace.registrations.tokens import hash_token
from instant_coorace.transactions import write_transaction

PAST_WINDOW = dt.timedelta(days=90)
"""Feeds keep events ended less than this long ago, then let them go."""

VISIBLE = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


class CalendarNotFound(Exception):
    message = "Cet agenda n'existe pas ou n'est plus disponible."
    http_status = 404


@dataclasses.dataclass(frozen=True)
class CalendarFile:
    body: bytes
    filename: str
    last_modified: dt.datetime | None

    @property
    def etag(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


def event_file(slug: str) -> CalendarFile:
    """The download of one published (or cancelled) event, for anyone."""
    event = db.session.scalars(_events().where(Event.slug == slug)).one_or_none()
    if event is None or event.status not in VISIBLE:
        raise CalendarNotFound("Cet événement n'existe pas ou n'est pas publié.")
    return _file([event], event.title, f"{event.slug}.ics", event.updated_at)


def registration_file(token: str) -> CalendarFile:
    """A registrant's own download: with the join link once their seat is confirmed."""
    try:
        personal = by_token(token)
    except RegistrationNotFound as error:
        raise CalendarNotFound(error.message) from error
    event = personal.event
    if event.status not in VISIBLE:
        raise CalendarNotFound("Cet événement n'existe pas ou n'est pas publié.")
    return _file(
        [event],
        event.title,
        f"{event.slug}.ics",
        max(event.updated_at, personal.registration.updated_at),
        show_visio_link=personal.shows_visio_link,
        join_url=registrant_join_url(personal.registration),
    )


def all_events_feed(now: dt.datetime | None = None) -> CalendarFile:
    scope = _in_window(_events(), now)
    return _feed(scope, feed_name(), "agenda.ics")


def series_feed(slug: str, now: dt.datetime | None = None) -> CalendarFile:
    series = db.session.scalars(select(Series).where(Series.slug == slug)).one_or_none()
    if series is None:
        raise CalendarNotFound()
    scope = _in_window(_events().where(Event.series_id == series.id), now)
    return _feed(
        scope,
        feed_name(series=series),
        f"{series.slug}.ics",
        description=markdown_to_text(series.description),
    )


def kind_feed(kind: str, now: dt.datetime | None = None) -> CalendarFile:
    try:
        event_kind = EventKind(kind)
    except ValueError as error:
        raise CalendarNotFound() from error
    scope = _in_window(_events().where(Event.kind == event_kind), now)
    return _feed(scope, feed_name(kind=event_kind), f"{event_kind.value}.ics")


def personal_feed(token: str, now: dt.datetime | None = None) -> CalendarFile:
    """The events one person holds a confirmed seat at; unknown token: not found."""
    person = db.session.scalars(
        select(Person).where(Person.feed_token_hash == hash_token(token))
    ).one_or_none()
    if person is None:
        raise CalendarNotFound()
    confirmed = select(Registration.event_id).where(
        Registration.person_id == person.id,
        Registration.status == RegistrationStatus.CONFIRMED,
    )
    scope = _in_window(_events().where(Event.id.in_(confirmed)), now)
    registrations_changed = db.session.scalar(
        select(func.max(Registration.updated_at)).where(Registration.person_id == person.id)
    )
    return _feed(
        scope,
        feed_name(personal=True),
        "mes-inscriptions.ics",
        also_changed=registrations_changed,
    )


def feed_name(
    *, series: Series | None = None, kind: EventKind | None = None, personal: bool = False
) -> str:
    """The name a calendar application shows for a feed."""
    organisation = current_app.config["ORGANISATION_NAME"]
    if personal:
        return f"Mes inscriptions – {organisation}"
    if series is not None:
        return f"{series.name} – {organisation}"
    if kind is not None:
        return f"{labels.EVENT_KIND[kind]} – {organisation}"
    return f"{organisation} – tous les événements"


def issue_feed_token(person_id: int) -> str:
    """Give a person a new personal feed address; the previous one stops working.

    Only the token's hash is kept, so the address is shown once, now.
    """
    with write_transaction():
        person = db.session.get(Person, person_id)
        if person is None:
            raise CalendarNotFound()
        token = secrets.token_urlsafe(32)
        person.feed_token_hash = hash_token(token)
    return token


def issue_feed_token_for_registration(registration_token: str) -> str:
    """The personal link of a registration proves who asks for the feed address."""
    try:
        personal = by_token(registration_token)
    except RegistrationNotFound as error:
        raise CalendarNotFound(error.message) from error
    return issue_feed_token(personal.registration.person_id)


def _events() -> Select[tuple[Event]]:
    return select(Event).options(selectinload(Event.sessions), selectinload(Event.programme))


def _in_window(query: Select[tuple[Event]], now: dt.datetime | None) -> Select[tuple[Event]]:
    return query.where(Event.ends_at >= (now or utcnow()) - PAST_WINDOW)


def _feed(
    scope: Select[tuple[Event]],
    name: str,
    filename: str,
    *,
    description: str = "",
    also_changed: dt.datetime | None = None,
) -> CalendarFile:
    """The visible events of ``scope``; Last-Modified also counts the hidden ones."""
    candidates = db.session.scalars(scope).all()
    changes = [event.updated_at for event in candidates]
    if also_changed is not None:
        changes.append(also_changed)
    visible = [event for event in candidates if event.status in VISIBLE]
    return _file(visible, name, filename, max(changes, default=None), description=description)


def _file(
    events: list[Event],
    name: str,
    filename: str,
    last_modified: dt.datetime | None,
    *,
    description: str = "",
    show_visio_link: bool = False,
    join_url: str | None = None,
) -> CalendarFile:
    organizer_name, organizer_email = _organizer()
    body = public_calendar(
        events,
        name,
        description=description,
        organizer_email=organizer_email,
        organizer_name=organizer_name,
        show_visio_link=show_visio_link,
        join_url=join_url,
    )
    return CalendarFile(body, filename, last_modified)


def _organizer() -> tuple[str, str]:
    """The federation, as the sender of its mail: the same organizer as in invitations."""
    _, email = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return current_app.config["ORGANISATION_NAME"], email or current_app.config["CONTACT_EMAIL"]
