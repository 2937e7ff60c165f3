"""Prove the race (pretix style): many people submit the real registration form
at the same instant, against the real app under gunicorn (several processes and
threads), and the seats are never oversold."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import select

from instant_coorace.extensions import db
from instant_coorace.registrations.models import Registration, RegistrationStatus
from tests.builders import make_event, make_structure
from tests.live_server import (
    LiveServer,
    csrf_token,
    form_values,
    live_server,  # noqa: F401 - fixture
    registration_path,
)

pytestmark = pytest.mark.live

CLIENTS = 200


def race(server: LiveServer, slug: str, structure_ids: list[int | None]) -> list[requests.Response]:
    """Each client loads the form (its own cookie and CSRF token), then all of
    them post it together, released by one barrier."""
    url = server.url + registration_path(slug)
    barrier = threading.Barrier(CLIENTS)

    def client(number: int) -> requests.Response:
        with requests.Session() as session:
            form = session.get(url, timeout=60)
            form.raise_for_status()
            data = form_values(number, structure_ids[number % len(structure_ids)])
            data["csrf_token"] = csrf_token(form.text)
            # Drop the idle keep-alive connection (cookies stay): every POST
            # opens a fresh one the moment the barrier falls.
            session.close()
            barrier.wait(timeout=120)
            return session.post(url, data=data, allow_redirects=False, timeout=120)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        return list(pool.map(client, range(CLIENTS)))


def assert_every_registrant_reached_confirmation(responses, slug, server) -> None:
    statuses = Counter(response.status_code for response in responses)
    assert statuses == {303: CLIENTS}, f"{statuses}\n{server.log()[-3000:]}"
    locations = {response.headers["Location"].split("?")[0] for response in responses}
    assert {location.removeprefix(server.url) for location in locations} == {
        f"{registration_path(slug)}/confirmee"
    }


def registrations(event_id: int) -> list[Registration]:
    db.session.rollback()  # end the test's own read transaction: see what the server wrote
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event_id)))


def test_two_hundred_people_racing_for_fifty_seats(live_server):  # noqa: F811
    event = make_event(capacity=50)

    responses = race(live_server, event.slug, [None])

    assert_every_registrant_reached_confirmation(responses, event.slug, live_server)
    rows = registrations(event.id)
    assert len(rows) == CLIENTS
    by_status = Counter(row.status for row in rows)
    assert by_status == {RegistrationStatus.CONFIRMED: 50, RegistrationStatus.WAITLISTED: 150}
    positions = sorted(
        row.waitlist_position for row in rows if row.status is RegistrationStatus.WAITLISTED
    )
    assert positions == list(range(1, 151))


def test_racing_registrants_never_exceed_the_seats_per_structure(live_server):  # noqa: F811
    structures = [make_structure(f"Structure en course {n}") for n in range(10)]
    event = make_event(capacity=50, seats_per_structure=3)

    responses = race(live_server, event.slug, [structure.id for structure in structures])

    assert_every_registrant_reached_confirmation(responses, event.slug, live_server)
    rows = registrations(event.id)
    confirmed = [row for row in rows if row.status is RegistrationStatus.CONFIRMED]
    per_structure = Counter(row.structure_id for row in confirmed)
    assert per_structure == {structure.id: 3 for structure in structures}
    assert len(confirmed) == min(event.capacity, 3 * len(structures))
    assert len(rows) - len(confirmed) == CLIENTS - 30
