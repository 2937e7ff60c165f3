"""Putting mail in the outbox, and the team's actions on it.

``enqueue`` only adds a row to the current session: the service that causes the
mail commits it together with its own change, so the mail exists if and only if
the change does.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlalchemy import Insert, func, select, update
from sqlalchemy.exc import IntegrityError

from instant_coorace.database import bound, per_dialect, utcnow
from instant_coorace.extensions import db
from instant_coorace.mail.message import calendar_method
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.pagination import Page, paginate
from instant_coorace.transactions import write_transaction

PAGE_SIZE = 50


@dataclasses.dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""


@dataclasses.dataclass(frozen=True)
class CalendarAttachment:
    """A rendered iCalendar object; its METHOD line decides the MIME ``method``."""

    text: str
    filename: str = "invitation.ics"


class OutboxError(Exception):
    """A refused action on the outbox, with a French message for the team."""

    http_status = 409

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MailNotFound(OutboxError):
    http_status = 404

    def __init__(self) -> None:
        super().__init__("Ce courriel n'existe pas.")


def mail_key(purpose: str, registration_id: int | None, version: int | str) -> str:
    """The deduplication key of a mail: one per purpose, registration and version.

    ``version`` tells apart mails that legitimately repeat for one registration,
    e.g. the event's calendar sequence for « événement modifié ».
    """
    return f"{purpose}:{registration_id or '-'}:{version}"


def enqueue(
    *,
    purpose: str,
    dedup_key: str,
    recipient: Recipient,
    subject: str,
    text_body: str,
    html_body: str = "",
    calendar: CalendarAttachment | None = None,
    registration_id: int | None = None,
    event_id: int | None = None,
) -> OutgoingMail | None:
    """Add a mail to the caller's transaction, unless one with ``dedup_key`` exists.

    Returns the new mail, or ``None`` when the key was already used. Does not
    commit. Raises ``ValueError`` when ``calendar`` has no valid METHOD.
    """
    return _add_unless_duplicate(
        OutgoingMail(
            purpose=purpose,
            dedup_key=dedup_key,
            to_email=recipient.email,
            to_name=recipient.name,
            subject=subject,
            text_body=text_body,
            html_body=html_body,
            calendar_text=calendar.text if calendar else None,
            calendar_method=calendar_method(calendar.text) if calendar else None,
            attachment_filename=calendar.filename if calendar else None,
            registration_id=registration_id,
            event_id=event_id,
            status=MailStatus.QUEUED,
            attempts=0,
            next_attempt_at=utcnow(),
        )
    )


_PENDING_COLUMNS = (
    "purpose",
    "dedup_key",
    "to_email",
    "to_name",
    "subject",
    "text_body",
    "render_args",
    "registration_id",
    "event_id",
    "status",
    "attempts",
    "next_attempt_at",
    "unsubscribable",
)


def _pending_insert(insert: Callable) -> Insert:
    table = OutgoingMail.__table__
    return (
        insert(table)
        .values(bound(_PENDING_COLUMNS))
        .on_conflict_do_nothing(index_elements=[table.c.dedup_key])
        .returning(table.c.id)
    )


def _pending_insert_many(insert: Callable) -> Insert:
    table = OutgoingMail.__table__
    return insert(table).on_conflict_do_nothing(index_elements=[table.c.dedup_key])


# Built once per dialect: they run under the event's lock at every registration.
_PENDING_INSERTS = per_dialect(_pending_insert)
_PENDING_INSERTS_MANY = per_dialect(_pending_insert_many)


def enqueue_pending(
    *,
    purpose: str,
    dedup_key: str,
    recipient: Recipient,
    render_args: dict,
    registration_id: int | None = None,
    event_id: int | None = None,
    unsubscribable: bool = False,
) -> int | None:
    """Like ``enqueue``, for a mail the worker renders before sending it (see
    ``mail/rendering.py``). One Core statement (``INSERT … ON CONFLICT DO
    NOTHING``) on the session's connection, cheap enough for a transaction
    holding an event's lock; what it refers to must have been flushed. Returns
    the new mail's id, or ``None`` when the key was already used.

    ``unsubscribable``: a mail that is not transactional, which gets the
    ``List-Unsubscribe`` headers; enqueue those through
    ``invitations.unsubscribe.enqueue_optional``, which also leaves out the
    addresses that unsubscribed."""
    connection = db.session.connection()
    return connection.scalar(
        _PENDING_INSERTS[connection.dialect.name],
        _pending_row(purpose, dedup_key, recipient, render_args, registration_id, event_id)
        | {"unsubscribable": unsubscribable},
    )


@dataclasses.dataclass(frozen=True)
class PendingMail:
    """One mail of ``enqueue_pending_many``."""

    dedup_key: str
    recipient: Recipient
    render_args: dict


def enqueue_pending_many(
    purpose: str, mails: list[PendingMail], *, event_id: int | None, unsubscribable: bool
) -> None:
    """Several ``enqueue_pending`` at once, for a campaign of thousands: one
    ``executemany`` of one prepared statement (psycopg pipelines the rows, SQLite
    runs them in one call), no round trip per mail. A key already used is
    skipped, silently: give keys that are new (the drivers do not count them)."""
    if not mails:
        return
    connection = db.session.connection()
    rows = [
        _pending_row(purpose, mail.dedup_key, mail.recipient, mail.render_args, None, event_id)
        | {"unsubscribable": unsubscribable}
        for mail in mails
    ]
    connection.execute(_PENDING_INSERTS_MANY[connection.dialect.name], rows)


def _pending_row(
    purpose: str,
    dedup_key: str,
    recipient: Recipient,
    render_args: dict,
    registration_id: int | None,
    event_id: int | None,
) -> dict[str, object]:
    return {
        "purpose": purpose,
        "dedup_key": dedup_key,
        "to_email": recipient.email,
        "to_name": recipient.name,
        "subject": "",
        "text_body": "",
        "render_args": render_args,
        "registration_id": registration_id,
        "event_id": event_id,
        "status": MailStatus.PENDING,
        "attempts": 0,
        "next_attempt_at": utcnow(),
    }


def withdraw(mail_ids: list[int], reason: str) -> list[int]:
    """Cancel those of ``mail_ids`` no worker has taken for delivery (pending,
    queued, or failed and so never received), in the caller's transaction;
    returns the ids withdrawn. A mail being sent or sent stays as it is."""
    table = OutgoingMail.__table__
    return list(
        db.session.execute(
            update(table)
            .where(
                table.c.id.in_(mail_ids),
                table.c.status.in_((MailStatus.PENDING, MailStatus.QUEUED, MailStatus.FAILED)),
            )
            .values(status=MailStatus.CANCELLED, leased_until=None, last_error=reason)
            .returning(table.c.id)
        ).scalars()
    )


def _add_unless_duplicate(mail: OutgoingMail) -> OutgoingMail | None:
    """Add ``mail`` to the caller's transaction unless its key was used: the unique
    constraint refuses the row, and the savepoint keeps the caller's change alive."""
    try:
        with db.session.begin_nested():
            db.session.add(mail)
    except IntegrityError:
        return None
    return mail


@dataclasses.dataclass(frozen=True)
class OutboxListing:
    mails: Page[OutgoingMail]
    counts: dict[MailStatus, int]


def list_mail(status: MailStatus | None = None, page: int = 1) -> OutboxListing:
    """Newest mail first, optionally of one status, with the count of each status."""
    query = select(OutgoingMail).order_by(OutgoingMail.created_at.desc(), OutgoingMail.id.desc())
    if status is not None:
        query = query.where(OutgoingMail.status == status)
    found = dict(
        db.session.execute(
            select(OutgoingMail.status, func.count()).group_by(OutgoingMail.status)
        ).all()
    )
    counts = {value: found.get(value, 0) for value in MailStatus}
    total = sum(counts.values()) if status is None else counts[status]
    return OutboxListing(paginate(query, page, PAGE_SIZE, total), counts)


def get_mail(mail_id: int) -> OutgoingMail:
    mail = db.session.get(OutgoingMail, mail_id)
    if mail is None:
        raise MailNotFound()
    return mail


def retry(mail_id: int) -> None:
    """Queue a failed mail again, due now, with a fresh count of attempts."""
    _change_status(
        mail_id,
        MailStatus.FAILED,
        {"status": MailStatus.QUEUED, "attempts": 0, "next_attempt_at": utcnow()},
        "Seul un courriel en échec peut être renvoyé.",
    )


def cancel(mail_id: int) -> None:
    """Withdraw a mail that is still waiting to be sent."""
    _change_status(
        mail_id,
        MailStatus.QUEUED,
        {"status": MailStatus.CANCELLED},
        "Seul un courriel en attente peut être annulé : celui-ci est parti ou en cours d'envoi.",
    )


def _change_status(
    mail_id: int, expected: MailStatus, values: dict[str, object], refusal: str
) -> None:
    """Apply ``values`` only if the mail is still in ``expected``: the worker may
    have claimed it since the page was shown."""
    with write_transaction():
        changed = db.session.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id == mail_id, OutgoingMail.status == expected)
            .values(leased_until=None, **values)
        ).rowcount
    if changed:
        return
    if db.session.get(OutgoingMail, mail_id) is None:
        raise MailNotFound()
    raise OutboxError(refusal)
