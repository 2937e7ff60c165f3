"""Outbox delivery speed: the worker against plain smtplib, in the same run.

    .venv/bin/python bench/mail_bench.py [--mails 5000] [--rounds 3]
        [--database-url URL] [--batch-size 100]

An aiosmtpd sink (its own process, counting what it accepts) listens on a free
port of 127.0.0.1. The outbox is filled with ``--mails`` rendered mails (text,
HTML and a calendar invitation, ~5 KB each). Each round then times:

- **smtplib**: the same messages, already built, sent one after the other over
  one SMTP connection (``sendmail`` of the serialised message) — the ratio's
  reference;
- **smtplib, building**: the same, building each message from its content on
  the way (what sending without an outbox costs);
- **worker**: ``deliver_due_mail()`` on the whole queue: claim batches, build
  each message from its row, send (one connection per batch), record each
  outcome in its own transaction.

The ratio is smtplib's time over the worker's (1.0 = no cost for durability);
target ≥ 0.8 (issue 3). The database is SQLite in a temporary folder unless
``--database-url`` is given (its tables are DROPPED and rebuilt). The exit status
is 1 when the target is missed or a mail is missing or doubled.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import smtplib
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
os.environ.setdefault("SECRET_KEY", "bench")

from sqlalchemy import select, text, update  # noqa: E402

from instant_coorace import create_app  # noqa: E402
from instant_coorace.database import utcnow  # noqa: E402
from instant_coorace.extensions import db  # noqa: E402
from instant_coorace.mail import outbox  # noqa: E402
from instant_coorace.mail.message import as_wire_bytes, build_message, parse_sender  # noqa: E402
from instant_coorace.mail.models import MailStatus, OutgoingMail  # noqa: E402
from instant_coorace.mail.worker import deliver_due_mail  # noqa: E402

TARGET_RATIO = 0.8

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Coorace Occitanie//Instant Coorace//FR\r\n"
    "METHOD:REQUEST\r\nCALSCALE:GREGORIAN\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/Paris\r\n"
    "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
    "DTSTART:19810329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
    "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
    "DTSTART:19961027T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
    "END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:session-{n}@coorace-occitanie.example.org\r\n"
    "DTSTAMP:20260101T090000Z\r\nDTSTART;TZID=Europe/Paris:20260115T100000\r\n"
    "DTEND;TZID=Europe/Paris:20260115T113000\r\nSEQUENCE:0\r\n"
    "SUMMARY:L'Instant Coorace\\, édition d'hiver\r\n"
    "DESCRIPTION:Webinaire des adhérents : actualités du réseau\\, échanges et\r\n"
    " questions. Lien personnel de gestion dans le courriel.\r\n"
    "ORGANIZER;CN=Coorace Occitanie:mailto:evenements@coorace-occitanie.example.org\r\n"
    "ATTENDEE;CN=Personne {n};PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:personne{n}@adherent.exam\r\n"
    " ple.org\r\nSTATUS:CONFIRMED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)
TEXT = (
    "Bonjour Camille,\n\nVotre inscription à « L'Instant Coorace » du jeudi 15 janvier 2026, "
    "10 h – 11 h 30, est confirmée. L'invitation jointe l'ajoute à votre agenda.\n\n"
    "Voir, annuler ou céder votre place : https://evenements.example.org/inscription/{n}\n\n"
    "Coorace Occitanie · contact@coorace-occitanie.example.org\n"
)
HTML = "<!doctype html><html><body>{}</body></html>"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_sink(port: int, counter, ready) -> None:
    """The SMTP sink, in its own process so it does not share the GIL with senders."""
    from aiosmtpd.controller import Controller

    class Counting:
        async def handle_DATA(self, server, session, envelope):
            with counter.get_lock():
                counter.value += 1
            return "250 2.0.0 Ok"

    controller = Controller(Counting(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    while True:
        time.sleep(3600)


def fill_outbox(count: int) -> None:
    for n in range(count):
        body = TEXT.format(n=n)
        outbox.enqueue(
            purpose="registration_confirmed",
            dedup_key=outbox.mail_key("registration_confirmed", n, 0),
            recipient=outbox.Recipient(f"personne{n}@adherent.example.org", f"Camille Dupré {n}"),
            subject="Inscription confirmée : L'Instant Coorace du 15 janvier",
            text_body=body,
            html_body=HTML.format("".join(f"<p>{line}</p>" for line in body.split("\n\n"))),
            calendar=outbox.CalendarAttachment(CALENDAR.format(n=n)),
        )
    db.session.commit()


def requeue_all() -> None:
    db.session.execute(
        update(OutgoingMail).values(
            status=MailStatus.QUEUED,
            attempts=0,
            next_attempt_at=utcnow(),
            leased_until=None,
            sent_at=None,
        )
    )
    db.session.commit()


def time_smtplib(port: int, messages: list[tuple[str, str, object]]) -> float:
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for sender, recipient, message in messages:
            connection.sendmail(sender, [recipient], as_wire_bytes(message))
    return time.perf_counter() - start


def time_smtplib_building(port: int, mails: list, sender) -> float:
    """The same, building each message from its content as it goes (no database)."""
    start = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for mail in mails:
            message = build_message(mail, sender)
            connection.sendmail(sender.addr_spec, [mail.to_email], as_wire_bytes(message))
    return time.perf_counter() - start


def time_worker() -> float:
    requeue_all()
    start = time.perf_counter()
    deliver_due_mail()
    elapsed = time.perf_counter() - start
    left = db.session.scalar(select(db.func.count()).where(OutgoingMail.status != MailStatus.SENT))
    if left:
        raise SystemExit(f"{left} mails not delivered by the worker")
    return elapsed


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
    else:
        import sqlite3

        database += " " + sqlite3.sqlite_version
    return (
        f"{cpu}, {os.cpu_count()} CPU, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {database}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mails", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()

    port = free_port()
    counter, ready = multiprocessing.Value("i", 0), multiprocessing.Event()
    sink = multiprocessing.Process(target=run_sink, args=(port, counter, ready), daemon=True)
    sink.start()
    ready.wait(10)

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite"
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "MAIL_SERVER": "127.0.0.1",
                "MAIL_PORT": port,
                "MAIL_BATCH_SIZE": args.batch_size,
            }
        )
        app.instance_path = folder
        with app.app_context():
            db.drop_all()
            db.create_all()
            fill_outbox(args.mails)
            sender = parse_sender(app.config["MAIL_DEFAULT_SENDER"])
            # Plain rows: they stay readable after the worker's commits (no lazy loads).
            mails = db.session.execute(select(*OutgoingMail.__table__.columns)).all()
            plain, building, worker = [], [], []
            for _ in range(args.rounds):
                # Freshly built each round: a message serialised once keeps its MIME
                # boundaries, which would make the next sending of it cheaper.
                messages = [
                    (sender.addr_spec, mail.to_email, build_message(mail, sender)) for mail in mails
                ]
                plain.append(time_smtplib(port, messages))
                del messages
                building.append(time_smtplib_building(port, mails, sender))
                worker.append(time_worker())
            details = machine()
            db.session.close()
            db.drop_all()
        sink.terminate()

    expected = 3 * args.rounds * args.mails
    plain_s, worker_s = statistics.median(plain), statistics.median(worker)
    building_s = statistics.median(building)
    ratio = plain_s / worker_s
    print(f"{args.mails} mails, {args.rounds} rounds, batch {args.batch_size}; {details}")
    print("| | median time | mails/s | ratio to worker |\n|---|---|---|---|")
    for label, seconds in (
        ("plain smtplib, messages built beforehand, one connection", plain_s),
        ("plain smtplib, building each message, one connection", building_s),
        ("outbox worker (claim, build, send, record)", worker_s),
    ):
        print(
            f"| {label} | {seconds:.2f} s | {args.mails / seconds:.0f} | {seconds / worker_s:.2f} |"
        )
    rounds = {"smtplib": plain, "building": building, "worker": worker}
    print("all rounds (s):", {name: [round(s, 2) for s in times] for name, times in rounds.items()})
    print(f"ratio (smtplib time / worker time): {ratio:.2f} (target ≥ {TARGET_RATIO})")
    print(f"mails received by the sink: {counter.value} (expected {expected})")
    return 0 if ratio >= TARGET_RATIO and counter.value == expected else 1


if __name__ == "__main__":
    sys.exit(main())
