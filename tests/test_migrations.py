"""The Alembic migrations build exactly the schema the models describe, from an
empty database, on both backends — the way a deployment runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.live_server import PROJECT_ROOT

FLASK = str(Path(sys.executable).with_name("flask"))


@pytest.fixture
def empty_database(database_url) -> str:
    """``database_url`` with nothing in it (no ``create_all`` here)."""
    if database_url.startswith("postgresql"):
        engine = create_engine(database_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    return database_url


def flask_db(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {
        "FLASK_APP": "instant_coorace",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "migration-test-secret",
        "INSTANT_COORACE_ENV": "testing",
    }
    return subprocess.run(
        [FLASK, "db", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_ok(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"


def tables(database_url: str) -> set[str]:
    engine = create_engine(database_url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_from_empty_matches_the_models(empty_database):
    assert_ok(flask_db(empty_database, "upgrade"))
    check = flask_db(empty_database, "check")
    assert check.returncode == 0, f"models and migrations differ:\n{check.stdout}\n{check.stderr}"
    assert {"event", "registration", "person", "structure", "staff_user"} <= tables(empty_database)


def test_downgrade_to_base_then_upgrade_again(empty_database):
    assert_ok(flask_db(empty_database, "upgrade"))
    assert_ok(flask_db(empty_database, "downgrade", "base"))
    assert tables(empty_database) <= {"alembic_version"}
    assert_ok(flask_db(empty_database, "upgrade"))
    assert_ok(flask_db(empty_database, "check"))


def test_existing_registrations_take_their_persons_name(empty_database):
    """Registrations made before they kept a name of their own show the one
    their person has."""
    assert_ok(flask_db(empty_database, "upgrade", "0010"))
    now = "2026-01-05 09:00:00+00:00"
    engine = create_engine(empty_database)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO person (id, email, first_name, last_name, job_title,"
                " other_structure_name, created_at) VALUES"
                " (1, 'camille@example.org', 'Camille', 'Martin', 'Directrice', 'Asso', :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO event (id, kind, title, slug, description, audience, format,"
                " venue_name, venue_address, department, visio_url, status,"
                " calendar_sequence, created_at, updated_at) VALUES (1, 'formation', 'F',"
                " 'f', '', 'public', 'online', '', '', '', '', 'published', 0, :now, :now)"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO registration (id, event_id, person_id, structure_name,"
                " job_title, needs, status, token_nonce, token_hash, source, created_at,"
                " updated_at) VALUES (1, 1, 1, 'Asso', 'Directrice', '', 'confirmed', 'n',"
                " 'h', 'public_form', :now, :now)"
            ),
            {"now": now},
        )
    engine.dispose()

    assert_ok(flask_db(empty_database, "upgrade"))

    engine = create_engine(empty_database)
    try:
        with engine.connect() as connection:
            names = connection.execute(text("SELECT first_name, last_name FROM registration")).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in names] == [("Camille", "Martin")]
