"""Attendance: importing a Teams report, and the join link's redirect.

    .venv/bin/python bench/attendance_bench.py [--database-url URL]
        [--registrations 1000] [--rows 1000 5000 10000] [--clicks 300]

**Import.** An online event with ``--registrations`` registrations (70 %
confirmed, 20 % waitlisted, 10 % cancelled, as ``tests/builders.register_in_bulk``
makes them) receives a Microsoft Teams attendance report (UTF-16, tab-separated,
the three sections) of one participant per registration, each with
``rows / registrations`` join/leave rows in « In-Meeting Activities ». For each
size the whole import (decode, parse, merge, match, one insert-or-update, the
audit entry, commit) is timed, median of 3, and its SQL statements counted:
targets (issue 11) a count that does not grow with the rows, and a time per row
that stays flat from 1,000 to 10,000 rows.

**Join redirect.** ``--clicks`` requests of one registrant's ``/j/<token>``
while the session's window is open, against as many of the event's public page,
through the Flask test client, alternating in one run. Targets: at most 2 SQL
statements per redirect (transaction control, ``BEGIN``/``COMMIT``, aside) and a
time of the same order as the event page's (the ratio printed).

The database is SQLite in a temporary folder unless ``--database-url`` is given
(its ``public`` schema is DROPPED and rebuilt). Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import codecs
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("INSTANT_COORACE_ENV", "testing")

from sqlalchemy import delete, event, select, text  # noqa: E402

from instant_coorace import create_app  # noqa: E402
from instant_coorace.attendance.imports import service  # noqa: E402
from instant_coorace.attendance.join_links import join_token  # noqa: E402
from instant_coorace.attendance.models import SessionAttendance  # noqa: E402
from instant_coorace.database import utcnow  # noqa: E402
from instant_coorace.events.models import EventFormat, EventSession  # noqa: E402
from instant_coorace.extensions import db  # noqa: E402
from instant_coorace.formatting import to_paris  # noqa: E402
from instant_coorace.members.models import Person  # noqa: E402
from instant_coorace.registrations.models import Registration, RegistrationStatus  # noqa: E402
from tests.builders import make_event, make_structure, register_in_bulk  # noqa: E402

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@contextmanager
def counted():
    statements: list[str] = []

    def seen(connection, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(TRANSACTION_CONTROL):
            statements.append(" ".join(statement.split())[:90])

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)


def teams_report(people: list[tuple[str, str]], rows: int, start: dt.datetime) -> bytes:
    """A Teams report (English, UTF-16) with ``rows`` activity rows spread over ``people``."""
    per_person = max(rows // len(people), 1)

    def when(moment: dt.datetime) -> str:
        local = to_paris(moment)
        hour = local.hour % 12 or 12
        suffix = "AM" if local.hour < 12 else "PM"
        return f"{local.month}/{local.day}/{local:%y}, {hour}:{local:%M:%S} {suffix}"

    lines = [
        "1. Summary",
        "Meeting title\tL'Instant Coorace",
        f"Attended participants\t{len(people)}",
        f"Start time\t{when(start)}",
        f"End time\t{when(start + dt.timedelta(minutes=90))}",
        "",
        "2. Participants",
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole",
    ]
    for name, email in people:
        lines.append(
            f"{name}\t{when(start)}\t{when(start + dt.timedelta(minutes=88))}\t1h 28m 0s"
            f"\t{email}\t{email}\tAttendee"
        )
    lines += ["", "3. In-Meeting Activities", "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole"]
    slot = dt.timedelta(minutes=88) / per_person
    for number, (name, email) in enumerate(people):
        for index in range(per_person):
            joined = start + slot * index + dt.timedelta(seconds=number % 50)
            left = joined + slot * 0.9
            lines.append(
                f"{name}\t{when(joined)}\t{when(left)}\t{int(slot.total_seconds() * 0.9)}s"
                f"\t{email}\tAttendee"
            )
    text_ = "\r\n".join(lines) + "\r\n"
    return codecs.BOM_UTF16_LE + text_.encode("utf-16-le")


def bench_import(registrations: int, sizes: list[int]) -> bool:
    online = make_event("L'Instant Coorace", event_format=EventFormat.ONLINE,
                        visio_url="https://visio.example.org/bench", capacity=None)  # fmt: skip
    event_id = online.id
    register_in_bulk([event_id], registrations, [make_structure().id])
    people = [
        (f"{first} {last}", email)
        for first, last, email in db.session.execute(
            select(Registration.first_name, Registration.last_name, Person.email)
            .join(Person, Person.id == Registration.person_id)
            .where(Registration.event_id == event_id)
        )
    ]
    start = db.session.scalar(
        select(EventSession.starts_at).where(EventSession.event_id == event_id)
    )
    print(f"Import of a Teams report into an event of {registrations:,} registrations")
    print("| activity rows | file | statements | time (median of 3) | per row |")
    print("|---|---|---|---|---|")
    results = {}
    for rows in sizes:
        data = teams_report(people, rows, start)
        times, counts = [], set()
        for _ in range(3):
            db.session.execute(delete(SessionAttendance))
            db.session.commit()
            db.session.remove()
            with counted() as statements:
                began = time.perf_counter()
                report = service.import_report(event_id, data)
                times.append(time.perf_counter() - began)
            counts.add(len(statements))
        present = report.count("present")
        median = statistics.median(times)
        results[rows] = (median, counts)
        print(f"| {rows:,} | {len(data) / 1e6:.1f} MB | {sorted(counts)} | {median:.2f} s "
              f"| {median / rows * 1e6:.0f} µs | ({present} present)")  # fmt: skip
    flat_count = len({count for _, counts in results.values() for count in counts}) == 1
    print(f"[{'ok' if flat_count else 'MISSED'}] statements do not grow with the rows")
    smallest, largest = min(sizes), max(sizes)
    spread = (results[largest][0] / largest) / (results[smallest][0] / smallest)
    linear = spread <= 1.5
    print(f"[{'ok' if linear else 'MISSED'}] time per row at {largest:,} rows within 1.5× "
          f"of the time per row at {smallest:,} ({spread:.2f}×: no worse than linear)")  # fmt: skip
    return flat_count and linear


def bench_join(app, clicks: int) -> bool:
    webinar = make_event("Webinaire RSE", event_format=EventFormat.ONLINE,
                         visio_url="https://visio.example.org/rse", capacity=None)  # fmt: skip
    session = db.session.get(EventSession, webinar.sessions[0].id)
    session.starts_at = utcnow() + dt.timedelta(minutes=10)
    session.ends_at = session.starts_at + dt.timedelta(hours=2)
    webinar.refresh_time_span()
    db.session.commit()
    register_in_bulk([webinar.id], 50, [make_structure().id])
    registration = db.session.scalars(
        select(Registration).where(
            Registration.event_id == webinar.id, Registration.status == RegistrationStatus.CONFIRMED
        )
    ).first()
    link, page = f"/j/{join_token(registration)}", f"/evenements/{webinar.slug}"
    db.session.commit()
    client = app.test_client()
    for url in (link, page):  # warm up
        assert client.get(url).status_code in (200, 303), url
    db.session.remove()
    with counted() as statements:
        assert client.get(link).status_code == 303
    spent = {link: [], page: []}
    for _ in range(clicks):
        for url in (link, page):
            db.session.remove()
            began = time.perf_counter()
            client.get(url)
            spent[url].append(time.perf_counter() - began)
    join_ms, page_ms = (statistics.median(spent[url]) * 1000 for url in (link, page))
    print(f"\nJoin link, {clicks} requests each, alternating (medians):")
    print(f"  redirect /j/<token>: {join_ms:.2f} ms, {len(statements)} statements: {statements}")
    print(f"  event page:          {page_ms:.2f} ms")
    print(f"  ratio redirect / event page: {join_ms / page_ms:.2f}")
    few = len(statements) <= 2
    same_order = join_ms <= 3 * page_ms
    print(f"[{'ok' if few else 'MISSED'}] at most 2 statements per redirect")
    print(f"[{'ok' if same_order else 'MISSED'}] redirect within the event page's order of time")
    return few and same_order


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--registrations", type=int, default=1000)
    parser.add_argument("--rows", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--clicks", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                          "RATELIMIT_ENABLED": False, "BASE_URL": "http://localhost"})  # fmt: skip
        app.instance_path = folder
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as connection:
                    connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            db.create_all()
            print(f"Database: {db.engine.dialect.name}\n")
            ok = bench_import(args.registrations, sorted(args.rows))
            ok = bench_join(app, args.clicks) and ok
            db.session.remove()
            db.engine.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
