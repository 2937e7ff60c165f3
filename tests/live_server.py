"""The real application in a real server process: gunicorn, several workers and
threads, on the test database. Used by the concurrency and browser tests and by
``bench/``; nothing here is mocked.

gunicorn binds port 0 and we read the port it got from its log, so there is no
window in which another process could take a port we picked.
"""

from __future__ import annotations

import dataclasses
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
#: Two workers of eight threads: one process per core on the 2-core CI machine,
#: sixteen requests in flight (the benchmark's concurrency).
DEFAULT_WORKERS = 2
DEFAULT_THREADS = 8
_LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


@dataclasses.dataclass
class LiveServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


#: The server's secret key: a test that makes personal links for it uses this one.
LIVE_SECRET_KEY = "live-server-test-secret"


@contextmanager
def serve(
    database_url: str,
    workdir: Path,
    *,
    wsgi_app: str = "wsgi:app",
    workers: int = DEFAULT_WORKERS,
    threads: int = DEFAULT_THREADS,
    extra_env: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[LiveServer]:
    """Run ``wsgi_app`` under gunicorn on 127.0.0.1 until the block ends.

    The database schema must exist already. The server is always terminated,
    even when the block fails.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / "gunicorn.log"
    env = os.environ | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": LIVE_SECRET_KEY,
        "INSTANT_COORACE_ENV": "testing",
        "RATELIMIT_ENABLED": "0",
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    env |= extra_env or {}
    command = [
        GUNICORN,
        wsgi_app,
        "--bind=127.0.0.1:0",
        f"--workers={workers}",
        f"--threads={threads}",
        "--worker-class=gthread",
        "--backlog=2048",
        "--graceful-timeout=5",
        "--log-level=info",
        f"--error-logfile={log_path}",
        f"--chdir={PROJECT_ROOT}",
    ]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        server = LiveServer(_wait_for_url(process, log_path, timeout), process, log_path)
        _wait_until_answering(server, workers, timeout)
        yield server
    finally:
        _stop(process)


def _wait_for_url(process: subprocess.Popen, log_path: Path, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = _LISTENING.search(log_path.read_text(errors="replace"))
        if match:
            return f"http://127.0.0.1:{match.group(1)}"
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"gunicorn did not start:\n{log_path.read_text(errors='replace')}")


def _wait_until_answering(server: LiveServer, workers: int, timeout: float) -> None:
    """Wait until every worker has booted (each logs one line) and the server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        if server.log().count("Booting worker") >= workers:
            try:
                requests.get(server.url + "/", timeout=deadline - time.monotonic())
            except requests.RequestException:
                pass
            else:
                return
        time.sleep(0.05)
    raise RuntimeError(f"the live server did not answer:\n{server.log()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class _HiddenInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        fields = dict(attrs)
        if tag == "input" and fields.get("type") == "hidden" and fields.get("name"):
            self.values.setdefault(fields["name"], fields.get("value") or "")


def csrf_token(page: str) -> str:
    """The CSRF token of the (first) form on ``page``."""
    parser = _HiddenInputs()
    parser.feed(page)
    if "csrf_token" not in parser.values:
        raise AssertionError("no csrf_token field on the page")
    return parser.values["csrf_token"]


def form_values(number: int, structure_id: int | None = None, **fields: str) -> dict[str, str]:
    """What registrant ``number`` types into the public registration form."""
    values = {
        "email": f"participant{number}@adherent.example.org",
        "first_name": "Dominique",
        "last_name": f"Bernard {number}",
        "structure": str(structure_id) if structure_id else "autre",
        "other_structure_name": "" if structure_id else f"Association {number}",
        "job_title": "Encadrant technique",
        "needs": "",
    }
    return values | fields


def registration_path(slug: str) -> str:
    return f"/evenements/{slug}/inscription"


@pytest.fixture
def live_server(app, database_url, tmp_path) -> Iterator[LiveServer]:
    """The real application under gunicorn on this test's fresh database.

    The ``app`` fixture has created the schema and keeps an app context pushed,
    so the test writes its data with the builders and reads the outcome with
    ``db.session`` while the server works on the same database.
    """
    with serve(database_url, tmp_path / "live") as server:
        yield server
