"""Who follows a series, who asked to receive no more invitations, and the
campaigns that invite people to an event."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from instant_coorace.database import UTCDateTime, utcnow
from instant_coorace.events.models import Event, Series
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


class Campaign(db.Model):
    """An invitation to one event, written once and sent to each chosen recipient.

    ``send_key`` comes from the form that sent it: a second submission of that
    form (a double press, two tabs) finds the campaign it already made.
    """

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    #: Markdown with placeholders such as ``{prenom}`` (see ``placeholders.py``).
    body: Mapped[str] = mapped_column(Text)
    #: How the recipients were chosen, in the team's words (« ACI, 31 ; abonnés »).
    selection: Mapped[str] = mapped_column(String(1000), default="")
    send_key: Mapped[str] = mapped_column(String(32), unique=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The last « relancer », if any.
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminder_count: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship()

    @property
    def last_sent_at(self) -> dt.datetime:
        return self.reminded_at or self.sent_at


class CampaignRecipient(db.Model):
    """One person a campaign invited, and what came of it.

    The personal link is derived from ``token_nonce`` under the secret key
    (``invitations/tokens.py``); only its hash is stored. Names are copied at
    sending time: they fill the placeholders and pre-fill the form.
    """

    __tablename__ = "campaign_recipient"
    __table_args__ = (UniqueConstraint("campaign_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"))
    #: Lower-cased address.
    email: Mapped[str] = mapped_column(String(254), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    structure_id: Mapped[int | None] = mapped_column(
        ForeignKey("structure.id", ondelete="SET NULL")
    )
    structure_name: Mapped[str] = mapped_column(String(200), default="")
    job_title: Mapped[str] = mapped_column(String(150), default="")
    token_nonce: Mapped[str] = mapped_column(String(32))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: First time the registration form was opened through the personal link.
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The registration made through the personal link.
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL")
    )
    #: How many « relancer » reached this person.
    reminders: Mapped[int] = mapped_column(Integer, default=0)

    campaign: Mapped[Campaign] = relationship()
