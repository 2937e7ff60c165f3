"""Queuing an invitation campaign: the real form's request time and statement
count, for a small and a large audience, in the same run.

    .venv/bin/python bench/campaign_bench.py [--sizes 50,5000] [--rounds 3]
        [--database-url URL]

The directory holds, for each size, that many people in ACI structures of their
own department. Each round posts the team's real form (Flask test client, the
whole application: session, validation, templates) for each size: once for the
preview (the count, the list, one rendered mail), then « Envoyer », which writes
the campaign, its recipients and one pending mail each. It reports the median
time of each request and the SQL statements it sent (every cursor execution,
an ``executemany`` of many rows counting as one: it is one call to the driver,
which psycopg pipelines and SQLite runs in C, with no round trip per row).

Targets (issue 10): the sending request returns in well under the 30 s a proxy
allows, and its statements stay bounded (batched inserts: the large size costs
a few more batches, not one round trip per mail). The exit status is 1 when
the request of the largest size takes 30 s or more, or when its statements
exceed the smallest size's by more than one per 100 recipients.
The database is SQLite in a temporary folder unless ``--database-url`` is given
(its tables are DROPPED and rebuilt).
"""

from __future__ import annotations

import argparse
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
os.environ.setdefault("INSTANT_COORACE_ENV", "testing")

from sqlalchemy import event, func, insert, select, text  # noqa: E402

from instant_coorace import create_app  # noqa: E402
from instant_coorace.database import utcnow  # noqa: E402
from instant_coorace.extensions import db  # noqa: E402
from instant_coorace.invitations.models import Campaign  # noqa: E402
from instant_coorace.mail.models import OutgoingMail  # noqa: E402
from instant_coorace.members.models import Person, StructureKind  # noqa: E402
from instant_coorace.staff.models import StaffRole, StaffUser  # noqa: E402
from instant_coorace.staff.sessions import open_session  # noqa: E402
from tests.builders import make_event, make_structure  # noqa: E402

PROXY_TIMEOUT = 30.0
PER_STRUCTURE = 25
MAIL = {
    "subject": "Invitation : {evenement} – {date}",
    "body": "Bonjour {prenom},\n\nVenez à **{evenement}** ({lieu}) : {lien_inscription}",
}


def fill_directory(sizes: list[int]) -> dict[int, str]:
    """``size`` people in ACI structures of one department per size; returns the departments."""
    departments = {}
    for index, size in enumerate(sizes):
        department = f"{index + 1:02d}"
        departments[size] = department
        rows = []
        for first in range(0, size, PER_STRUCTURE):
            structure = make_structure(
                f"Chantier {department}-{first}", department=department, kinds=(StructureKind.ACI,)
            )
            rows += [
                {
                    "email": f"p{n}@d{department}.example.org",
                    "first_name": f"Camille{n}",
                    "last_name": "Martin",
                    "job_title": "Encadrant·e",
                    "structure_id": structure.id,
                    "other_structure_name": "",
                    "created_at": utcnow(),
                }
                for n in range(first, min(first + PER_STRUCTURE, size))
            ]
        db.session.execute(insert(Person), rows)
        db.session.commit()
    return departments


class Statements:
    """Counts every statement the engine sends to the database."""

    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.count += 1


def timed_post(client, url: str, data: dict, statements: Statements) -> tuple[float, int, int]:
    before = statements.count
    start = time.perf_counter()
    response = client.post(url, data=data)
    elapsed = time.perf_counter() - start
    return elapsed, statements.count - before, response.status_code


def machine() -> str:
    database = db.engine.dialect.name
    if database == "postgresql":
        database += " " + db.session.scalar(text("SHOW server_version"))
    else:
        import sqlite3

        database += " " + sqlite3.sqlite_version
    return (
        f"{os.cpu_count()} CPU, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {database}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="50,5000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
                "BASE_URL": "http://localhost",
            }
        )
        app.instance_path = folder
        with app.app_context():
            db.drop_all()
            db.create_all()
            departments = fill_directory(sizes)
            staff = StaffUser(email="equipe@example.org", role=StaffRole.TEAM)
            staff.set_password("un mot de passe solide")
            db.session.add(staff)
            db.session.commit()
            token = open_session(staff)
            db.session.commit()
            event_id = make_event("Forum de l'inclusion", capacity=None).id
            print(machine())
            client = app.test_client()
            with client.session_transaction() as session:
                session["_user_id"] = token
                session["_fresh"] = True
            statements = Statements(db.engine)
            form_url = f"/gestion/evenements/{event_id}/campagnes/nouvelle"
            results: dict[int, dict[str, list]] = {
                size: {"preview": [], "send": []} for size in sizes
            }
            for round_number in range(args.rounds):
                for size in sizes:
                    data = MAIL | {"kinds": "ACI", "departments": departments[size]}
                    data["send_key"] = f"r{round_number}s{size}"
                    preview = timed_post(client, form_url, data, statements)
                    sent = timed_post(client, form_url, data | {"envoyer": "1"}, statements)
                    assert preview[2] == 200 and sent[2] == 303, (preview, sent)
                    results[size]["preview"].append(preview)
                    results[size]["send"].append(sent)
            mails = db.session.scalar(select(func.count()).select_from(OutgoingMail))
            campaigns = db.session.scalar(select(func.count()).select_from(Campaign))
            expected = args.rounds * sum(sizes)
            assert mails == expected and campaigns == args.rounds * len(sizes), (mails, campaigns)

    print(f"\n{args.rounds} rounds, medians; {mails} mails queued in all, as expected\n")
    print("| recipients | preview | statements | « Envoyer » (queues) | statements |")
    print("|---|---|---|---|---|")
    for size in sizes:
        preview, send = results[size]["preview"], results[size]["send"]
        print(
            f"| {size:,} | {statistics.median(r[0] for r in preview):.2f} s "
            f"| {statistics.median(r[1] for r in preview)} "
            f"| {statistics.median(r[0] for r in send):.2f} s "
            f"| {statistics.median(r[1] for r in send)} |"
        )
    small, large = sizes[0], sizes[-1]
    large_time = statistics.median(r[0] for r in results[large]["send"])
    small_statements = max(r[1] for r in results[small]["send"])
    large_statements = max(r[1] for r in results[large]["send"])
    bounded = large_statements - small_statements <= (large - small) / 100
    print(
        f"\n[{'ok' if large_time < PROXY_TIMEOUT else 'MISSED'}] {large:,} queued in "
        f"{large_time:.2f} s (limit {PROXY_TIMEOUT:.0f} s)"
    )
    print(
        f"[{'ok' if bounded else 'MISSED'}] statements {small_statements} → {large_statements} "
        f"for {small:,} → {large:,} recipients"
    )
    return 0 if large_time < PROXY_TIMEOUT and bounded else 1


if __name__ == "__main__":
    raise SystemExit(main())
