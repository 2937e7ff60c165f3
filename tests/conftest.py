"""Fixtures: an application on a fresh database per test, on SQLite and, when
``TEST_DATABASE_URL`` is set, on PostgreSQL too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from instant_coorace import create_app
from instant_coorace.extensions import db

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
#: The password of the fixtures' staff accounts.
PASSWORD = "mot-de-passe-solide"


def _test_config(database_url: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://localhost",
        "INSTANCE_FOR_TESTS": str(instance),
    }


def _postgres_url() -> str:
    url = POSTGRES_URL
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """Every database test runs once per backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL: TEST_DATABASE_URL n'est pas défini")
    return _postgres_url()


@pytest.fixture
def make_app(tmp_path, database_url, monkeypatch):
    """Build an app on the test database; extra config may be passed."""
    monkeypatch.setenv("INSTANT_COORACE_ENV", "testing")

    def build(**overrides):
        config = _test_config(database_url, tmp_path) | overrides
        app = create_app(config)
        app.instance_path = str(tmp_path)
        return app

    return build


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        _reset_schema()
        yield app
        db.session.remove()
        db.engine.dispose()


def _reset_schema() -> None:
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db.create_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _logged_in(client, user):
    """``client`` holding a server-side session of ``user``, as after logging in."""
    from instant_coorace.staff.sessions import open_session

    token = open_session(user)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    return client


@pytest.fixture
def staff_client(app, client):
    """A test client logged in as a team member."""
    from tests.builders import make_staff

    return _logged_in(client, make_staff("equipe@coorace-occitanie.example.org", PASSWORD))


@pytest.fixture
def admin_client(app):
    """Another test client, logged in as an admin."""
    from instant_coorace.staff.models import StaffRole
    from tests.builders import make_staff

    admin = make_staff("direction@coorace-occitanie.example.org", PASSWORD, StaffRole.ADMIN)
    return _logged_in(app.test_client(), admin)


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may be skipped: a missing service or browser is a failure there."""
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(
            f"CI: {len(skipped)} test(s) skipped; every service and the browser must be "
            "present in CI.",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
