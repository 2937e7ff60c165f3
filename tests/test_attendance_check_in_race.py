"""Two staff tablets checking in the same people at the same instant, against
the real app under gunicorn (several processes and threads), on SQLite and
PostgreSQL: one record per person, and neither tablet sees an error."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from instant_coorace.attendance.models import AttendanceStatus, SessionAttendance
from instant_coorace.events.models import EventFormat
from instant_coorace.extensions import db
from instant_coorace.registrations import services
from tests.builders import applicant, make_event, make_staff
from tests.conftest import PASSWORD
from tests.live_server import LiveServer, csrf_token, live_server  # noqa: F401 - fixture

pytestmark = pytest.mark.live

PEOPLE = 12
TABLETS = 2


def tablet(server: LiveServer, email: str, check_in_page: str) -> tuple[requests.Session, str]:
    """A logged-in staff browser on the check-in page, with that page's CSRF token."""
    browser = requests.Session()
    login = browser.get(server.url + "/gestion/connexion", timeout=30)
    answer = browser.post(
        server.url + "/gestion/connexion",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(login.text)},
        timeout=30,
    )
    assert answer.ok, answer.text[-500:]
    page = browser.get(server.url + check_in_page, timeout=30)
    assert page.status_code == 200, server.log()[-2000:]
    return browser, csrf_token(page.text)


def test_two_tablets_tapping_the_same_people_at_once_leave_one_record_each(live_server):  # noqa: F811
    event = make_event(event_format=EventFormat.IN_PERSON, capacity=None)
    session_id = event.sessions[0].id
    ids = [services.register(event.id, applicant(n)).registration_id for n in range(PEOPLE)]
    emails = [f"tablette{n}@coorace-occitanie.example.org" for n in range(TABLETS)]
    for email in emails:
        make_staff(email, PASSWORD)
    page = f"/gestion/evenements/{event.id}/accueil/{session_id}"
    tablets = [tablet(live_server, email, page) for email in emails]
    taps = [(number, rid) for rid in ids for number in range(TABLETS)]
    barrier = threading.Barrier(len(taps))

    def tap(job: tuple[int, int]) -> int:
        browser, token = tablets[job[0]]
        barrier.wait(timeout=60)
        response = browser.post(
            f"{live_server.url}{page}/{job[1]}",
            data={"csrf_token": token, "q": ""},
            allow_redirects=False,
            timeout=60,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=len(taps)) as pool:
        statuses = Counter(pool.map(tap, taps))

    assert statuses == {303: len(taps)}, live_server.log()[-3000:]
    db.session.rollback()  # see what the server wrote
    per_person = dict(
        db.session.execute(
            select(SessionAttendance.registration_id, func.count())
            .where(SessionAttendance.session_id == session_id)
            .group_by(SessionAttendance.registration_id)
        ).all()
    )
    assert per_person == dict.fromkeys(ids, 1)
    statuses = db.session.scalars(
        select(SessionAttendance.status).where(SessionAttendance.session_id == session_id)
    ).all()
    assert set(statuses) == {AttendanceStatus.PRESENT}
