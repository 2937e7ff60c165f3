"""Reading our calendar files the way three independent libraries do.

A file passes only if icalendar, vobject and the ``ical`` package all read it
and agree on what each VEVENT says.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import icalendar
import vobject
from ical.calendar_stream import IcsCalendarStream


@dataclasses.dataclass(frozen=True)
class ReadEvent:
    """What a calendar application would keep of one VEVENT."""

    uid: str
    start: dt.datetime
    end: dt.datetime
    sequence: int
    status: str
    summary: str
    location: str
    description: str
    organizer: str | None
    attendees: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class ReadCalendar:
    method: str | None
    events: tuple[ReadEvent, ...]

    def by_uid(self) -> dict[str, ReadEvent]:
        return {event.uid: event for event in self.events}


def assert_wire_format(data: bytes) -> None:
    """CRLF after every line, no bare CR or LF, no line over 75 octets."""
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    for line in lines:
        assert b"\r" not in line and b"\n" not in line, line
        assert len(line) <= 75, (len(line), line)


def read_everywhere(data: bytes) -> ReadCalendar:
    """Parse ``data`` with the three readers; fail unless they agree."""
    assert_wire_format(data)
    readings = [_with_icalendar(data), _with_vobject(data), _with_ical(data)]
    first = readings[0]
    for other in readings[1:]:
        assert other == first
    return first


def _utc(moment: dt.datetime) -> dt.datetime:
    assert moment.tzinfo is not None, f"floating time {moment}"
    return moment.astimezone(dt.UTC)


def _with_icalendar(data: bytes) -> ReadCalendar:
    calendar = icalendar.Calendar.from_ical(data)
    events = []
    for vevent in calendar.walk("VEVENT"):
        attendees = vevent.get("attendee", [])
        attendees = attendees if isinstance(attendees, list) else [attendees]
        events.append(
            ReadEvent(
                uid=str(vevent["uid"]),
                start=_utc(vevent.decoded("dtstart")),
                end=_utc(vevent.decoded("dtend")),
                sequence=int(vevent.get("sequence", 0)),
                status=str(vevent.get("status", "")),
                summary=str(vevent.get("summary", "")),
                location=str(vevent.get("location", "")),
                description=str(vevent.get("description", "")),
                organizer=str(vevent["organizer"]) if "organizer" in vevent else None,
                attendees=tuple(str(a) for a in attendees),
            )
        )
    method = str(calendar["method"]) if "method" in calendar else None
    return ReadCalendar(method, tuple(events))


def _with_vobject(data: bytes) -> ReadCalendar:
    calendar = vobject.readOne(data.decode())
    events = []
    for vevent in getattr(calendar, "vevent_list", []):
        contents = vevent.contents
        events.append(
            ReadEvent(
                uid=vevent.uid.value,
                start=_utc(vevent.dtstart.value),
                end=_utc(vevent.dtend.value),
                sequence=int(vevent.sequence.value) if "sequence" in contents else 0,
                status=vevent.status.value if "status" in contents else "",
                summary=vevent.summary.value if "summary" in contents else "",
                location=vevent.location.value if "location" in contents else "",
                description=vevent.description.value if "description" in contents else "",
                organizer=vevent.organizer.value if "organizer" in contents else None,
                attendees=tuple(a.value for a in contents.get("attendee", [])),
            )
        )
    method = calendar.method.value if "method" in calendar.contents else None
    return ReadCalendar(method, tuple(events))


def _with_ical(data: bytes) -> ReadCalendar:
    calendar = IcsCalendarStream.calendar_from_ics(data.decode())
    events = tuple(
        ReadEvent(
            uid=event.uid,
            start=_utc(event.dtstart),
            end=_utc(event.dtend),
            sequence=event.sequence or 0,
            status=event.status.value if event.status else "",
            summary=event.summary or "",
            location=event.location or "",
            description=event.description or "",
            organizer=event.organizer.uri if event.organizer else None,
            attendees=tuple(a.uri for a in event.attendees),
        )
        for event in calendar.events
    )
    return ReadCalendar(calendar.method, events)
