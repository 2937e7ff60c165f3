"""Who follows a series, and who asked to receive no more invitations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from instant_coorace.database import UTCDateTime, utcnow
from instant_coorace.events.models import Series
from instant_coorace.extensions import db
from instant_coorace.members.models import Person


class SeriesFollower(db.Model):
    """A person who wants to hear of the next events of a series.

    Someone not yet known follows only once they confirm from a mail (double
    opt-in): until then ``confirmed_at`` is empty and they receive nothing.
    """

    __tablename__ = "series_follower"
    __table_args__ = (UniqueConstraint("series_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The follower's personal link (confirm, stop following) derives from this
    #: nonce; only its SHA-256 is stored (``invitations/following.py``).
    token_nonce: Mapped[str | None] = mapped_column(String(32))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: When the last confirmation mail was asked for; its link expires after it.
    confirmation_sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    series: Mapped[Series] = relationship()
    person: Mapped[Person] = relationship()

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class Unsubscription(db.Model):
    """An address that asked for no more invitations, announcements or follow-ups.

    Kept by address, not by person, so that it holds for an address pasted into
    a campaign before anyone registered with it, and after the person's record
    is anonymised. Only the person can undo it (by following again or
    registering); the team sees it but cannot re-subscribe anyone.
    """

    __tablename__ = "unsubscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased address.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    #: The purpose of the mail whose link was used (e.g. ``campaign_invitation``).
    from_purpose: Mapped[str] = mapped_column(String(64), default="")
    #: The subject of that mail, so the team can tell « from what ».
    from_subject: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
