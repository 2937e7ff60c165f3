"""What one session of an event looks like in any calendar.

The .ics files and the Google / Outlook links are all built from these entries,
so a title, a place or a time is worded the same way everywhere. Whether the
join link of an online event is shown is the caller's decision: only registrants
may see it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import urlsplit

from flask import current_app

from instant_coorace.calendar.text import lines, markdown_to_text, one_line
from instant_coorace.events.models import Event, EventFormat, EventSession, EventStatus
from instant_coorace.urls import absolute_url

DESCRIPTION_LIMIT = 1200
"""Characters of the event's description (as text) copied into calendars; links come after it."""


@dataclasses.dataclass(frozen=True)
class CalendarEntry:
    uid: str
    summary: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    description: str
    location: str
    url: str
    cancelled: bool


def session_entries(
    event: Event,
    *,
    show_visio_link: bool,
    management_url: str | None = None,
    join_url: str | None = None,
) -> list[CalendarEntry]:
    """One entry per session, in time order; ``join_url`` (a registrant's
    tracked join link) stands in for the event's visio URL when given."""
    with_visio = show_visio_link and event.format is not EventFormat.IN_PERSON
    visio_url = one_line(join_url or event.visio_url) if with_visio else ""
    page_url = absolute_url("events.event_page", slug=event.slug)
    description = _description(event, visio_url, page_url, management_url)
    location = _location(event, visio_url)
    sessions = sorted(event.sessions, key=lambda s: (s.starts_at, s.id or 0))
    return [
        CalendarEntry(
            uid=session_uid(session.id),
            summary=one_line(_summary(event.title, session.label, index, len(sessions))),
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            description=description,
            location=one_line(location),
            url=page_url,
            cancelled=event.status is EventStatus.CANCELLED,
        )
        for index, session in enumerate(sessions, start=1)
    ]


@dataclasses.dataclass(frozen=True)
class RemovedSession:
    """A session deleted from an event, kept as plain values until its
    cancellation is sent: by then its row is gone."""

    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    label: str

    @classmethod
    def of(cls, session: EventSession) -> RemovedSession:
        return cls(session.id, session.starts_at, session.ends_at, session.label)

    def as_args(self) -> dict[str, object]:
        """JSON-ready, for a pending mail's render arguments."""
        return {
            "id": self.id,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "label": self.label,
        }

    @classmethod
    def from_args(cls, args: dict) -> RemovedSession:
        return cls(
            args["id"],
            dt.datetime.fromisoformat(args["starts_at"]),
            dt.datetime.fromisoformat(args["ends_at"]),
            args["label"],
        )


def removed_session_entries(event: Event, removed: list[RemovedSession]) -> list[CalendarEntry]:
    """Entries naming deleted sessions by their UID, for a ``METHOD:CANCEL``."""
    page_url = absolute_url("events.event_page", slug=event.slug)
    return [
        CalendarEntry(
            uid=session_uid(session.id),
            summary=one_line(_summary(event.title, session.label, 1, 1)),
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            description="",
            location="",
            url=page_url,
            cancelled=True,
        )
        for session in sorted(removed, key=lambda s: s.starts_at)
    ]


def session_uid(session_id: int) -> str:
    """Stable for the life of the session: every update and cancellation reuses it."""
    return f"session-{session_id}@{uid_domain()}"


def uid_domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "instant-coorace.invalid"


def _summary(title: str, label: str, index: int, count: int) -> str:
    if label:
        return f"{title} – {label}"
    return f"{title} ({index}/{count})" if count > 1 else title


def _location(event: Event, visio_url: str) -> str:
    venue = ", ".join(part for part in (event.venue_name, event.venue_address) if part)
    if event.format is EventFormat.IN_PERSON:
        return venue
    if event.format is EventFormat.ONLINE:
        return visio_url or "En visio"
    return venue or visio_url or "En visio"


def _description(event: Event, visio_url: str, page_url: str, management_url: str | None) -> str:
    """Plain text: the description's Markdown as a reader sees it, the programme,
    then the links. Titles, places and links are single lines, since any of them
    may hold a line break typed before forms normalised them."""
    parts = []
    text = markdown_to_text(event.description)
    if text:
        parts.append(text if len(text) <= DESCRIPTION_LIMIT else text[:DESCRIPTION_LIMIT] + "…")
    if event.programme:
        items = [
            " : ".join(filter(None, (one_line(item.time_label), one_line(item.title))))
            for item in event.programme
        ]
        parts.append("Programme :\n" + "\n".join(f"- {item}" for item in items))
    links = []
    if visio_url:
        links.append(f"Lien de connexion : {visio_url}")
    links.append(f"Page de l'événement : {page_url}")
    if management_url:
        links.append(f"Gérer mon inscription : {management_url}")
    parts.append("\n".join(links))
    return lines("\n\n".join(parts))
