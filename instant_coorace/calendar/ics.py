"""iCalendar files: invitations sent to registrants, and published calendars.

Invitations (``METHOD:REQUEST`` / ``METHOD:CANCEL``) carry one ATTENDEE, the
registrant, and the join link of online events. Published calendars (downloads
and feeds) carry neither, and are deterministic: the same events give the same
bytes, so feed ETags hold between polls.

SEQUENCE. Every message takes ``event.calendar_sequence`` as it is when the
message is built. Whoever changes something a calendar holds raises that counter,
in the same transaction as the change, *before* building the message:

- event moved, re-placed, link changed, or cancelled: raise it, then send REQUEST
  (or CANCEL) to every registrant;
- a person cancels: raise it too, then send that person a CANCEL. Raising the
  shared counter costs the other registrants nothing (SEQUENCE only has to grow
  per UID; gaps are fine), and it is what keeps a later re-registration working:
  Outlook and Google ignore a REQUEST whose SEQUENCE is lower than the CANCEL
  they hold (« this meeting request is out of date »). A private
  ``calendar_sequence + 1`` for the CANCEL would be outranked by nothing the
  person could receive afterwards; with the shared counter the next REQUEST has
  an equal or higher SEQUENCE and a later DTSTAMP, which wins;
- a first registration or a promotion from the waiting list: send REQUEST with
  the current value, no change needed.

Times. Sessions are stored as UTC instants and written with TZID=Europe/Paris,
with the rule-based VTIMEZONE. One hour a year has no unambiguous Paris wall
time: from 02:00 to 03:00 on the last Sunday of October the clock shows each
minute twice. RFC 5545 reads such a local time as its first occurrence, and
readers differ, so an instant in that hour (either occurrence) is written in UTC
(``…Z``) instead; no reader has to guess. The spring gap needs no rule: no UTC
instant falls in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal
from urllib.parse import quote

from icalendar import Calendar, vCalAddress, vDuration, vText
from icalendar import Event as VEvent

from instant_coorace.calendar.entries import CalendarEntry, session_entries
from instant_coorace.calendar.text import lines, one_line
from instant_coorace.calendar.vtimezone import paris_vtimezone
from instant_coorace.database import utcnow
from instant_coorace.events.models import Event
from instant_coorace.formatting import PARIS
from instant_coorace.members.models import Person
from instant_coorace.registrations.models import Registrant, Registration

PRODID = "-//Coorace Occitanie//Instant Coorace//FR"
REFRESH_INTERVAL = dt.timedelta(hours=1)
"""How often subscribers should poll feeds (REFRESH-INTERVAL and Outlook's X-PUBLISHED-TTL)."""

Method = Literal["REQUEST", "CANCEL"]
_NEVER = dt.datetime.max.replace(tzinfo=dt.UTC)


def invitation(
    event: Event,
    registration: Registration,
    method: Method,
    organizer_email: str,
    organizer_name: str,
    entry: CalendarEntry,
    attendee: Registrant | Person | None = None,
) -> bytes:
    """The invitation to one session (or its cancellation), for one registrant.

    One session per message: iTIP wants every component of a REQUEST or CANCEL
    to share one UID (RFC 5546, 3.2.2 and 3.2.5), and clients act on the first
    one only otherwise; an event of several sessions sends several messages.
    ``organizer_email`` must be the From address of the mail that carries it:
    clients only treat the file as an invitation when they match. ``attendee``
    defaults to the registrant, named as they registered; a seat handed over
    cancels the previous one's.
    """
    attendee = attendee or registration.registrant
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method: {method!r}")
    calendar = _calendar([entry], method=method)
    vevent = _vevent(entry, stamp=utcnow(), sequence=event.calendar_sequence, event=event)
    vevent.add("organizer", _address(organizer_email, organizer_name))
    vevent.add(
        "attendee",
        _address(
            attendee.email,
            attendee.full_name,
            role="REQ-PARTICIPANT",
            partstat="ACCEPTED",
            rsvp="FALSE",
            cutype="INDIVIDUAL",
        ),
    )
    vevent.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    calendar.add_component(vevent)
    return calendar.to_ical()


def public_calendar(
    events: Iterable[Event],
    name: str | None = None,
    *,
    description: str = "",
    organizer_email: str,
    organizer_name: str,
    show_visio_link: bool = False,
    join_url: str | None = None,
) -> bytes:
    """A ``METHOD:PUBLISH`` calendar of ``events``: downloads and feeds.

    No ATTENDEE ever. DTSTAMP is the event's last change, not the time of the
    request, so that the bytes depend on the data only. A cancelled event stays,
    marked CANCELLED and titled « Annulé : … », so subscribers see why it is gone.
    ``show_visio_link`` is only for a confirmed registrant's own download, with
    their tracked ``join_url`` in place of the visio URL.
    ``name`` and ``description`` describe the calendar itself, as applications
    that subscribe to it show it (RFC 7986 and the older X-WR- properties).
    """
    events = sorted(events, key=lambda e: (e.starts_at or _NEVER, e.id))
    per_event = [
        (event, session_entries(event, show_visio_link=show_visio_link, join_url=join_url))
        for event in events
    ]
    calendar = _calendar([entry for _, entries in per_event for entry in entries], "PUBLISH")
    name, description = one_line(name or ""), lines(description).strip()
    if name:
        calendar.add("name", vText(name))
        calendar.add("x-wr-calname", vText(name))
    if description:
        calendar.add("description", vText(description))
        calendar.add("x-wr-caldesc", vText(description))
    calendar.add("x-wr-timezone", "Europe/Paris")
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for event, entries in per_event:
        for entry in entries:
            vevent = _vevent(
                entry, stamp=event.updated_at, sequence=event.calendar_sequence, event=event
            )
            vevent.add("organizer", _address(organizer_email, organizer_name))
            vevent.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
            if entry.cancelled:
                vevent["summary"] = vText(f"Annulé : {entry.summary}")
            calendar.add_component(vevent)
    return calendar.to_ical()


def _calendar(entries: list[CalendarEntry], method: str) -> Calendar:
    """The VCALENDAR head, with the VTIMEZONE whenever a time refers to it."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if any(_local(moment).tzinfo is PARIS for e in entries for moment in (e.starts_at, e.ends_at)):
        calendar.add_component(paris_vtimezone())
    return calendar


def _vevent(entry: CalendarEntry, *, stamp: dt.datetime, sequence: int, event: Event) -> VEvent:
    vevent = VEvent()
    vevent.add("uid", entry.uid)
    vevent.add("dtstamp", stamp.astimezone(dt.UTC))
    vevent.add("sequence", sequence)
    vevent.add("dtstart", _local(entry.starts_at))
    vevent.add("dtend", _local(entry.ends_at))
    vevent.add("summary", entry.summary)
    vevent.add("description", entry.description)
    if entry.location:
        vevent.add("location", entry.location)
    vevent.add("url", entry.url)
    vevent.add("created", event.created_at.astimezone(dt.UTC))
    vevent.add("last-modified", event.updated_at.astimezone(dt.UTC))
    vevent.add("transp", "OPAQUE")
    return vevent


def _local(moment: dt.datetime) -> dt.datetime:
    """Paris wall time, or UTC when that wall time happens twice (see the module doc)."""
    paris = moment.astimezone(PARIS)
    if paris.replace(fold=1 - paris.fold).utcoffset() != paris.utcoffset():
        return moment.astimezone(dt.UTC)
    return paris


def _address(email: str, name: str, **parameters: str) -> vCalAddress:
    """A ``mailto:`` address; the name loses line breaks, control characters and
    double quotes, which a parameter value cannot hold."""
    address = vCalAddress("mailto:" + quote(email.strip(), safe="@.+-_!$&'*=^`{|}~"))
    address.params["cn"] = one_line(name.replace('"', "'"))
    for key, value in parameters.items():
        address.params[key] = value
    return address
