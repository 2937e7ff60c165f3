"""Registrations per second through the real public form, under gunicorn, next
to a bare Flask endpoint that inserts one row into the same database.

    .venv/bin/python bench/register_bench.py [--db sqlite|postgresql|both]
        [--requests N] [--concurrency 16] [--workers CPUS] [--threads 1] [--runs 3]

Each run, per database: (a) the application under gunicorn, N visitors to one
event, as real visitors do: each loads the form (own session cookie and CSRF
token; timed as "form views"), then all of them submit it, ``--concurrency``
at once (timed as "registrations": the rate the targets are about); then the
confirmed seats are counted against the capacity; (b) ``bench/bare_app.py``
under the same gunicorn settings, N single-row inserts (POST) from the same
number of clients. The whole-journey rate (GET + POST) is printed too, and, on
Linux, the CPU each side (client, gunicorn, PostgreSQL) spent per request.

PostgreSQL comes from ``--postgresql-url`` (default: BENCH_DATABASE_URL or
TEST_DATABASE_URL); its ``public`` schema is DROPPED and rebuilt.

Both servers run one gunicorn worker per CPU with one thread each (gthread,
so keep-alive still works): requests are CPU-bound Python, and a second thread
in a process only makes the request holding the event's lock wait for the GIL
(measured in BENCHMARKS.md). The tests' live server keeps 2 × 8 threads, for
more real concurrency in the races they check.

Targets (issue 2): ≥ 100 registrations/s, ≥ 0.5 × the bare endpoint's rate,
exactly ``capacity`` confirmed. Each database runs ``--runs`` times (default
3): the rate and ratio targets are judged on the medians (each ratio within its
own run), correctness on every run. The exit status is 1 when one is missed.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from tests.live_server import (  # noqa: E402
    csrf_token,
    form_values,
    registration_path,
    serve,
)

MIN_RATE = 100.0
MIN_RATIO = 0.5


@dataclasses.dataclass
class Load:
    """What the clients saw during one timed run, and the CPU each side spent."""

    operations: int
    seconds: float
    statuses: Counter
    latencies_ms: list[float]
    #: CPU milliseconds per operation: this client, the gunicorn processes, PostgreSQL.
    cpu_ms: dict[str, float] = dataclasses.field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.operations / self.seconds

    def latency(self, quantile: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


def fire(operation: Callable[[requests.Session, int], int], count: int, concurrency: int) -> Load:
    """Run ``operation`` ``count`` times from ``concurrency`` clients at once; each
    client thread keeps its own HTTP session (cookies, keep-alive connection)."""
    local = threading.local()
    statuses: Counter = Counter()
    latencies: list[float] = []
    lock = threading.Lock()

    def one(number: int) -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        started = time.perf_counter()
        try:
            status = operation(local.session, number)
        except requests.RequestException as error:
            status = type(error).__name__
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            statuses[status] += 1
            latencies.append(elapsed)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        cpu_before = cpu_seconds()
        started = time.perf_counter()
        list(pool.map(one, range(count)))
        seconds = time.perf_counter() - started
        cpu_after = cpu_seconds()
    cpu_ms = {side: (cpu_after[side] - cpu_before[side]) * 1000 / count for side in cpu_after}
    return Load(count, seconds, statuses, latencies, cpu_ms)


def cpu_seconds() -> Counter:
    """CPU time (user + system) used so far by this client, by every gunicorn
    process and by every PostgreSQL process, read from ``/proc`` (empty elsewhere).
    The sides share the same cores: where a request's CPU goes tells what to cut."""
    sides: Counter = Counter()
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return sides
    ticks = os.sysconf("SC_CLK_TCK")
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        if int(entry.name) == os.getpid():
            side = "client"
        elif b"gunicorn" in command:
            side = "gunicorn"
        elif b"postgres" in command:
            side = "postgresql"
        else:
            continue
        sides[side] += (int(fields[11]) + int(fields[12])) / ticks
    return sides


def open_forms(base_url: str, slug: str, count: int, concurrency: int):
    """Every visitor loads the form: returns what each one holds (cookies, CSRF
    token), indexed by visitor number, and the load of those GETs."""
    url = base_url + registration_path(slug)
    held: list[tuple[dict, str] | None] = [None] * count

    def operation(session: requests.Session, number: int) -> int:
        session.cookies.clear()  # a new visitor on this client's keep-alive connection
        form = session.get(url, timeout=60)
        held[number] = (session.cookies.get_dict(), csrf_token(form.text))
        return form.status_code

    return held, fire(operation, count, concurrency)


def submit_forms(
    base_url: str, slug: str, held: list, first: int = 0
) -> Callable[[requests.Session, int], int]:
    """Visitor ``number`` submits the form they loaded, as registrant ``first + number``."""
    url = base_url + registration_path(slug)

    def operation(session: requests.Session, number: int) -> int:
        session.cookies.clear()
        cookies, token = held[number]
        data = form_values(first + number) | {"csrf_token": token}
        response = session.post(url, data=data, cookies=cookies, allow_redirects=False, timeout=60)
        return response.status_code

    return operation


def insert_bare_row(base_url: str) -> Callable[[requests.Session, int], int]:
    def operation(session: requests.Session, number: int) -> int:
        data = {"email": f"participant{number}@adherent.example.org"}
        return session.post(base_url + "/rows", data=data, timeout=60).status_code

    return operation


def prepare_database(url: str, capacity: int) -> list[tuple[int, str]]:
    """A fresh schema with two published events, one for the real form and one
    for the service alone; returns their ids and slugs."""
    from instant_coorace import create_app
    from instant_coorace.extensions import db
    from tests.builders import make_event

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.create_all()
        from bench.bare_app import metadata

        metadata.create_all(db.engine)
        events = [make_event(title, capacity=capacity) for title in ("Formulaire", "Service")]
        result = [(event.id, event.slug) for event in events]
        db.session.remove()
        db.engine.dispose()
    return result


def registrations_by_status(url: str, event_id: int) -> Counter:
    from instant_coorace.registrations.models import Registration

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event_id)
            .group_by(Registration.status)
        )
        counts = Counter({str(status): count for status, count in rows})
    engine.dispose()
    return counts


def bare_rows(url: str) -> int:
    from bench.bare_app import bench_row

    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(select(func.count()).select_from(bench_row))
    engine.dispose()
    return count


def warm_up(url: str, concurrency: int) -> None:
    """Let every worker load the app and open its connections before timing."""
    fire(lambda session, _: session.get(url, timeout=60).status_code, 4 * concurrency, concurrency)


def bench_database(name: str, url: str, args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    if name == "sqlite":
        url = f"sqlite:///{workdir / 'bench.sqlite'}"
    capacity = args.capacity or args.requests // 2
    (event_id, slug), (service_event_id, service_slug) = prepare_database(url, capacity)
    settings = {"workers": args.workers, "threads": args.threads}

    with serve(url, workdir / "app", **settings) as server:
        warm_up(server.url + registration_path(slug), args.concurrency)
        held, form_load = open_forms(server.url, slug, args.requests, args.concurrency)
        app_load = fire(submit_forms(server.url, slug, held), args.requests, args.concurrency)
    # The same requests, byte for byte but the event and the addresses, to the
    # service alone: the client's work is the same, the web layer is gone.
    service_app = "bench.service_app:create_app()"
    with serve(url, workdir / "service", wsgi_app=service_app, **settings) as server:
        warm_up(server.url + "/", args.concurrency)
        operation = submit_forms(server.url, service_slug, held, first=args.requests)
        service_load = fire(operation, args.requests, args.concurrency)
    with serve(url, workdir / "bare", wsgi_app="bench.bare_app:create_app()", **settings) as server:
        warm_up(server.url + "/", args.concurrency)
        bare_load = fire(insert_bare_row(server.url), args.requests, args.concurrency)

    return {
        "database": name,
        "capacity": capacity,
        "forms": form_load,
        "app": app_load,
        "service": service_load,
        "bare": bare_load,
        "placed": registrations_by_status(url, event_id),
        "service_placed": registrations_by_status(url, service_event_id),
        "bare_rows": bare_rows(url),
    }


def describe(label: str, load: Load) -> str:
    cpu = ", ".join(f"{side} {ms:.2f}" for side, ms in sorted(load.cpu_ms.items()) if ms)
    return (
        f"{label:<34}{load.rate:8.1f} /s  {load.operations} in {load.seconds:.2f} s, "
        f"median {statistics.median(load.latencies_ms):.1f} ms, "
        f"p95 {load.latency(0.95):.1f} ms, statuses {dict(load.statuses)}"
        + (f"\n{'':<34}CPU ms per request: {cpu}" if cpu else "")
    )


@dataclasses.dataclass(frozen=True)
class RunOutcome:
    rate: float
    ratio: float
    #: The service alone against the bare insert: what the database work allows.
    service_ratio: float
    #: Capacity respected and every request answered as it should: required of every run.
    correct: bool


def placement_checks(label: str, placed: Counter, capacity: int, requests_made: int) -> dict:
    return {
        f"{label}: exactly capacity confirmed": placed.get("confirmed", 0) == capacity,
        f"{label}: every other one waitlisted": (
            placed.get("waitlisted", 0) == requests_made - capacity
        ),
    }


def report(result: dict, args: argparse.Namespace, run: int) -> RunOutcome:
    """Print one run; the rate and ratio targets are judged on the runs' medians."""
    form_load: Load = result["forms"]
    app_load: Load = result["app"]
    service_load: Load = result["service"]
    bare_load: Load = result["bare"]
    ratio = app_load.rate / bare_load.rate
    service_ratio = service_load.rate / bare_load.rate
    journeys = args.requests / (form_load.seconds + app_load.seconds)
    capacity = result["capacity"]
    checks = {
        **placement_checks("form", result["placed"], capacity, args.requests),
        **placement_checks("service alone", result["service_placed"], capacity, args.requests),
        "every form answered 200": form_load.statuses == Counter({200: args.requests}),
        "every registration answered 303": app_load.statuses == Counter({303: args.requests}),
        "every service call answered 303": service_load.statuses == Counter({303: args.requests}),
        "every bare insert answered 204, one row each": (
            bare_load.statuses == Counter({204: args.requests})
            and result["bare_rows"] == args.requests
        ),
    }
    print(f"\n== {result['database']}, run {run} of {args.runs} ==")
    print(describe("form views (GET):", form_load))
    print(describe("registrations (POST of the form):", app_load))
    print(describe("service alone (same POST):", service_load))
    print(describe("bare insert (POST):", bare_load))
    print(f"ratio registrations / bare:       {ratio:8.2f}")
    print(f"  service alone / bare:           {service_ratio:8.2f}  (the database work)")
    web_ratio = app_load.rate / service_load.rate
    print(f"  registrations / service alone:  {web_ratio:8.2f}  (the web layer)")
    print(f"whole journeys (GET + POST):      {journeys:8.1f} /s")
    for label, ok in checks.items():
        print(f"  [{'ok' if ok else 'MISSED'}] {label}")
    return RunOutcome(app_load.rate, ratio, service_ratio, all(checks.values()))


def summarise(database: str, outcomes: list[RunOutcome]) -> bool:
    """The targets, on the medians of the runs (the machine is noisy: one run is
    not a measurement); correctness must hold in every run."""
    rate = statistics.median(outcome.rate for outcome in outcomes)
    ratio = statistics.median(outcome.ratio for outcome in outcomes)
    checks = {
        f"≥ {MIN_RATE:.0f} registrations/s (median {rate:.1f})": rate >= MIN_RATE,
        f"≥ {MIN_RATIO} × bare endpoint (median {ratio:.2f}; runs "
        + ", ".join(f"{outcome.ratio:.2f}" for outcome in outcomes)
        + ")": ratio >= MIN_RATIO,
        "capacity and answers right in every run": all(outcome.correct for outcome in outcomes),
    }
    service_ratio = statistics.median(outcome.service_ratio for outcome in outcomes)
    print(f"\n== {database}: {len(outcomes)} run(s) ==")
    print(f"  service alone / bare: median {service_ratio:.2f} (not a target: where the gap is)")
    for label, ok in checks.items():
        print(f"  [{'ok' if ok else 'MISSED'}] {label}")
    return all(checks.values())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=2000, help="registrations per run")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--capacity", type=int, default=0, help="default: half the requests")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="runs per database; medians judged")
    parser.add_argument(
        "--postgresql-url",
        default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL", ""),
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    databases = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    pg_url = args.postgresql_url
    if pg_url.startswith("postgresql://"):
        pg_url = "postgresql+psycopg://" + pg_url.removeprefix("postgresql://")
    if "postgresql" in databases and not pg_url:
        sys.exit("PostgreSQL: give --postgresql-url or set BENCH_DATABASE_URL")
    print(
        f"{args.requests} requests per run, concurrency {args.concurrency}, gunicorn "
        f"{args.workers} workers × {args.threads} threads (gthread), {os.cpu_count()} CPUs"
    )
    outcomes = {
        name: [
            report(bench_database(name, pg_url, args), args, run) for run in range(1, args.runs + 1)
        ]
        for name in databases
    }
    met = [summarise(name, runs) for name, runs in outcomes.items()]
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
