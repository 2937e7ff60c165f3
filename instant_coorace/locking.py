"""Serialising writes per event, so that capacity checks and the writes they
allow happen as one step (the brief's "Capacity is enforced inside one
transaction that serialises per event")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select

from instant_coorace.database import SQLITE_IMMEDIATE
from instant_coorace.events.models import Event
from instant_coorace.extensions import db


def lock_event(event_id: int) -> Event | None:
    """Start a fresh transaction holding the write lock for ``event_id``.

    PostgreSQL locks the event row (``SELECT … FOR UPDATE``); SQLite has only a
    database-wide write lock, taken at ``BEGIN IMMEDIATE``. The caller commits or
    rolls back, which releases the lock.
    """
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("lock_event() must start its own transaction; flush or commit first")
    if session.in_transaction():
        session.rollback()
    if db.engine.dialect.name == "sqlite":
        session.connection(execution_options={SQLITE_IMMEDIATE: True})
        return session.get(Event, event_id, populate_existing=True)
    return session.scalars(
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


@contextmanager
def event_transaction(event_id: int) -> Iterator[Event | None]:
    """One use case's transaction under the event's lock: committed when the
    block ends, rolled back (and the error re-raised) when it fails."""
    event = lock_event(event_id)
    try:
        yield event
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
