"""The outbox: one row per email to send, frozen when the change that causes it commits."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from instant_coorace.database import UTCDateTime, utcnow
from instant_coorace.enums import enum_column
from instant_coorace.extensions import db


class MailStatus(enum.StrEnum):
    """The life of a mail: pending → queued → sending → sent, or back to queued
    after a temporary failure, or failed; staff may cancel a queued one."""

    #: Written with the change that causes it; the worker renders it, then queues it
    #: (or cancels it when it no longer applies, e.g. an invitation to a seat since given up).
    PENDING = "pending"
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class CalendarMethod(enum.StrEnum):
    """The iTIP method of an attached calendar (RFC 5546)."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"
    PUBLISH = "PUBLISH"


class OutgoingMail(db.Model):
    """An email waiting for, or done with, delivery.

    A mail is either rendered when it is enqueued (status ``queued``), or written
    as ``pending`` with its ``render_args`` inside the transaction of the change
    that causes it, and rendered by the worker just before delivery: rendering
    then costs nothing while that change holds the event's lock. Once rendered,
    what is stored here is what is sent, never rendered again.
    """

    __tablename__ = "outgoing_mail"
    __table_args__ = (
        #: The worker's claim looks for due mail in one status: keep that scan short.
        Index("ix_outgoing_mail_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Why the mail exists, e.g. ``registration_confirmed``.
    purpose: Mapped[str] = mapped_column(String(64), index=True)
    #: Unique per purpose, registration and version (see ``outbox.mail_key``):
    #: a second enqueue with the same key is a no-op, so nothing is sent twice.
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    to_email: Mapped[str] = mapped_column(String(254), index=True)
    #: The recipient's display name, possibly empty.
    to_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    #: HTML alternative of ``text_body``; empty for a plain-text mail.
    html_body: Mapped[str] = mapped_column(Text, default="")
    #: A complete iCalendar object (CRLF line endings) sent inline and as an attachment.
    calendar_text: Mapped[str | None] = mapped_column(Text)
    #: The METHOD line of ``calendar_text``, read from it at enqueue time.
    calendar_method: Mapped[CalendarMethod | None] = mapped_column(enum_column(CalendarMethod))
    #: For a ``pending`` mail: what its renderer needs (see ``outbox.register_renderer``).
    render_args: Mapped[dict | None] = mapped_column(JSON)
    #: File name of the calendar attachment, e.g. ``invitation.ics``.
    attachment_filename: Mapped[str | None] = mapped_column(String(100))
    #: Not transactional (an invitation, an announcement): the worker gives it the
    #: ``List-Unsubscribe`` headers of RFC 8058, whose link it makes at delivery.
    unsubscribable: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="SET NULL"), index=True
    )
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[MailStatus] = mapped_column(enum_column(MailStatus), default=MailStatus.QUEUED)
    #: Delivery attempts begun, counted when the worker claims the mail.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: When a queued mail becomes due (UTC); pushed back after a temporary failure.
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: While ``sending``: until when the claiming worker owns the mail. A mail still
    #: ``sending`` after that (its worker crashed) may be claimed again.
    leased_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The last failure, as the SMTP server or the system worded it.
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the SMTP server accepted the mail (or its ``.eml`` file was written).
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
