"""The worker: claims due mail, delivers it, records the outcome.

Claiming is atomic, so several workers can share the outbox: PostgreSQL skips
rows another worker has locked (``FOR UPDATE SKIP LOCKED``); SQLite takes its
single write lock first (``BEGIN IMMEDIATE``). A claimed mail is ``sending``
under a lease; if its worker dies, the mail becomes claimable again once the
lease has expired. A mail is marked sent only after the server accepted it, and
only by the worker whose lease is still the one recorded on the row.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update

from instant_coorace.database import SQLITE_IMMEDIATE, utcnow
from instant_coorace.extensions import db
from instant_coorace.mail import outcomes
from instant_coorace.mail.delivery import ClaimedMail, DeliveryFailure, open_transport
from instant_coorace.mail.message import build_message, parse_sender
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.mail.rendering import render_all_pending

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
    )
]
"""What building and sending a mail needs, read as plain rows (no ORM objects)."""


def deliver_due_mail() -> int:
    """Deliver every mail due now, one batch (one connection) at a time.

    Returns how many mails it tried to send, whatever the outcome.
    """
    handled = 0
    while batch := claim_batch():
        deliver_batch(batch)
        handled += len(batch)
    return handled


PERIODIC_JOBS: tuple[Callable[[], object], ...] = (render_all_pending, deliver_due_mail)
"""What the worker does on every tick, in order. Finding due reminders belongs here too."""


def run_jobs() -> None:
    for job in PERIODIC_JOBS:
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
    """Take ownership of up to ``size`` due mails and build their messages."""
    config = current_app.config
    now = utcnow()
    lease = now + dt.timedelta(seconds=config["MAIL_LEASE_SECONDS"])
    _begin_write()
    due = (
        select(OutgoingMail.id)
        .where(
            or_(
                and_(OutgoingMail.status == MailStatus.QUEUED, OutgoingMail.next_attempt_at <= now),
                and_(OutgoingMail.status == MailStatus.SENDING, OutgoingMail.leased_until < now),
            )
        )
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
        .limit(size or config["MAIL_BATCH_SIZE"])
        .with_for_update(skip_locked=True)
    )
    ids = list(db.session.scalars(due))
    if not ids:
        db.session.rollback()
        return []
    rows = db.session.execute(
        update(_TABLE)
        .where(_TABLE.c.id.in_(ids))
        .values(status=MailStatus.SENDING, leased_until=lease, attempts=_TABLE.c.attempts + 1)
        .returning(*_CLAIMED_COLUMNS)
    ).all()
    sender = parse_sender(config["MAIL_DEFAULT_SENDER"])
    claimed = []
    for row in sorted(rows, key=lambda row: row.id):
        if row.attempts > config["MAIL_MAX_ATTEMPTS"]:
            # Only a lease that expired every time gets here: a mail whose sending
            # stops its worker (every attempt) must not stop the outbox forever.
            _give_up(row.id, lease, f"{ABANDONED} ({row.attempts - 1} tentatives)")
            continue
        try:
            message = build_message(row, sender)
        except ValueError as error:
            _give_up(row.id, lease, f"Message invalide : {error}")
            continue
        claimed.append(
            ClaimedMail(
                id=row.id,
                purpose=row.purpose,
                attempts=row.attempts,
                lease=lease,
                envelope_from=sender.addr_spec,
                envelope_to=row.to_email.strip(),
                message=message,
            )
        )
    db.session.commit()
    return claimed


def _give_up(mail_id: int, lease: dt.datetime, reason: str) -> None:
    outcome = outcomes.failed(mail_id, lease, reason)
    db.session.execute(outcome.statement, outcome.params)


def deliver_batch(batch: list[ClaimedMail]) -> None:
    """Send a claimed batch through one connection and record each outcome."""
    config = current_app.config
    margin = dt.timedelta(seconds=config["MAIL_TIMEOUT_SECONDS"])
    pending = list(reversed(batch))
    with outcomes.outcome_writer(db.engine) as record:
        try:
            with open_transport() as transport:
                while pending:
                    mail = pending[-1]
                    if utcnow() + margin >= mail.lease:
                        return  # the rest goes back to the pool when the lease expires
                    try:
                        transport.send(mail)
                    except DeliveryFailure as failure:
                        if failure.connection_lost:
                            raise
                        _log(mail, failure)
                        record(outcomes.not_sent(mail, failure, config["MAIL_MAX_ATTEMPTS"]))
                    else:
                        record(outcomes.sent(mail))
                    pending.pop()
        except DeliveryFailure as failure:
            for mail in pending:
                _log(mail, failure)
                record(outcomes.not_sent(mail, failure, config["MAIL_MAX_ATTEMPTS"]))


def _log(mail: ClaimedMail, failure: DeliveryFailure) -> None:
    logger.warning("mail %s not delivered: %s", mail.id, failure.reason)


def _begin_write() -> None:
    """Start a fresh transaction; on SQLite, one that holds the write lock from
    its first statement, so a claim's read and update cannot interleave with
    another worker's."""
    session = db.session()
    if session.in_transaction():
        session.rollback()
    if db.engine.dialect.name == "sqlite":
        session.connection(execution_options={SQLITE_IMMEDIATE: True})
