"""Serialising writes per event, so that capacity checks and the writes they
allow happen as one step (the brief's "Capacity is enforced inside one
transaction that serialises per event")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Select, bindparam, select

from instant_coorace.database import SQLITE_IMMEDIATE
from instant_coorace.events.models import Event
from instant_coorace.extensions import db


def lock_event(event: int | str) -> Event | None:
    """Start a fresh transaction holding the write lock for ``event``: its id, or
    its public slug (the public form knows only the slug, and reading the id
    first would cost a statement).

    PostgreSQL locks the event row (``SELECT … FOR UPDATE``); SQLite has only a
    database-wide write lock, taken at ``BEGIN IMMEDIATE``. The caller commits or
    rolls back, which releases the lock.
    """
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("lock_event() must start its own transaction; flush or commit first")
    if session.in_transaction():
        session.rollback()
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        session.connection(execution_options={SQLITE_IMMEDIATE: True})
    query = _LOCKING_QUERIES[isinstance(event, str), not sqlite]
    return session.scalars(query, {"key": event}).one_or_none()


def _locking_query(by_slug: bool, for_update: bool) -> Select:
    key = Event.slug if by_slug else Event.id
    query = select(Event).where(key == bindparam("key"))
    if for_update:
        query = query.with_for_update()
    return query.execution_options(populate_existing=True)


# Built once (by slug or id, with or without FOR UPDATE): every registration,
# cancellation and change starts here.
_LOCKING_QUERIES = {
    (by_slug, for_update): _locking_query(by_slug, for_update)
    for by_slug in (False, True)
    for for_update in (False, True)
}


@contextmanager
def event_transaction(event: int | str) -> Iterator[Event | None]:
    """One use case's transaction under the lock of ``event`` (id or slug):
    committed when the block ends, rolled back (and the error re-raised) when it fails."""
    locked = lock_event(event)
    try:
        yield locked
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
