"""Database foundations shared by every domain: the declarative base, the UTC
column type, and the engine settings that make SQLite behave transactionally."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import BindParameter, DateTime, Insert, MetaData, bindparam, event, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.types import TypeDecorator

from instant_coorace import search

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_IMMEDIATE = "sqlite_begin_immediate"
"""Execution option asking SQLite to take the write lock when the transaction begins."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# A schema made by ``create_all`` (tests, benchmarks) has the search function too.
event.listen(
    Base.metadata, "after_create", search.POSTGRESQL_FUNCTION.execute_if(dialect="postgresql")
)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def per_dialect(build: Callable[[Callable[..., Insert]], Insert]) -> dict[str, Insert]:
    """``build(insert)`` with each supported dialect's ``insert`` (``ON CONFLICT``
    is spelled per dialect), by dialect name: hot-path statements are built once,
    at import, and picked with ``connection.dialect.name``."""
    return {"postgresql": build(pg_insert), "sqlite": build(sqlite_insert)}


def room_to_aggregate(session: Session) -> None:
    """Let PostgreSQL sort and hash in memory for the rest of the transaction.

    The default ``work_mem`` (4 MB) holds a year of 20,000 registrations, not
    one of 200,000: the figures' hash joins and materialised CTEs then spill to
    temporary files, a cost that appears with the data's size. 64 MB, for one
    read-only transaction of one staff request, keeps them in memory. SQLite's
    counterpart is the page cache set on every connection.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL work_mem = '64MB'"))


def bound(names: Iterable[str]) -> dict[str, BindParameter]:
    """A ``values()`` mapping that binds each column to the parameter of its name."""
    return {name: bindparam(name) for name in names}


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no timezone support, so values are stored naive in UTC and made
    aware again on the way out; naive values are refused on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, connection_record: Any) -> None:
    if type(dbapi_connection).__module__.split(".")[0] not in ("sqlite3", "pysqlite2"):
        return
    # Let SQLAlchemy, not the driver, decide when transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # The year's figures sort and count distinct people over whole tables: a
    # 64 MiB page cache (the default is 2 MiB) and sorts in memory keep that
    # from spilling to disk as the history grows.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()
    dbapi_connection.create_function("ic_fold", 1, search.fold, deterministic=True)


@event.listens_for(Engine, "connect")
def _configure_postgresql(dbapi_connection: Any, connection_record: Any) -> None:
    """Turn PostgreSQL's JIT compiler off for the session.

    Our statements are short; JIT pays off only for queries running many
    seconds. Above its cost thresholds (crossed by the year's figures once a
    year holds some 200,000 registrations) PostgreSQL spent 0.3 s compiling
    each figures query that then ran in 0.3 s: the page took twice as long.
    """
    if type(dbapi_connection).__module__.split(".")[0] != "psycopg":
        return
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # a SET inside a rolled-back transaction is undone
    dbapi_connection.execute("SET jit = off")
    dbapi_connection.autocommit = autocommit


@event.listens_for(Engine, "begin")
def _begin_sqlite(connection: Any) -> None:
    if connection.dialect.name != "sqlite":
        return
    immediate = connection.get_execution_options().get(SQLITE_IMMEDIATE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
