"""Certificates as a zip: the time per certificate as the event grows.

    .venv/bin/python bench/certificates_bench.py [--sizes 10,25,50,100] [--rounds 3]
        [--database-url URL]

For each size N, a two-day training (four half-day sessions) with N confirmed
registrants, each present at every session (two sessions signed, two from an
imported report with minutes), then ``certificates_zip`` — the staff's « Tout
télécharger » — timed end to end: reading attendance, one PDF per trainee
(fonts embedded), the zip, the audit entry. Also counted: the SQL statements
one zip costs.

Target (issue 11): the time per certificate stays flat from 10 to 100 — the
ratio of the largest size's per-certificate time to the smallest's at most
1.25, judged on the process's CPU time (the wall clock is printed too: on a
shared machine other processes stretch it at random). Sizes are interleaved
within each round, medians over the rounds. The database is SQLite in a
temporary folder unless ``--database-url`` is given (its tables are DROPPED
and rebuilt). Exit status 1 when the target
is missed or a zip does not hold N certificates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("SECRET_KEY", "bench")

from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import text  # noqa: E402

from instant_coorace import create_app  # noqa: E402
from instant_coorace.attendance.certificates import certificates_zip  # noqa: E402
from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus  # noqa: E402
from instant_coorace.attendance.records import Observation, record  # noqa: E402
from instant_coorace.database import utcnow  # noqa: E402
from instant_coorace.events.models import (  # noqa: E402
    Event,
    EventFormat,
    EventKind,
    EventSession,
    EventStatus,
)
from instant_coorace.extensions import db  # noqa: E402
from instant_coorace.members.models import Membership, Person, Structure  # noqa: E402
from instant_coorace.registrations.models import (  # noqa: E402
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from instant_coorace.transactions import write_transaction  # noqa: E402

TARGET_RATIO = 1.25
FIRST_NAMES = ["Élodie", "François", "Zoé", "Noël", "Hélène", "Jérôme", "Maëlle", "Loïc"]
LAST_NAMES = ["Dupré", "Lefèvre", "Garçon", "Brûlé", "Côté", "Béranger", "Mérieux", "Faÿ"]


def make_training(size: int, number: int) -> int:
    """A training with ``size`` confirmed registrants present at all four sessions."""
    start = (utcnow() - dt.timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    training = Event(
        kind=EventKind.FORMATION,
        title="Formation : accompagner les salarié·es en parcours d'insertion",
        slug=f"formation-{number}",
        format=EventFormat.IN_PERSON,
        status=EventStatus.PUBLISHED,
        venue_name="Maison de l'économie sociale et solidaire",
        venue_address="12 rue des Arts, 31000 Toulouse",
        trainers="Hélène Côté",
    )
    for day in range(2):
        for hour in (0, 5):
            begins = start + dt.timedelta(days=day, hours=hour)
            training.sessions.append(
                EventSession(starts_at=begins, ends_at=begins + dt.timedelta(hours=3, minutes=30))
            )
    training.refresh_time_span()
    structure = Structure(name=f"Chantier d'insertion n° {number}", membership=Membership.MEMBER)
    db.session.add_all([training, structure])
    db.session.flush()
    registrations = []
    for index in range(size):
        person = Person(
            email=f"stagiaire{number}-{index}@adherent.example.org",
            first_name=FIRST_NAMES[index % 8],
            last_name=f"{LAST_NAMES[index // 8 % 8]} {index}",
        )
        registrations.append(
            Registration(
                event=training,
                person=person,
                first_name=person.first_name,
                last_name=person.last_name,
                structure=structure,
                status=RegistrationStatus.CONFIRMED,
                source=RegistrationSource.STAFF,
                token_nonce=f"{number}-{index}",
                token_hash=f"{number:08d}{index:056d}",
            )
        )
    db.session.add_all(registrations)
    db.session.flush()
    observations = [
        Observation(
            registration.id,
            session.id,
            AttendanceStatus.PRESENT,
            AttendanceSource.SIGNATURE if position < 2 else AttendanceSource.REPORT,
            minutes_attended=210 if position < 2 else 180 + index % 30,
        )
        for index, registration in enumerate(registrations)
        for position, session in enumerate(training.sessions)
    ]
    record(observations)
    return training.id


class StatementCounter:
    def __init__(self, engine) -> None:
        self.count = 0
        sa_event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1


def time_zip(event_id: int, size: int, counter: StatementCounter) -> tuple[float, float, int]:
    """Wall-clock and CPU seconds of one zip, and its SQL statements."""
    db.session.expire_all()
    before = counter.count
    started, started_cpu = time.perf_counter(), time.process_time()
    _name, archive = certificates_zip(event_id)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        if len(opened.namelist()) != size:
            raise SystemExit(f"the zip of {size} holds {len(opened.namelist())} certificates")
    return elapsed, cpu, counter.count - before


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    database = db.engine.dialect.name
    if database == "postgresql":
        database += " " + db.session.scalar(text("SHOW server_version"))
    return f"{cpu}, {os.cpu_count()} CPU, Python {platform.python_version()}, {database}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,25,50,100")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        app.instance_path = folder
        with app.app_context():
            db.drop_all()
            db.create_all()
            with write_transaction():
                events = {size: make_training(size, number) for number, size in enumerate(sizes)}
            counter = StatementCounter(db.engine)
            runs: dict[int, list] = {size: [] for size in sizes}
            for _ in range(args.rounds):  # sizes interleaved: a busy spell hits them all
                for size, event_id in events.items():
                    runs[size].append(time_zip(event_id, size, counter))
            results = {
                size: (
                    statistics.median(run[0] for run in timed),
                    statistics.median(run[1] for run in timed),
                    timed[-1][2],
                )
                for size, timed in runs.items()
            }
            details = machine()
            db.session.close()
            db.drop_all()

    print(f"sizes {sizes}, median of {args.rounds} rounds; {details}")
    print(
        "| certificates | zip, wall clock | per certificate | CPU per certificate "
        "| SQL statements |\n|---|---|---|---|---|"
    )
    for size, (seconds, cpu, statements) in results.items():
        print(
            f"| {size} | {seconds:.2f} s | {seconds / size * 1000:.0f} ms "
            f"| {cpu / size * 1000:.0f} ms | {statements} |"
        )
    smallest, largest = min(sizes), max(sizes)
    wall = (results[largest][0] / largest) / (results[smallest][0] / smallest)
    cpu = (results[largest][1] / largest) / (results[smallest][1] / smallest)
    met = cpu <= TARGET_RATIO
    print(
        f"per-certificate time at {largest} over at {smallest}: CPU {cpu:.2f}, "
        f"wall clock {wall:.2f} (target ≤ {TARGET_RATIO}, on CPU time: other processes "
        f"on a shared machine stretch the wall clock) {'[ok]' if met else '[missed]'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
