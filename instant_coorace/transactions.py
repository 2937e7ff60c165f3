"""The one way a service writes: ``with write_transaction():``.

SQLite has a single database-wide write lock. A transaction that begins
deferred (a plain ``BEGIN``), reads, and then writes must upgrade its read
snapshot to the write lock; when another connection committed in between (a
mail worker, a registration), SQLite refuses at once with ``database is
locked`` (``SQLITE_BUSY_SNAPSHOT``), without waiting for the busy timeout. A
writing use case therefore takes the write lock when it begins (``BEGIN
IMMEDIATE``): it waits its turn, then nothing can come between its reads and
its writes. PostgreSQL needs nothing of the kind (its row locks are taken by
the statements themselves), and the option is ignored there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from instant_coorace.database import SQLITE_IMMEDIATE
from instant_coorace.extensions import db

_DEPTH = "write_transaction_depth"


@contextmanager
def write_transaction() -> Iterator[Session]:
    """One use case's writing transaction: committed when the block ends,
    rolled back (and the error re-raised) when it fails.

    Whatever the session read before is dropped first, so every read that a
    decision rests on happens under the write lock. A block nested in another
    joins it: only the outermost commits.
    """
    session = db.session()
    if session.info.get(_DEPTH):
        session.info[_DEPTH] += 1
        try:
            yield session
        finally:
            session.info[_DEPTH] -= 1
        return
    begin_writing(session)
    session.info[_DEPTH] = 1
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info[_DEPTH] = 0


def begin_writing(session: Session) -> None:
    """Start a fresh transaction on ``session`` that holds SQLite's write lock.

    For callers that manage the end of the transaction themselves (the event
    lock, the worker's claim); everyone else uses ``write_transaction``.
    """
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("a writing transaction must begin clean; flush or commit first")
    if session.in_transaction():
        session.rollback()
    session.connection(execution_options={SQLITE_IMMEDIATE: True})
