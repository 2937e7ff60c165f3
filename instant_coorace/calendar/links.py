"""« Ajouter à mon agenda » and « S'abonner » links for web calendars.

Google takes UTC instants (``20260312T090000Z``); Outlook.com and Office 365
take ISO 8601 times with their Paris offset (``2026-03-12T10:00:00+01:00``),
whose ``+`` must be percent-encoded or it reads as a space.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import quote, urlencode

from instant_coorace.attendance.join_links import registrant_join_url
from instant_coorace.calendar.entries import CalendarEntry, session_entries
from instant_coorace.calendar.feeds import feed_name
from instant_coorace.events.models import Event, EventKind, Series
from instant_coorace.formatting import PARIS, french_time_range
from instant_coorace.registrations.errors import RegistrationNotFound
from instant_coorace.registrations.personal import PersonalRegistration, by_token
from instant_coorace.urls import absolute_url

GOOGLE_TEMPLATE = "https://calendar.google.com/calendar/render"
GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/r"
OUTLOOK_COM = "https://outlook.live.com"
OFFICE_365 = "https://outlook.office.com"
OUTLOOK_SUBSCRIBE = "https://outlook.live.com/calendar/0/addfromweb"


@dataclasses.dataclass(frozen=True)
class SessionLinks:
    when: str
    google: str
    outlook_com: str
    office_365: str


@dataclasses.dataclass(frozen=True)
class Subscription:
    """How to follow one feed: its address, and the ways to subscribe to it."""

    name: str
    url: str

    @property
    def webcal_url(self) -> str:
        return "webcal://" + self.url.split("://", 1)[1]

    @property
    def google_url(self) -> str:
        return f"{GOOGLE_SUBSCRIBE}?{_query({'cid': self.webcal_url})}"

    @property
    def outlook_url(self) -> str:
        return f"{OUTLOOK_SUBSCRIBE}?{_query({'url': self.url, 'name': self.name})}"


def session_links(
    event: Event, *, show_visio_link: bool = False, join_url: str | None = None
) -> list[SessionLinks]:
    """Links for each session, in time order: web calendars take one slot at a time."""
    return [
        SessionLinks(
            when=french_time_range(entry.starts_at, entry.ends_at),
            google=google_calendar_url(entry),
            outlook_com=outlook_url(entry, OUTLOOK_COM),
            office_365=outlook_url(entry, OFFICE_365),
        )
        for entry in session_entries(event, show_visio_link=show_visio_link, join_url=join_url)
    ]


def google_calendar_url(entry: CalendarEntry) -> str:
    dates = f"{_google_time(entry.starts_at)}/{_google_time(entry.ends_at)}"
    params = {
        "action": "TEMPLATE",
        "text": entry.summary,
        "dates": dates,
        "details": entry.description,
        "location": entry.location,
        "ctz": "Europe/Paris",
    }
    return f"{GOOGLE_TEMPLATE}?{_query(params)}"


def outlook_url(entry: CalendarEntry, host: str) -> str:
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "startdt": _outlook_time(entry.starts_at),
        "enddt": _outlook_time(entry.ends_at),
        "subject": entry.summary,
        "body": entry.description,
        "location": entry.location,
    }
    return f"{host}/calendar/0/deeplink/compose?{_query(params)}"


def subscription(name: str, endpoint: str, **values) -> Subscription:
    return Subscription(name, absolute_url(endpoint, **values))


def _google_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _outlook_time(moment: dt.datetime) -> str:
    return moment.astimezone(PARIS).isoformat(timespec="seconds")


def _query(params: dict[str, str]) -> str:
    return urlencode({k: v for k, v in params.items() if v}, quote_via=quote, safe="/")


@dataclasses.dataclass(frozen=True)
class AddToCalendar:
    """What the « Ajouter à mon agenda » box offers for one event."""

    ics_url: str
    sessions: list[SessionLinks]
    #: Where a registrant asks for their personal feed; ``None`` for anonymous visitors.
    personal_feed_url: str | None


def add_to_calendar(event: Event, registration_token: str | None = None) -> AddToCalendar:
    """Links for anyone, or, given a registration's token, for that registrant:
    their own .ics, the join link once confirmed, and their personal feed."""
    personal = _registration(registration_token) if registration_token else None
    if personal is None or personal.event.id != event.id:
        return AddToCalendar(
            absolute_url("calendar.event_download", slug=event.slug),
            session_links(event),
            None,
        )
    return AddToCalendar(
        absolute_url("calendar.registration_download", token=registration_token),
        session_links(
            event,
            show_visio_link=personal.shows_visio_link,
            join_url=registrant_join_url(personal.registration),
        ),
        absolute_url("calendar.personal_feed_address", token=registration_token),
    )


def feed_subscription(series: Series | None = None, kind: EventKind | None = None) -> Subscription:
    """The public feed of a series, of a kind of event, or of everything."""
    name = feed_name(series=series, kind=kind)
    if series is not None:
        return subscription(name, "calendar.series_feed", slug=series.slug)
    if kind is not None:
        return subscription(name, "calendar.kind_feed", kind=kind.value)
    return subscription(name, "calendar.all_events_feed")


def personal_subscription(feed_token: str) -> Subscription:
    return subscription(feed_name(personal=True), "calendar.personal_feed", token=feed_token)


def _registration(token: str) -> PersonalRegistration | None:
    try:
        return by_token(token)
    except RegistrationNotFound:
        return None
