"""The reminder scan's cost against the years of history, in the same run.

    .venv/bin/python bench/reminder_bench.py [--past-events 10000]
        [--registrations-per-event 20] [--scans 30] [--database-url URL]

Two databases are built one after the other, each holding the same coming
week (5 webinars starting tomorrow at this time, so their J-1 is due now, with
20 confirmed registrations each) and a history of past events, ended between
one month and five years ago, with their registrations: 10 past events in the
first, ``--past-events`` in the second (200,000 registrations at 10,000). The
events of the last fortnight are the scan's own work (their follow-up), not
history, and none are put there.

For each, the worker's scan (``queue_due_reminders``) runs once to queue the
100 J-1 reminders (timed, statements counted), then ``--scans`` times more as
on every later tick (all found queued already; median time, statements
counted). Targets (issue 10): the same number of statements for both
histories, and a time at the large one at most 1.5× the small one's. The
database is SQLite in a temporary folder unless ``--database-url`` is given
(its tables are DROPPED and rebuilt). Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("SECRET_KEY", "bench")

from sqlalchemy import event, func, insert, select, text  # noqa: E402

from instant_coorace import create_app  # noqa: E402
from instant_coorace.database import utcnow  # noqa: E402
from instant_coorace.events.models import (  # noqa: E402
    Event,
    EventFormat,
    EventKind,
    EventSession,
    EventStatus,
)
from instant_coorace.extensions import db  # noqa: E402
from instant_coorace.mail.models import OutgoingMail  # noqa: E402
from instant_coorace.members.models import Person  # noqa: E402
from instant_coorace.registrations.models import (  # noqa: E402
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from instant_coorace.reminders.scan import queue_due_reminders  # noqa: E402

TARGET_RATIO = 1.5
COMING_EVENTS = 5
PEOPLE = 2000
CHUNK = 10_000


def build(past_events: int, per_event: int) -> None:
    db.session.close()
    db.drop_all()
    db.create_all()
    now = utcnow()
    long_ago = now - dt.timedelta(days=400)
    _insert(
        Person,
        [
            {
                "email": f"personne{n}@adherent.example.org",
                "first_name": "Camille",
                "last_name": f"Martin {n}",
            }
            for n in range(PEOPLE)
        ],
    )
    starts = [now + dt.timedelta(days=1) for _ in range(COMING_EVENTS)]
    span = (5 * 365 - 30) * 24 * 3600
    starts += [
        now - dt.timedelta(days=30, seconds=span * (n + 1) // (past_events + 1))
        for n in range(past_events)
    ]
    _insert(
        Event,
        [
            {
                "kind": EventKind.WEBINAIRE,
                "title": f"Webinaire {n}",
                "slug": f"webinaire-{n}",
                "description": "",
                "format": EventFormat.ONLINE,
                "visio_url": "https://visio.example.org/w",
                "status": EventStatus.PUBLISHED,
                "calendar_sequence": 0,
                "starts_at": start,
                "ends_at": start + dt.timedelta(hours=1),
                "created_at": long_ago,
                "updated_at": long_ago,
            }
            for n, start in enumerate(starts)
        ],
    )
    event_ids = list(db.session.scalars(select(Event.id).order_by(Event.id)))
    _insert(
        EventSession,
        [
            {"event_id": event_id, "starts_at": start, "ends_at": start + dt.timedelta(hours=1)}
            for event_id, start in zip(event_ids, starts, strict=True)
        ],
    )
    person_ids = list(db.session.scalars(select(Person.id).order_by(Person.id)))
    rows = (
        {
            "event_id": event_id,
            "person_id": person_ids[(index * per_event + seat) % PEOPLE],
            "first_name": "Camille",
            "last_name": "Martin",
            "status": RegistrationStatus.CONFIRMED,
            "token_nonce": f"{index:016x}{seat:016x}",
            "token_hash": f"{index:032x}{seat:032x}",
            "source": RegistrationSource.PUBLIC_FORM,
            "confirmed_at": long_ago,
            "created_at": long_ago,
            "updated_at": long_ago,
        }
        for index, event_id in enumerate(event_ids)
        for seat in range(per_event)
    )
    _insert(Registration, rows)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _insert(model, rows) -> None:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == CHUNK:
            db.session.execute(insert(model.__table__), batch)
            batch = []
    if batch:
        db.session.execute(insert(model.__table__), batch)


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0
        event.listen(db.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.count += 1

    def close(self) -> None:
        event.remove(db.engine, "before_cursor_execute", self._seen)


def measure(scans: int) -> dict[str, float]:
    counter = StatementCounter()
    started = time.perf_counter()
    queued = queue_due_reminders()
    first = time.perf_counter() - started
    first_statements = counter.count
    times, statements = [], []
    for _ in range(scans):
        counter.count = 0
        started = time.perf_counter()
        again = queue_due_reminders()
        times.append(time.perf_counter() - started)
        statements.append(counter.count)
        assert again == 0, again
    counter.close()
    in_outbox = db.session.scalar(select(func.count()).select_from(OutgoingMail))
    return {
        "queued": queued,
        "in_outbox": in_outbox,
        "first_s": first,
        "first_statements": first_statements,
        "tick_s": statistics.median(times),
        "tick_statements": max(statements),
        "tick_statements_min": min(statements),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--past-events", type=int, default=10_000)
    parser.add_argument("--registrations-per-event", type=int, default=20)
    parser.add_argument("--scans", type=int, default=30)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        app.instance_path = folder
        results = {}
        with app.app_context():
            for size in (10, args.past_events):
                build(size, args.registrations_per_event)
                results[size] = measure(args.scans)
            dialect = db.engine.dialect.name
            version = db.session.scalar(
                text("SELECT sqlite_version()" if dialect == "sqlite" else "SHOW server_version")
            )
            db.session.close()
            db.drop_all()

    small, large = results[10], results[args.past_events]
    ratio = large["tick_s"] / small["tick_s"]
    first_ratio = large["first_s"] / small["first_s"]
    print(
        f"{dialect} {version}, Python {platform.python_version()}, {os.cpu_count()} CPU; "
        f"{COMING_EVENTS} coming events × {args.registrations_per_event} registrations, "
        f"{args.scans} later scans"
    )
    print(
        "| past events (registrations) | first scan: J-1 queued | statements | time "
        "| later scan: statements | median time |"
    )
    print("|---|---|---|---|---|---|")
    for size, result in results.items():
        print(
            f"| {size:,} ({size * args.registrations_per_event:,}) | {result['queued']} "
            f"| {result['first_statements']} | {result['first_s'] * 1000:.1f} ms "
            f"| {result['tick_statements']} | {result['tick_s'] * 1000:.2f} ms |"
        )
    same_statements = (
        small["first_statements"] == large["first_statements"]
        and small["tick_statements"] == large["tick_statements"]
        and small["tick_statements_min"] == large["tick_statements_min"]
    )
    right = all(
        result["queued"] == result["in_outbox"] == COMING_EVENTS * args.registrations_per_event
        for result in results.values()
    )
    print(f"same statements at both sizes: {same_statements}")
    print(f"every J-1 queued once: {right}")
    print(f"time ratio, later scans: {ratio:.2f}; first scan: {first_ratio:.2f}")
    print(f"(target ≤ {TARGET_RATIO})")
    return 0 if same_statements and right and ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
