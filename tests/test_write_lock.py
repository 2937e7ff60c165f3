"""Every write waits its turn on SQLite: the team's actions succeed while mail
workers commit in a loop beside them.

A deferred SQLite transaction that reads, then writes, fails at once with
``database is locked`` when another connection committed in between; only a
transaction that takes the write lock when it begins waits for its turn.
"""

from __future__ import annotations

import ast
import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from instant_coorace.extensions import db
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.mail.worker import deliver_due_mail
from instant_coorace.members.models import Structure
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration
from instant_coorace.transactions import write_transaction
from tests.builders import applicant, make_event, make_structure, queue_mail

ROUNDS = 12
PACKAGE = Path(__file__).resolve().parent.parent / "instant_coorace"


@pytest.fixture
def database_url(tmp_path) -> str:
    """SQLite only: PostgreSQL locks rows, it has no database-wide write lock."""
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


@contextmanager
def workers_committing(app, count: int = 2) -> Iterator[list[BaseException]]:
    """``count`` mail workers delivering, and mail arriving, in a loop until the block ends."""
    stop = threading.Event()
    errors: list[BaseException] = []
    numbers = itertools.count(10_000)

    def enqueue_and_deliver() -> None:
        with app.app_context():
            while not stop.is_set():
                try:
                    with write_transaction():
                        queue_mail(next(numbers), commit=False)
                    deliver_due_mail()
                except BaseException as error:
                    errors.append(error)
                    return

    threads = [threading.Thread(target=enqueue_and_deliver) for _ in range(count)]
    for thread in threads:
        thread.start()
    try:
        yield errors
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)


def write_to_registrants(staff_client, event, round_number: int) -> None:
    page = staff_client.get(f"/gestion/evenements/{event.id}/ecrire").get_data(as_text=True)
    send_key = page.split('name="send_key"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    response = staff_client.post(
        f"/gestion/evenements/{event.id}/ecrire",
        data={
            "recipients": "all",
            "subject": f"Information n° {round_number}",
            "body": "Le lien de connexion change.",
            "send_key": send_key,
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]


def add_registrant(staff_client, event, round_number: int) -> None:
    response = staff_client.post(
        f"/gestion/evenements/{event.id}/inscrits/ajouter",
        data={
            "email": f"ajout{round_number}@adherent.example.org",
            "first_name": "Lou",
            "last_name": f"Ajout {round_number}",
            "job_title": "Encadrant technique",
            "other_structure_name": "Régie de quartier",
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]


def edit_structure(staff_client, event, round_number: int) -> None:
    structure = db.session.scalars(select(Structure).order_by(Structure.id)).first()
    response = staff_client.post(
        f"/gestion/annuaire/{structure.id}",
        data={
            "name": f"Atelier du Lauragais {round_number}",
            "kinds": ["ACI"],
            "postcode": "31290",
            "city": "Villefranche-de-Lauragais",
            "department": "31",
            "membership": "member",
            "email": "contact@lauragais.example.org",
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]


def cancel_and_register_again(staff_client, event, round_number: int) -> None:
    registration = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    ).first()
    response = staff_client.post(
        f"/gestion/evenements/{event.id}/inscrits/{registration.id}/desinscrire"
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:2000]
    services.register(event.id, applicant(f"retour{round_number}"))


STAFF_ACTIONS: dict[str, Callable] = {
    "écrire aux inscrit·es": write_to_registrants,
    "ajouter une inscription": add_registrant,
    "modifier une structure": edit_structure,
    "désinscrire": cancel_and_register_again,
}


@pytest.mark.parametrize("action", STAFF_ACTIONS.values(), ids=STAFF_ACTIONS.keys())
def test_staff_actions_wait_their_turn_beside_committing_workers(app, staff_client, action):
    make_structure()
    event = make_event(capacity=None)
    for number in range(5):
        services.register(event.id, applicant(number))
    mails_before = db.session.scalar(select(func.count()).select_from(OutgoingMail))

    with workers_committing(app) as worker_errors:
        for round_number in range(ROUNDS):
            action(staff_client, event, round_number)
            db.session.rollback()

    assert worker_errors == []
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) > mails_before


def _is_core_connection(node: ast.expr) -> bool:
    """A Core connection opened with ``SQLITE_IMMEDIATE`` (the worker's outcomes)
    manages its own short transactions."""
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return name == "connection"


def _commits_outside_the_mechanism(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"commit", "begin"}
        and not _is_core_connection(node.func.value)
    ]


def test_every_service_writes_through_the_one_mechanism():
    """A ``commit()`` of its own would be a deferred transaction again: every
    writing use case goes through ``write_transaction`` (or ``begin_writing``)."""
    allowed = {PACKAGE / "transactions.py"}
    offenders = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in allowed and (lines := _commits_outside_the_mechanism(path))
    }
    assert offenders == {}
