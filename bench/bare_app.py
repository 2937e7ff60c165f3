"""The yardstick of the benchmark: a bare Flask endpoint that inserts one row.

Same database (``DATABASE_URL``), same engine options and SQLite settings (WAL,
``synchronous=NORMAL``, busy timeout) as the application, served by the same
gunicorn settings; everything else the real registration does (sessions, CSRF,
validation, locking, capacity rules, templates) is absent.

Run under gunicorn: ``gunicorn 'bench.bare_app:create_app()'``.
"""

from __future__ import annotations

import os

from flask import Flask, request
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, func

import config
import instant_coorace.database  # noqa: F401 - the app's SQLite pragmas, applied to every engine

metadata = MetaData()
bench_row = Table(
    "bench_row",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=func.now()),
)


def create_app() -> Flask:
    """The bare application on ``DATABASE_URL`` (the ``bench_row`` table must exist)."""
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, **config.engine_options(url))
    app = Flask(__name__)

    @app.post("/rows")
    def insert_row():
        with engine.begin() as connection:
            connection.execute(bench_row.insert().values(email=request.form.get("email", "")))
        return "", 204

    @app.get("/")
    def index():
        return "bare"

    return app
