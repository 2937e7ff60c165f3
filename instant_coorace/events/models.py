"""Events, their sessions (time slots) and programme, grouped in series."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from instant_coorace.database import UTCDateTime, utcnow
from instant_coorace.enums import enum_column
from instant_coorace.extensions import db


class EventKind(enum.StrEnum):
    INSTANT_COORACE = "instant_coorace"
    ATELIER_COLLECTIF = "atelier_collectif"
    FORMATION = "formation"
    WEBINAIRE = "webinaire"
    JOURNEE = "journee"
    ASSEMBLEE_GENERALE = "assemblee_generale"
    COLLECTIF = "collectif"


class Audience(enum.StrEnum):
    MEMBERS = "members"
    MEMBERS_AND_PARTNERS = "members_and_partners"
    PUBLIC = "public"


class EventFormat(enum.StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Series(db.Model):
    """Events that recur, such as « L'Instant Coorace »; people may follow one."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    slug: Mapped[str] = mapped_column(String(150), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        CheckConstraint(
            "seats_per_structure IS NULL OR seats_per_structure >= 1",
            name="seats_per_structure_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind), index=True)
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("series.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), unique=True)
    #: Markdown written by the team; rendered through the sanitiser only.
    description: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[Audience] = mapped_column(enum_column(Audience), default=Audience.MEMBERS)
    format: Mapped[EventFormat] = mapped_column(
        enum_column(EventFormat), default=EventFormat.IN_PERSON
    )
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    #: Department of the venue, for the catalogue filter; empty for online events.
    department: Mapped[str] = mapped_column(String(3), default="", index=True)
    #: Join link of an online or hybrid event: shown to registrants only, never publicly.
    visio_url: Mapped[str] = mapped_column(String(500), default="")
    #: Who leads a training (names separated by commas), printed on its émargement sheets.
    trainers: Mapped[str] = mapped_column(String(300), default="")
    #: Seats in all; ``None`` means unlimited.
    capacity: Mapped[int | None] = mapped_column(Integer)
    #: Confirmed seats one structure may hold; ``None`` means unlimited.
    seats_per_structure: Mapped[int | None] = mapped_column(Integer)
    registration_opens_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[EventStatus] = mapped_column(
        enum_column(EventStatus), default=EventStatus.DRAFT, index=True
    )
    #: Raised on every change that matters to a calendar (iCalendar SEQUENCE).
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0)
    #: First session's start, kept in step with the sessions for ordering and filtering.
    starts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    series: Mapped[Series | None] = relationship()
    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="EventSession.starts_at",
    )
    programme: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="ProgrammeItem.position",
    )

    @property
    def is_online(self) -> bool:
        return self.format is EventFormat.ONLINE

    @property
    def is_published(self) -> bool:
        return self.status is EventStatus.PUBLISHED

    def refresh_time_span(self) -> None:
        """Keep ``starts_at``/``ends_at`` equal to the sessions' span."""
        if self.sessions:
            self.starts_at = min(s.starts_at for s in self.sessions)
            self.ends_at = max(s.ends_at for s in self.sessions)
        else:
            self.starts_at = self.ends_at = None

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.slug!r}>"


class EventSession(db.Model):
    """One time slot of an event; a two-day training has four half-day sessions."""

    __tablename__ = "event_session"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    label: Mapped[str] = mapped_column(String(150), default="")

    event: Mapped[Event] = relationship(back_populates="sessions")


class ProgrammeItem(db.Model):
    __tablename__ = "programme_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Free text such as « 10 h 00 » or « Matin »; may be empty.
    time_label: Mapped[str] = mapped_column(String(50), default="")
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship(back_populates="programme")
