"""The member directory: structures (member or partner organisations) and the
people who register to events."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from instant_coorace.database import UTCDateTime, utcnow
from instant_coorace.enums import enum_column
from instant_coorace.extensions import db


class StructureKind(enum.StrEnum):
    """The legal forms of work-integration employers (SIAE and EBE)."""

    ACI = "ACI"
    AI = "AI"
    EI = "EI"
    ETTI = "ETTI"
    GES = "GES"
    EBE = "EBE"


class Membership(enum.StrEnum):
    MEMBER = "member"
    PARTNER = "partner"


class Structure(db.Model):
    __tablename__ = "structure"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    membership: Mapped[Membership] = mapped_column(
        enum_column(Membership), default=Membership.MEMBER
    )
    #: Two-character French department code ("09", "2A"), or empty when unknown.
    department: Mapped[str] = mapped_column(String(3), default="", index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    postcode: Mapped[str] = mapped_column(String(5), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    kind_rows: Mapped[list[StructureKindRow]] = relationship(
        back_populates="structure",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="StructureKindRow.kind",
    )

    @property
    def kinds(self) -> list[StructureKind]:
        return [row.kind for row in self.kind_rows]

    @kinds.setter
    def kinds(self, kinds: list[StructureKind]) -> None:
        wanted = set(kinds)
        self.kind_rows = [row for row in self.kind_rows if row.kind in wanted] + [
            StructureKindRow(kind=kind)
            for kind in sorted(wanted - {row.kind for row in self.kind_rows})
        ]

    @property
    def is_member(self) -> bool:
        return self.membership is Membership.MEMBER

    def __repr__(self) -> str:
        return f"<Structure {self.id} {self.name!r}>"


class StructureKindRow(db.Model):
    """One legal form of a structure; a GES often carries several (AI/ACI/GES)."""

    __tablename__ = "structure_kind"

    structure_id: Mapped[int] = mapped_column(
        ForeignKey("structure.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[StructureKind] = mapped_column(enum_column(StructureKind), primary_key=True)

    structure: Mapped[Structure] = relationship(back_populates="kind_rows")


def full_name(first_name: str, last_name: str) -> str:
    """A person's name as mail greets them and lists show them."""
    return f"{first_name} {last_name}"


class Person(db.Model):
    """Someone who registers; identified by email address, no account."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Always stored lower-cased, which makes the unique constraint case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    job_title: Mapped[str] = mapped_column(String(150), default="")
    structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("structure.id", ondelete="SET NULL"), index=True
    )
    #: Name typed by the person when their organisation is not in the directory.
    other_structure_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: SHA-256 of the token in the address of the person's own calendar feed.
    feed_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: When the retention period ended and what identified them was removed
    #: (``privacy/retention.py``).
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    structure: Mapped[Structure | None] = relationship()

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.last_name)

    @property
    def organisation_name(self) -> str:
        return self.structure.name if self.structure else self.other_structure_name
