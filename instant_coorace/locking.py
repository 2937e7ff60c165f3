"""Serialising writes per event, so that capacity checks and the writes they
allow happen as one step (the brief's "Capacity is enforced inside one
transaction that serialises per event")."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Row, Select, bindparam, select

from instant_coorace.database import SQLITE_IMMEDIATE
from instant_coorace.events.models import Audience, Event, EventStatus
from instant_coorace.extensions import db


@dataclasses.dataclass(frozen=True)
class EventTerms:
    """What placing a registrant needs to know of an event, read while locking it:
    cheaper than loading the whole ``Event``, on the path every registration takes."""

    id: int
    status: EventStatus
    audience: Audience
    capacity: int | None
    seats_per_structure: int | None
    registration_opens_at: dt.datetime | None
    registration_closes_at: dt.datetime | None
    starts_at: dt.datetime | None


def _locking_query(columns: tuple, by_slug: bool, for_update: bool) -> Select:
    key = Event.slug if by_slug else Event.id
    query = select(*columns).where(key == bindparam("key"))
    if for_update:
        query = query.with_for_update()
    return query


_WHOLE_EVENT = (Event,)
_TERMS = tuple(getattr(Event, field.name) for field in dataclasses.fields(EventTerms))

# Built once (what is read, by slug or id, with or without FOR UPDATE): every
# registration, cancellation and change starts here.
_LOCKING_QUERIES = {
    (columns, by_slug, for_update): _locking_query(columns, by_slug, for_update)
    for columns in (_WHOLE_EVENT, _TERMS)
    for by_slug in (False, True)
    for for_update in (False, True)
}


def _lock(event: int | str, columns: tuple) -> Event | Row | None:
    """Start a fresh transaction holding the write lock for ``event`` (its id, or
    its public slug) and read ``columns`` of it; ``None`` when there is no such event.

    PostgreSQL locks the event row (``SELECT … FOR UPDATE``); SQLite has only a
    database-wide write lock, taken at ``BEGIN IMMEDIATE``. The caller commits or
    rolls back, which releases the lock.
    """
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("an event's lock needs a transaction of its own; flush or commit first")
    if session.in_transaction():
        session.rollback()
    sqlite = db.engine.dialect.name == "sqlite"
    connection = session.connection(execution_options={SQLITE_IMMEDIATE: sqlite})
    query = _LOCKING_QUERIES[columns, isinstance(event, str), not sqlite]
    if columns is _WHOLE_EVENT:
        query = query.execution_options(populate_existing=True)
        return session.scalars(query, {"key": event}).one_or_none()
    # Plain columns: straight to the connection, past the ORM's execution layer.
    return connection.execute(query, {"key": event}).one_or_none()


def lock_event(event: int | str) -> Event | None:
    """Lock ``event`` (id or public slug, which spares reading the id first) in a
    fresh transaction, and load it whole, as it is now."""
    return _lock(event, _WHOLE_EVENT)


@contextmanager
def _committed() -> Iterator[None]:
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


@contextmanager
def event_transaction(event: int | str) -> Iterator[Event | None]:
    """One use case's transaction under the lock of ``event`` (id or slug):
    committed when the block ends, rolled back (and the error re-raised) when it fails."""
    locked = lock_event(event)
    with _committed():
        yield locked


@contextmanager
def placement_transaction(event: int | str) -> Iterator[EventTerms | None]:
    """Like ``event_transaction``, with only the event's ``EventTerms``."""
    row = _lock(event, _TERMS)
    with _committed():
        yield None if row is None else EventTerms(*row)
