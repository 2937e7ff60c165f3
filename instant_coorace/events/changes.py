"""What a registrant can notice of an edit to an event: each session's date and
times, the place, the join link. Taken before and after the edit, so that the
mail about it says « avant → après », and so that an edit nobody can notice
(a title, an internal field) changes no calendar and sends nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from instant_coorace.events.models import Event, EventFormat

Slot = tuple[dt.datetime, dt.datetime]


@dataclasses.dataclass(frozen=True)
class EventFacts:
    """An event as registrants see it, at one moment."""

    #: Session id → (start, end).
    slots: dict[int, Slot]
    labels: dict[int, str]
    place: str
    link: str

    @classmethod
    def of(cls, event: Event) -> EventFacts:
        return cls(
            slots={s.id: (s.starts_at, s.ends_at) for s in event.sessions if s.id is not None},
            labels={s.id: s.label for s in event.sessions if s.id is not None},
            place=_place(event),
            link=event.visio_url if event.format is not EventFormat.IN_PERSON else "",
        )


@dataclasses.dataclass(frozen=True)
class SessionChange:
    """One session moved, added (``before`` is ``None``) or removed (``after`` is ``None``)."""

    session_id: int
    label: str
    before: Slot | None
    after: Slot | None


@dataclasses.dataclass(frozen=True)
class EventChanges:
    sessions: tuple[SessionChange, ...] = ()
    #: (before, after), when the place changed.
    place: tuple[str, str] | None = None
    #: (before, after), when the join link changed.
    link: tuple[str, str] | None = None

    def __bool__(self) -> bool:
        return bool(self.sessions or self.place or self.link)

    def without_link(self) -> EventChanges:
        """What someone who may not see the join link (the waiting list) can notice."""
        return dataclasses.replace(self, link=None)

    def updated_sessions(self, event: Event) -> list[int]:
        """The sessions whose calendar entry is now different, in time order: all
        of them when the place or the link changed, else those moved or added."""
        if self.place or self.link:
            touched = {session.id for session in event.sessions}
        else:
            touched = {c.session_id for c in self.sessions if c.after is not None}
        ordered = sorted(event.sessions, key=lambda s: (s.starts_at, s.id))
        return [session.id for session in ordered if session.id in touched]

    def as_args(self) -> dict:
        """JSON-ready, for a pending mail's render arguments."""
        return {
            "sessions": [
                {
                    "id": c.session_id,
                    "label": c.label,
                    "before": _slot_args(c.before),
                    "after": _slot_args(c.after),
                }
                for c in self.sessions
            ],
            "place": list(self.place) if self.place else None,
            "link": list(self.link) if self.link else None,
        }

    @classmethod
    def from_args(cls, args: dict) -> EventChanges:
        return cls(
            sessions=tuple(
                SessionChange(c["id"], c["label"], _slot(c["before"]), _slot(c["after"]))
                for c in args["sessions"]
            ),
            place=tuple(args["place"]) if args["place"] else None,
            link=tuple(args["link"]) if args["link"] else None,
        )


def compare(before: EventFacts, after: EventFacts) -> EventChanges:
    """What changed between two moments of one event, sessions in time order."""
    changes = [
        SessionChange(
            session_id,
            after.labels.get(session_id) or before.labels.get(session_id, ""),
            before.slots.get(session_id),
            after.slots.get(session_id),
        )
        for session_id in before.slots.keys() | after.slots.keys()
        if before.slots.get(session_id) != after.slots.get(session_id)
    ]
    changes.sort(key=lambda c: (c.after or c.before, c.session_id))
    return EventChanges(
        sessions=tuple(changes),
        place=(before.place, after.place) if before.place != after.place else None,
        link=(before.link, after.link) if before.link != after.link else None,
    )


def _place(event: Event) -> str:
    venue = ", ".join(part for part in (event.venue_name, event.venue_address) if part)
    if event.format is EventFormat.IN_PERSON:
        return venue
    if event.format is EventFormat.ONLINE or not venue:
        return "En visio"
    return f"{venue}, et en visio"


def _slot_args(slot: Slot | None) -> list[str] | None:
    return [moment.isoformat() for moment in slot] if slot else None


def _slot(args: list[str] | None) -> Slot | None:
    if not args:
        return None
    start, end = args
    return dt.datetime.fromisoformat(start), dt.datetime.fromisoformat(end)
