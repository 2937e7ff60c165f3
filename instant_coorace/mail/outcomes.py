"""Recording what became of each claimed mail.

Every outcome is fenced by the lease: it changes the row only while the row is
still ``sending`` under the lease of the worker that sent it, so a worker that
lost its lease (it stalled, another took over) cannot overwrite anything.

Outcomes are written one short transaction each, on a helper thread while
the next mail is on the wire, so a crash forgets at most the mail in flight
and the outcome of the one before (``outcome_writer``). On PostgreSQL
they commit without waiting for the WAL flush, as SQLite does here
(``synchronous=NORMAL``): a worker crash loses nothing; a database crash may
forget the last fraction of a second of outcomes, and those mails would go
again, under the same Message-ID.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import Update, bindparam, text, update
from sqlalchemy.engine import Connection, Engine

from instant_coorace.database import SQLITE_IMMEDIATE, utcnow
from instant_coorace.mail.delivery import ClaimedMail, DeliveryFailure
from instant_coorace.mail.models import MailStatus, OutgoingMail

RETRY_DELAYS = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=15),
    dt.timedelta(hours=1),
    dt.timedelta(hours=4),
)
"""Wait after the 1st, 2nd… temporary failure; the last one repeats."""

_TABLE = OutgoingMail.__table__
_NO_FLUSH_WAIT = text("SET synchronous_commit TO OFF")
_FLUSH_WAIT_AGAIN = text("RESET synchronous_commit")


def _fenced_update(**values: object) -> Update:
    return (
        update(_TABLE)
        .where(
            _TABLE.c.id == bindparam("mail_id"),
            _TABLE.c.status == MailStatus.SENDING,
            _TABLE.c.leased_until == bindparam("lease"),
        )
        .values(leased_until=None, **values)
    )


# Built once: a batch records a hundred outcomes, and building a statement costs
# more than running it.
_SENT = _fenced_update(status=MailStatus.SENT, sent_at=bindparam("now"), last_error="")
_RETRY = _fenced_update(
    status=MailStatus.QUEUED, next_attempt_at=bindparam("retry_at"), last_error=bindparam("reason")
)
_FAILED = _fenced_update(status=MailStatus.FAILED, last_error=bindparam("reason"))


@dataclasses.dataclass(frozen=True)
class Outcome:
    statement: Update
    params: dict[str, object]


def retry_delay(attempts: int) -> dt.timedelta:
    return RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]


def sent(mail: ClaimedMail) -> Outcome:
    return Outcome(_SENT, {"mail_id": mail.id, "lease": mail.lease, "now": utcnow()})


def failed(mail_id: int, lease: dt.datetime, reason: str) -> Outcome:
    return Outcome(_FAILED, {"mail_id": mail_id, "lease": lease, "reason": reason})


def not_sent(mail: ClaimedMail, failure: DeliveryFailure, max_attempts: int) -> Outcome:
    """Failed for good, or queued again after a delay that grows with the attempts."""
    if failure.permanent:
        return failed(mail.id, mail.lease, failure.reason)
    if mail.attempts >= max_attempts:
        reason = f"{failure.reason} (abandon après {mail.attempts} tentatives)"
        return failed(mail.id, mail.lease, reason)
    retry_at = utcnow() + retry_delay(mail.attempts)
    return Outcome(
        _RETRY,
        {"mail_id": mail.id, "lease": mail.lease, "retry_at": retry_at, "reason": failure.reason},
    )


@contextlib.contextmanager
def outcome_writer(engine: Engine) -> Iterator[Callable[[Outcome], None]]:
    """Yield ``record(outcome)``, which commits one outcome in its own short
    transaction on a helper thread (its own connection, kept for the batch), so
    that the next mail goes on the wire meanwhile.

    ``record`` first waits for the previous commit: besides the mail being sent,
    at most one outcome is ever uncommitted, so a worker that crashes leaves at
    most two mails to go again. Every outcome is committed when the block ends.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail-outcomes") as helper:
        writer = _Writer(engine)
        helper.submit(writer.open).result()
        previous: Future | None = None

        def record(outcome: Outcome) -> None:
            nonlocal previous
            if previous is not None:
                previous.result()  # a failed commit stops the batch here
            previous = helper.submit(writer.write, outcome)

        try:
            yield record
            if previous is not None:
                previous.result()
        finally:
            helper.submit(writer.close).result()


class _Writer:
    """The helper thread's connection; used by that thread only."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Connection | None = None

    def open(self) -> None:
        connection = self.engine.connect()
        if self.engine.dialect.name == "postgresql":
            # One UPDATE is its own transaction: one round trip per outcome.
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(_NO_FLUSH_WAIT)
        else:
            connection = connection.execution_options(**{SQLITE_IMMEDIATE: True})
        self.connection = connection

    def write(self, outcome: Outcome) -> None:
        if self.engine.dialect.name == "postgresql":
            self.connection.execute(outcome.statement, outcome.params)
            return
        with self.connection.begin():
            self.connection.execute(outcome.statement, outcome.params)

    def close(self) -> None:
        if self.engine.dialect.name == "postgresql":
            self.connection.execute(_FLUSH_WAIT_AGAIN)
        self.connection.close()
