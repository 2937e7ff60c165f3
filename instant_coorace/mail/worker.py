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
from instant_coorace.mail.delivery import ClaimedMail, DeliveryFailure, open_transport
from instant_coorace.mail.message import build_message, parse_sender
from instant_coorace.mail.models import MailStatus, OutgoingMail

logger = logging.getLogger(__name__)

RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=4),
)
"""Wait after the 1st, 2nd… temporary failure; the last one repeats."""


def deliver_due_mail() -> int:
    """Deliver every mail due now, one batch (one connection) at a time.

    Returns how many mails were handled, whatever their outcome.
    """
    handled = 0
    while batch := claim_batch():
        deliver_batch(batch)
        handled += len(batch)
    return handled


PERIODIC_JOBS: tuple[Callable[[], object], ...] = (deliver_due_mail,)
"""What the worker does on every tick. Finding due reminders belongs here too."""


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
    mails = db.session.scalars(
        update(OutgoingMail)
        .where(OutgoingMail.id.in_(ids))
        .values(status=MailStatus.SENDING, leased_until=lease, attempts=OutgoingMail.attempts + 1)
        .returning(OutgoingMail)
        .execution_options(synchronize_session=False, populate_existing=True)
    ).all()
    sender = parse_sender(config["MAIL_DEFAULT_SENDER"])
    claimed, unbuildable = [], []
    for mail in sorted(mails, key=lambda mail: mail.id):
        try:
            claimed.append(
                ClaimedMail(
                    id=mail.id,
                    purpose=mail.purpose,
                    attempts=mail.attempts,
                    lease=lease,
                    envelope_from=sender.addr_spec,
                    envelope_to=mail.to_email.strip(),
                    message=build_message(mail, sender),
                )
            )
        except ValueError as error:
            unbuildable.append((mail.id, str(error)))
    db.session.commit()
    for mail_id, reason in unbuildable:
        _settle(mail_id, lease, status=MailStatus.FAILED, last_error=f"Message invalide : {reason}")
    return claimed


def deliver_batch(batch: list[ClaimedMail]) -> None:
    """Send a claimed batch through one connection and record each outcome."""
    margin = dt.timedelta(seconds=current_app.config["MAIL_TIMEOUT_SECONDS"])
    pending = list(batch)
    try:
        with open_transport() as transport:
            while pending:
                mail = pending[0]
                if utcnow() + margin >= mail.lease:
                    return  # the rest goes back to the pool when the lease expires
                try:
                    transport.send(mail)
                except DeliveryFailure as failure:
                    if failure.connection_lost:
                        raise
                    _record_failure(mail, failure)
                else:
                    _settle(
                        mail.id, mail.lease, status=MailStatus.SENT, sent_at=utcnow(), last_error=""
                    )
                pending.pop(0)
    except DeliveryFailure as failure:
        for mail in pending:
            _record_failure(mail, failure)


def retry_delay(attempts: int) -> dt.timedelta:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def _record_failure(mail: ClaimedMail, failure: DeliveryFailure) -> None:
    max_attempts = current_app.config["MAIL_MAX_ATTEMPTS"]
    if failure.permanent:
        _settle(mail.id, mail.lease, status=MailStatus.FAILED, last_error=failure.reason)
    elif mail.attempts >= max_attempts:
        _settle(
            mail.id,
            mail.lease,
            status=MailStatus.FAILED,
            last_error=f"{failure.reason} (abandon après {mail.attempts} tentatives)",
        )
    else:
        _settle(
            mail.id,
            mail.lease,
            status=MailStatus.QUEUED,
            next_attempt_at=utcnow() + retry_delay(mail.attempts),
            last_error=failure.reason,
        )
    logger.warning("mail %s not delivered: %s", mail.id, failure.reason)


def _settle(mail_id: int, lease: dt.datetime, **values: object) -> None:
    """Record an outcome, unless another worker has claimed the mail since
    (then the row's lease is no longer ours and nothing changes)."""
    _begin_write()
    db.session.execute(
        update(OutgoingMail)
        .where(
            OutgoingMail.id == mail_id,
            OutgoingMail.status == MailStatus.SENDING,
            OutgoingMail.leased_until == lease,
        )
        .values(leased_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _begin_write() -> None:
    """Start a fresh transaction; on SQLite, one that holds the write lock from
    its first statement, so a claim's read and update cannot interleave with
    another worker's."""
    session = db.session()
    if session.in_transaction():
        session.rollback()
    if db.engine.dialect.name == "sqlite":
        session.connection(execution_options={SQLITE_IMMEDIATE: True})
