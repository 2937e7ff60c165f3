"""CPU time of one registration in process, this checkout against another one.

    .venv/bin/python bench/register_cpu.py --against ../other-checkout \\
        [--requests 200] [--rounds 5] [--alternations 3] [--postgresql-url URL]

Where ``register_bench.py`` times the whole journey under gunicorn (and its
ratio moves with whatever else the machine is doing), this one asks a narrower
question that a shared machine can still answer: how much CPU does the
application spend on one registration POST (session, CSRF, form, the service,
headers, the database driver), compared with another version of the code, here
and now? Each checkout runs in its own process with its own virtualenv, on its
own PostgreSQL database (``<url>_cpu_a`` and ``<url>_cpu_b`` are created if
missing), through Flask's test client, one registrant after the other, with the
rate limits off. The two alternate, ``--alternations`` times, so that a change
in the machine's load falls on both. Each process reports the median of its
``--rounds`` rounds (CPU milliseconds per POST, ``time.process_time``) and the
number of Python function calls one registration makes (``cProfile``, exact).
The summary gives the ratio of the medians of each alternation.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import cProfile, json, os, pstats, statistics, sys, time
tree, requests, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sys.path.insert(0, tree)
os.chdir(tree)
os.environ["INSTANT_COORACE_ENV"] = "testing"
from sqlalchemy import text
from instant_coorace import create_app
from instant_coorace.extensions import db
from tests.builders import make_event
from tests.live_server import csrf_token, form_values
url = os.environ["CPU_BENCH_DATABASE_URL"]
app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "RATELIMIT_ENABLED": False})
with app.app_context():
    if url.startswith("postgresql"):
        db.session.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.commit()
    db.create_all()
    slug = make_event(capacity=10**6, slug="cpu-bench").slug
client = app.test_client()
token = csrf_token(client.get(f"/evenements/{slug}/inscription").get_data(as_text=True))
numbers = iter(range(10**7))
def register():
    response = client.post(
        f"/evenements/{slug}/inscription", data=form_values(next(numbers)) | {"csrf_token": token}
    )
    assert response.status_code in (302, 303), response.status_code
for _ in range(20):
    register()
profile = cProfile.Profile()
profile.enable()
register()
profile.disable()
samples = []
for _ in range(rounds):
    started = time.process_time()
    for _ in range(requests):
        register()
    samples.append((time.process_time() - started) / requests * 1000)
calls = pstats.Stats(profile).total_calls
print(json.dumps({"cpu_ms": statistics.median(samples), "calls": calls}))
"""


def run(tree: Path, database_url: str, requests: int, rounds: int) -> dict:
    python = tree / ".venv" / "bin" / "python"
    env = os.environ | {"CPU_BENCH_DATABASE_URL": database_url}
    out = subprocess.run(
        [str(python), "-c", CHILD, str(tree), str(requests), str(rounds)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=1800,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def ensure_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    base, name = url.rsplit("/", 1)
    engine = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", type=Path, required=True, help="the other checkout")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--alternations", type=int, default=3)
    parser.add_argument(
        "--postgresql-url",
        default=os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL"),
    )
    args = parser.parse_args()
    if not args.postgresql_url:
        parser.error("--postgresql-url (or BENCH_DATABASE_URL) is needed")
    trees = {"this": PROJECT_ROOT, "other": args.against.resolve()}
    urls = {"this": f"{args.postgresql_url}_cpu_a", "other": f"{args.postgresql_url}_cpu_b"}
    for url in urls.values():
        ensure_database(url)
    ratios = []
    for alternation in range(1, args.alternations + 1):
        readings = {}
        for side in ("this", "other"):
            readings[side] = run(trees[side], urls[side], args.requests, args.rounds)
            print(
                f"alternation {alternation} {side:5}: {readings[side]['cpu_ms']:.2f} ms CPU "
                f"per registration, {readings[side]['calls']} function calls",
                flush=True,
            )
        ratios.append(readings["this"]["cpu_ms"] / readings["other"]["cpu_ms"])
    print("this / other, CPU per registration:", ", ".join(f"{r:.3f}" for r in ratios))
    print(f"median: {statistics.median(ratios):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
