"""The figures page and its XLSX for a year of 500 events, 20,000 registrations
and 5,000 people, then the same with ``--scale`` times the data (default 10),
in one run, on SQLite and PostgreSQL.

    .venv/bin/python bench/reports_bench.py [--db sqlite|postgresql|both]
        [--scale 10] [--rounds 3] [--postgresql-url URL]

Each size: a fresh schema filled with Core bulk inserts (half the events with
attendance taken, 80 % of their confirmed registrants present); then, as a
logged-in team member through the Flask test client, ``--rounds`` GETs of
``/gestion/chiffres/`` and of its XLSX for 2025, timed (median) with the SQL
statements each one issues. Targets (issue 12): the same number of statements
at both sizes (aggregate queries, no loop per event or person), and the time at
``scale`` × the data at most ``scale`` × the time at 1 ×. Exit status 1 when
one is missed.

For scale, the same run also times a *reference* on the same tables: the plain
scan ``SELECT count(*), sum(…) FROM registration`` (fastest of 9), the cheapest
query there is over the data the figures read. It is linear by construction,
yet its ratio is not 1: it shows what the machine does with ten times the rows
(on SQLite the 1× tables fit the processor's caches, the 10× ones do not).

The CPU time of this process is shown too: on SQLite it is all of the work,
and unlike wall time it does not depend on what else the shared machine runs
(on PostgreSQL the server's share is not in it).

PostgreSQL comes from ``--postgresql-url`` (default: BENCH_DATABASE_URL or
TEST_DATABASE_URL); its ``public`` schema is DROPPED and rebuilt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from sqlalchemy import event as sqlalchemy_event  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from instant_coorace import create_app  # noqa: E402
from instant_coorace.attendance.models import (  # noqa: E402
    AttendanceSource,
    AttendanceStatus,
    SessionAttendance,
)
from instant_coorace.events.models import (  # noqa: E402
    Event,
    EventFormat,
    EventKind,
    EventSession,
    EventStatus,
)
from instant_coorace.extensions import db  # noqa: E402
from instant_coorace.labels import DEPARTMENTS  # noqa: E402
from instant_coorace.members.models import (  # noqa: E402
    Membership,
    Person,
    Structure,
    StructureKind,
    StructureKindRow,
)
from instant_coorace.registrations.models import (  # noqa: E402
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from instant_coorace.staff.models import StaffRole  # noqa: E402
from instant_coorace.staff.sessions import open_session  # noqa: E402
from tests.builders import make_staff  # noqa: E402

EVENTS, REGISTRATIONS, PEOPLE, STRUCTURES = 500, 20_000, 5_000, 100
YEAR = {"du": "2025-01-01", "au": "2025-12-31"}
URLS = ("/gestion/chiffres/", "/gestion/chiffres/chiffres.xlsx")
CHUNK = 5_000


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(model.__table__), rows[start : start + CHUNK])


def fill(scale: int) -> dict[str, int]:
    """A year of events with explicit ids; returns the row counts."""
    events, people = EVENTS * scale, PEOPLE * scale
    structures = STRUCTURES * scale
    departments = [*DEPARTMENTS, "75", ""]
    kinds = list(StructureKind)
    _insert(
        Structure,
        [
            {
                "id": n + 1,
                "name": f"Structure {n + 1}",
                "membership": Membership.PARTNER if n % 10 == 9 else Membership.MEMBER,
                "department": departments[n % len(departments)],
                "active": True,
            }
            for n in range(structures)
        ],
    )
    _insert(
        StructureKindRow,
        [{"structure_id": n + 1, "kind": kinds[n % len(kinds)]} for n in range(structures)],
    )
    _insert(
        Person,
        [
            {
                "id": n + 1,
                "email": f"personne{n + 1}@example.org",
                "first_name": "Alex",
                "last_name": f"Durand {n + 1}",
                "structure_id": n % structures + 1 if n % 9 else None,
            }
            for n in range(people)
        ],
    )
    start = dt.datetime(2025, 1, 6, 8, tzinfo=dt.UTC)
    event_rows, session_rows = [], []
    for n in range(events):
        begins = start + dt.timedelta(hours=17 * n % (360 * 24))
        event_rows.append(
            {
                "id": n + 1,
                "kind": list(EventKind)[n % len(EventKind)],
                "title": f"Événement {n + 1}",
                "slug": f"evenement-{n + 1}",
                "format": list(EventFormat)[n % len(EventFormat)],
                "status": EventStatus.CANCELLED if n % 25 == 24 else EventStatus.PUBLISHED,
                "starts_at": begins,
                "ends_at": begins + dt.timedelta(hours=7),
            }
        )
        for half in range(1 + n % 2):
            session_rows.append(
                {
                    "id": 2 * n + half + 1,
                    "event_id": n + 1,
                    "starts_at": begins + dt.timedelta(hours=4 * half),
                    "ends_at": begins + dt.timedelta(hours=4 * half + 3),
                }
            )
    _insert(Event, event_rows)
    _insert(EventSession, session_rows)
    per_person = REGISTRATIONS // PEOPLE
    registrations, attendance = [], []
    for n in range(REGISTRATIONS * scale):
        person, k = n // per_person, n % per_person
        event = (person * 7 + k * (events // per_person)) % events
        status = (
            RegistrationStatus.CANCELLED
            if n % 20 == 0
            else RegistrationStatus.WAITLISTED
            if n % 10 == 5
            else RegistrationStatus.CONFIRMED
        )
        structure = n % structures + 1 if person % 9 else None
        registrations.append(
            {
                "id": n + 1,
                "event_id": event + 1,
                "person_id": person + 1,
                "structure_id": structure,
                "first_name": "Alex",
                "last_name": "Durand",
                "status": status,
                "token_nonce": f"{n:032x}",
                "token_hash": f"{n:064x}",
                "source": RegistrationSource.ON_SITE if n % 50 == 7 else RegistrationSource.STAFF,
            }
        )
        if event % 2 == 1 and status is RegistrationStatus.CONFIRMED and n % 5:
            for half in range(1 + event % 2):
                attendance.append(
                    {
                        "registration_id": n + 1,
                        "session_id": 2 * event + half + 1,
                        "status": AttendanceStatus.PRESENT,
                        "source": AttendanceSource.CHECK_IN,
                    }
                )
    _insert(Registration, registrations)
    _insert(SessionAttendance, attendance)
    db.session.commit()
    return {
        "events": events,
        "registrations": len(registrations),
        "people": people,
        "attendance": len(attendance),
    }


REFERENCE = (
    "SELECT count(*), sum(CASE WHEN status = 'confirmed' THEN 1 ELSE 0 END) FROM registration"
)


def reference_scan() -> float:
    """Fastest of nine plain scans of ``registration``, through the driver."""
    with db.engine.connect() as connection:
        connection.exec_driver_sql(REFERENCE).all()
        times = []
        for _ in range(9):
            began = time.perf_counter()
            connection.exec_driver_sql(REFERENCE).all()
            times.append(time.perf_counter() - began)
    return min(times)


def measure(url: str, scale: int, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
        app.instance_path = folder
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.create_all()
            began = time.perf_counter()
            sizes = fill(scale)
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(text("ANALYZE"))
            sizes["fill_s"] = round(time.perf_counter() - began, 1)
            staff = make_staff("bench@example.org", "phrase-de-passe", StaffRole.TEAM)
            token = open_session(staff)
            db.session.commit()
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = token
                session["_fresh"] = True
            result = {"sizes": sizes, "reference": reference_scan()}
            for path in URLS:
                client.get(path, query_string=YEAR)  # warm up
                times, cpu, counts = [], [], []
                for _ in range(rounds):
                    statements: list[str] = []

                    def record(conn, cursor, statement, *args, statements=statements):
                        statements.append(statement)

                    db.session.remove()
                    sqlalchemy_event.listen(db.engine, "before_cursor_execute", record)
                    began, began_cpu = time.perf_counter(), time.process_time()
                    response = client.get(path, query_string=YEAR)
                    times.append(time.perf_counter() - began)
                    cpu.append(time.process_time() - began_cpu)
                    sqlalchemy_event.remove(db.engine, "before_cursor_execute", record)
                    assert response.status_code == 200, (path, response.status_code)
                    counts.append(len(statements))
                result[path] = (statistics.median(times), statistics.median(cpu), max(counts))
            db.session.remove()
            db.engine.dispose()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--postgresql-url",
        default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL", ""),
    )
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        urls = {}
        if args.db in ("sqlite", "both"):
            urls["SQLite"] = f"sqlite:///{folder}/bench.sqlite"
        if args.db in ("postgresql", "both"):
            url = args.postgresql_url
            if url.startswith("postgresql://"):
                url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
            urls["PostgreSQL"] = url
        print(
            "| database | page | data | statements | median time | ratio (≤ scale) "
            "| median CPU of this process | CPU ratio |"
        )
        print("|---|---|---|---|---|---|---|---|", flush=True)
        for name, url in urls.items():
            if name == "SQLite":
                Path(f"{folder}/bench.sqlite").unlink(missing_ok=True)
            small = measure(url, 1, args.rounds)
            if name == "SQLite":
                Path(f"{folder}/bench.sqlite").unlink(missing_ok=True)
            large = measure(url, args.scale, args.rounds)
            for path in URLS:
                (t1, c1, n1), (tn, cn, nn) = small[path], large[path]
                ratio = tn / t1
                ok &= n1 == nn and ratio <= args.scale
                for label, sizes, seconds, cpu_seconds, count in (
                    ("1×", small["sizes"], t1, c1, n1),
                    (f"{args.scale}×", large["sizes"], tn, cn, nn),
                ):
                    data = (
                        f"{label}: {sizes['events']} events, {sizes['registrations']} "
                        f"registrations, {sizes['people']} people, {sizes['attendance']} "
                        "attendance rows"
                    )
                    shown_ratio = f"**{ratio:.2f}**" if label != "1×" else ""
                    cpu_ratio = f"{cn / c1:.2f}" if label != "1×" else ""
                    print(
                        f"| {name} | `{path}` | {data} | {count} | {seconds * 1000:.0f} ms "
                        f"| {shown_ratio} | {cpu_seconds * 1000:.0f} ms | {cpu_ratio} |",
                        flush=True,
                    )
            small_ref, large_ref = small["reference"], large["reference"]
            print(
                f"| {name} | reference: plain scan of `registration` | 1× → {args.scale}× | 1 "
                f"| {small_ref * 1000:.1f} → {large_ref * 1000:.1f} ms "
                f"| {large_ref / small_ref:.2f} | | |"
            )
            print(
                f"<!-- {name} fill: 1× {small['sizes']['fill_s']} s, "
                f"{args.scale}× {large['sizes']['fill_s']} s -->"
            )
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
