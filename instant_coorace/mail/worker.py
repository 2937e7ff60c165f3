"""The worker: claims due mail, delivers it, records the outcome.

Claiming is atomic, so several workers can share the outbox: PostgreSQL skips
rows another worker has locked (``FOR UPDATE SKIP LOCKED``); SQLite takes its
single write lock first (``BEGIN IMMEDIATE``). A claimed mail is ``sending``
under a lease; if its worker dies, the mail becomes claimable again once the
lease has expired. A mail is marked sent only after the server accepted it, and
only by the worker whose lease is still the one recorded on the row.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from email.headerregistry import Address

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update

from instant_coorace.database import utcnow
from instant_coorace.extensions import db
from instant_coorace.mail import outcomes
from instant_coorace.mail.attachments import AttachmentUnavailable, attachments_for
from instant_coorace.mail.delivery import ClaimedMail, DeliveryFailure, Transport, open_transport
from instant_coorace.mail.links import personalise, unsubscribe_urls
from instant_coorace.mail.message import as_wire_bytes, build_message, parse_sender
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.mail.rendering import render_all_pending
from instant_coorace.privacy.retention import anonymise_when_due
from instant_coorace.transactions import write_transaction

logger = logging.getLogger(__name__)

ABANDONED = "Abandon : l'envoi a été interrompu à chaque tentative, sans réponse du serveur"

_TABLE = OutgoingMail.__table__
_CLAIMED_COLUMNS = [
    _TABLE.c[name]
    for name in (
        "id",
        "purpose",
        "attempts",
        "dedup_key",
        "to_email",
        "to_name",
        "subject",
        "text_body",
        "html_body",
        "calendar_text",
        "attachment_filename",
        "registration_id",
        "unsubscribable",
    )
]
"""What building and sending a mail needs, read as plain rows (no ORM objects)."""


def deliver_due_mail() -> int:
    """Deliver every mail due now, one batch (one connection) at a time.

    Returns how many mails it handled (sent, postponed or failed).
    """
    handled = 0
    while batch := claim_batch():
        deliver_batch(batch)
        handled += len(batch)
    return handled


PERIODIC_JOBS: tuple[Callable[[], object], ...] = (
    render_all_pending,
    deliver_due_mail,
    anonymise_when_due,
)
"""What the worker does on every tick, in order, after the mail producers."""

_mail_producers: list[Callable[[], object]] = []


def register_mail_producer(job: Callable[[], object]) -> None:
    """Have the worker run ``job`` on every tick, before rendering and delivery,
    so that what it puts in the outbox (due reminders, say) leaves in the same
    tick. The dependency points from the domains to the mail package: a domain
    registers its job when imported, and the mail package never imports it."""
    if job not in _mail_producers:
        _mail_producers.append(job)


def run_jobs() -> None:
    for job in (*_mail_producers, *PERIODIC_JOBS):
        job()


def run_forever(app: Flask, stop: threading.Event) -> None:
    """Run the periodic jobs every ``MAIL_WORKER_POLL_SECONDS`` until ``stop`` is set.

    A failing tick (database restarting, say) is logged and the loop goes on.
    """
    interval = app.config["MAIL_WORKER_POLL_SECONDS"]
    while not stop.is_set():
        with app.app_context():
            try:
                run_jobs()
            except Exception:
                logger.exception("worker tick failed; trying again in %s s", interval)
                db.session.rollback()
        stop.wait(interval)


def claim_batch(size: int | None = None) -> list[ClaimedMail]:
    """Take ownership of up to ``size`` due mails, in one short transaction."""
    config = current_app.config
    now = utcnow()
    lease = now + dt.timedelta(seconds=config["MAIL_LEASE_SECONDS"])
    due = (
        select(OutgoingMail.id)
        .where(
            or_(
                and_(
                    OutgoingMail.status == MailStatus.QUEUED,
                    OutgoingMail.next_attempt_at <= now,
                ),
                and_(OutgoingMail.status == MailStatus.SENDING, OutgoingMail.leased_until < now),
            )
        )
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
        .limit(size or config["MAIL_BATCH_SIZE"])
        .with_for_update(skip_locked=True)
    )
    with write_transaction():
        ids = list(db.session.scalars(due))
        if not ids:
            return []
        rows = db.session.execute(
            update(_TABLE)
            .where(_TABLE.c.id.in_(ids))
            .values(status=MailStatus.SENDING, leased_until=lease, attempts=_TABLE.c.attempts + 1)
            .returning(*_CLAIMED_COLUMNS)
        ).all()
        envelope_from = parse_sender(config["MAIL_DEFAULT_SENDER"]).addr_spec
        usable = []
        for row in sorted(rows, key=lambda row: row.id):
            if row.attempts > config["MAIL_MAX_ATTEMPTS"]:
                # Only a lease that expired every time gets here: a mail whose sending
                # stops its worker (every attempt) must not stop the outbox forever.
                outcome = outcomes.failed(
                    row.id, lease, f"{ABANDONED} ({row.attempts - 1} tentatives)"
                )
                db.session.execute(outcome.statement, outcome.params)
                continue
            usable.append(row)
        # The links are made real here, in memory, within the claim: if they cannot
        # be, nothing is claimed.
        unsubscribe = unsubscribe_urls({row.id for row in usable if row.unsubscribable})
        claimed = [
            ClaimedMail(
                id=row.id,
                purpose=row.purpose,
                attempts=row.attempts,
                lease=lease,
                envelope_from=envelope_from,
                envelope_to=row.to_email.strip(),
                content=content,
                list_unsubscribe=unsubscribe.get(row.id),
            )
            for row, content in zip(usable, personalise(usable), strict=True)
        ]
    # Documents are made after the claim, so no write lock waits on a PDF.
    return [_with_attachments(mail, row) for mail, row in zip(claimed, usable, strict=True)]


def _with_attachments(mail: ClaimedMail, row) -> ClaimedMail:
    try:
        attachments = attachments_for(mail.purpose, row.registration_id)
    except AttachmentUnavailable:
        attachments = None
    return dataclasses.replace(mail, attachments=attachments) if attachments != () else mail


def deliver_batch(batch: list[ClaimedMail]) -> None:
    """Send a claimed batch through one connection and record each outcome.

    The worker mostly waits for the SMTP server; meanwhile one helper thread
    builds the next messages and another commits the previous outcome.
    """
    config = current_app.config
    margin = dt.timedelta(seconds=config["MAIL_TIMEOUT_SECONDS"])
    max_attempts = config["MAIL_MAX_ATTEMPTS"]
    sender = parse_sender(config["MAIL_DEFAULT_SENDER"])
    done = 0
    with outcomes.outcome_writer(db.engine) as record, _built_ahead(batch, sender) as wires:
        try:
            with open_transport() as transport:
                for mail, wire in zip(batch, wires, strict=True):
                    if utcnow() + margin >= mail.lease:
                        return  # the rest goes back to the pool when the lease expires
                    record(_attempt(transport, mail, wire, max_attempts))
                    done += 1
        except DeliveryFailure as failure:
            for mail in batch[done:]:
                _log(mail, failure)
                record(outcomes.not_sent(mail, failure, max_attempts))


def _attempt(
    transport: Transport, mail: ClaimedMail, wire: bytes | DeliveryFailure, max_attempts: int
) -> outcomes.Outcome:
    """Send one mail; raises ``DeliveryFailure`` only when the connection is lost."""
    try:
        if isinstance(wire, DeliveryFailure):
            raise wire
        transport.send(mail, wire)
    except DeliveryFailure as failure:
        if failure.connection_lost:
            raise
        _log(mail, failure)
        return outcomes.not_sent(mail, failure, max_attempts)
    return outcomes.sent(mail)


@contextlib.contextmanager
def _built_ahead(
    batch: list[ClaimedMail], sender: Address
) -> Iterator[Iterator[bytes | DeliveryFailure]]:
    """The batch's messages as bytes, in order, built on a helper thread ahead of
    the sending; an unusable one comes as a permanent ``DeliveryFailure``."""

    def build(mail: ClaimedMail) -> bytes | DeliveryFailure:
        try:
            if mail.attachments is None:
                raise ValueError("le document joint ne peut plus être produit")
            return as_wire_bytes(
                build_message(
                    mail.content,
                    sender,
                    mail.attachments,
                    list_unsubscribe=mail.list_unsubscribe,
                )
            )
        except ValueError as error:
            return DeliveryFailure(f"Message invalide : {error}", permanent=True)

    builder = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail-builder")
    try:
        yield builder.map(build, batch)
    finally:
        builder.shutdown(cancel_futures=True)


def _log(mail: ClaimedMail, failure: DeliveryFailure) -> None:
    logger.warning("mail %s not delivered: %s", mail.id, failure.reason)
