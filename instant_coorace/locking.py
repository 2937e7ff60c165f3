"""Serialising writes per event, so that capacity checks and the writes they
allow happen as one step (the brief's "Capacity is enforced inside one
transaction that serialises per event")."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Row, Select, bindparam, select

from instant_coorace.events.models import Audience, Event, EventStatus
from instant_coorace.extensions import db
from instant_coorace.transactions import write_transaction


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
    """Lock ``event`` (its id, or its public slug) in the current writing
    transaction and read ``columns`` of it; ``None`` when there is no such event.

    PostgreSQL locks the event row (``SELECT … FOR UPDATE``); SQLite has only a
    database-wide write lock, which the writing transaction took at ``BEGIN
    IMMEDIATE``. Committing or rolling back releases the lock.
    """
    session = db.session()
    sqlite = db.engine.dialect.name == "sqlite"
    query = _LOCKING_QUERIES[columns, isinstance(event, str), not sqlite]
    if columns is _WHOLE_EVENT:
        query = query.execution_options(populate_existing=True)
        return session.scalars(query, {"key": event}).one_or_none()
    # Plain columns: straight to the connection, past the ORM's execution layer.
    return session.connection().execute(query, {"key": event}).one_or_none()


def lock_event(event: int | str) -> Event | None:
    """Lock ``event`` (id or public slug, which spares reading the id first) in
    the current writing transaction, and load it whole, as it is now."""
    return _lock(event, _WHOLE_EVENT)


@contextmanager
def event_transaction(event: int | str) -> Iterator[Event | None]:
    """One use case's writing transaction under the lock of ``event`` (id or slug)."""
    with write_transaction():
        yield lock_event(event)


@contextmanager
def placement_transaction(event: int | str) -> Iterator[EventTerms | None]:
    """Like ``event_transaction``, with only the event's ``EventTerms``."""
    with write_transaction():
        row = _lock(event, _TERMS)
        yield None if row is None else EventTerms(*row)
