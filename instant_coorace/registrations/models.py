"""Registrations of people to events, with the waiting list."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from instant_coorace.database import UTCDateTime, utcnow
from instant_coorace.enums import enum_column
from instant_coorace.events.models import Event, EventFormat
from instant_coorace.extensions import db
from instant_coorace.members.models import Person, Structure, full_name


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


#: A seat or a place in line: what counts as "registered".
ACTIVE_STATUSES = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


class RegistrationSource(enum.StrEnum):
    PUBLIC_FORM = "public_form"
    STAFF = "staff"
    INVITATION = "invitation"
    #: A walk-in, added at the door or from an attendance report (« sur place »).
    ON_SITE = "on_site"


@dataclasses.dataclass(frozen=True)
class Registrant:
    """Whom a registration is for: the person's address, and the name given for it."""

    person_id: int
    email: str
    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.last_name)


class Registration(db.Model):
    """One person's place (or place in line) at one event.

    A person has at most one registration per event; registering again after a
    cancellation reuses the row. It keeps who the registrant said they were for
    it (name, structure, job title): a form anyone can fill in with an address
    must never rewrite what is shown of that person elsewhere, so every list,
    export, mail and calendar about this registration reads these columns, not
    the person's own record.
    """

    __tablename__ = "registration"
    # Each index answers one question the registration path asks under the
    # event's lock, its leading columns being that question's equality conditions:
    __table_args__ = (
        #: This person's registration at this event (and all of a person's).
        UniqueConstraint("person_id", "event_id"),
        #: Seat counts and the end of the waiting list (also on every public page).
        Index("ix_registration_event_status_position", "event_id", "status", "waitlist_position"),
        #: Seats taken by one structure at this event.
        Index("ix_registration_structure_event_status", "structure_id", "event_id", "status"),
        #: The year's figures (reports/queries.py) read a period's registrations
        #: from this index alone, without visiting the table row by row.
        Index(
            "ix_registration_event_status_people",
            "event_id",
            "status",
            "person_id",
            "structure_id",
            "source",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    #: The name given for this registration.
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    #: The person's structure when they registered; seats per structure count on it.
    structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("structure.id", ondelete="SET NULL")
    )
    #: Free-text organisation when the structure is not in the directory.
    structure_name: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(150), default="")
    #: Accessibility or dietary needs, told by the registrant.
    needs: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RegistrationStatus] = mapped_column(enum_column(RegistrationStatus))
    #: Rank in the waiting list (lower is earlier); ``None`` when not waitlisted.
    waitlist_position: Mapped[int | None] = mapped_column(Integer)
    #: Random input of the personal link (see registrations/tokens.py).
    token_nonce: Mapped[str] = mapped_column(String(32))
    #: SHA-256 of the personal link's token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[RegistrationSource] = mapped_column(enum_column(RegistrationSource))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    person: Mapped[Person] = relationship()
    structure: Mapped[Structure | None] = relationship()

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.last_name)

    @property
    def organisation_name(self) -> str:
        return self.structure.name if self.structure else self.structure_name

    @property
    def registrant(self) -> Registrant:
        return Registrant(self.person_id, self.person.email, self.first_name, self.last_name)

    @property
    def shows_visio_link(self) -> bool:
        """The join link is for confirmed registrants of an online or hybrid event
        (and only a web address becomes a link)."""
        return (
            self.status is RegistrationStatus.CONFIRMED
            and self.event.format in (EventFormat.ONLINE, EventFormat.HYBRID)
            and self.event.visio_url.startswith(("https://", "http://"))
        )
