"""The personal join link of an online session: attendance recorded, then the
event's own visio, inside the join window only."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy
from html import unescape
from pathlib import Path
from urllib.parse import quote

import pytest
import time_machine
from sqlalchemy import select

from instant_coorace.attendance.join_links import join_token
from instant_coorace.attendance.models import AttendanceSource, SessionAttendance
from instant_coorace.events.models import EventFormat, EventStatus
from instant_coorace.extensions import db
from instant_coorace.formatting import PARIS
from instant_coorace.mail.worker import run_jobs
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration
from tests.builders import applicant, make_event
from tests.calendar_parsers import read_everywhere
from tests.test_stored_links import calendar_of

VISIO = "https://visio.example.org/j/instant-4242"
JOIN_LINK = re.compile(r"http://localhost(/j/[A-Za-z0-9_-]{40,})")


def webinar(**fields):
    fields.setdefault("visio_url", VISIO)
    return make_event("Instant RSE", event_format=EventFormat.ONLINE, **fields)


def join_path(client, receipt) -> str:
    """The join link as the registrant's own page gives it."""
    page = unescape(client.get(f"/inscription/{receipt.token}").get_data(as_text=True))
    [path] = re.findall(r'href="(/j/[^"]+)"', page)
    return path


def attendance() -> list[SessionAttendance]:
    db.session.expire_all()
    return db.session.scalars(select(SessionAttendance)).all()


def test_the_confirmation_mail_carries_the_personal_link_not_the_visio_url(app, client):
    event = webinar()
    services.register(event.id, applicant(1))
    run_jobs()
    [eml] = sorted((Path(app.instance_path) / "mail").glob("*.eml"))
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()

    [link] = JOIN_LINK.findall(text)
    assert link in html
    assert VISIO not in text and VISIO not in html
    [invitation] = read_everywhere(calendar_of(message)).events  # Outlook shows its place
    assert invitation.location == f"http://localhost{link}"
    assert f"http://localhost{link}" in invitation.description
    assert VISIO not in invitation.description
    session = event.sessions[0]
    with time_machine.travel(session.starts_at - dt.timedelta(minutes=5), tick=False):
        response = client.get(link)
    assert response.status_code == 303 and response.headers["Location"] == VISIO


def test_opening_the_link_in_the_window_records_first_and_last_seen(client):
    event = webinar()
    session = event.sessions[0]
    receipt = services.register(event.id, applicant(1))
    path = join_path(client, receipt)

    first = session.starts_at - dt.timedelta(minutes=30)
    with time_machine.travel(first, tick=False):
        assert client.get(path).headers["Location"] == VISIO
    later = session.starts_at + dt.timedelta(minutes=40)
    with time_machine.travel(later, tick=False):
        assert client.get(path).headers["Location"] == VISIO

    [seen] = attendance()
    assert seen.is_present and seen.source is AttendanceSource.JOIN_LINK
    assert (seen.first_seen_at, seen.last_seen_at) == (first, later)
    assert seen.session_id == session.id


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (lambda s: s.starts_at - dt.timedelta(minutes=31), "pas encore ouverte"),
        (lambda s: s.ends_at + dt.timedelta(minutes=1), "terminées"),
    ],
)
def test_outside_the_window_a_french_page_says_when_to_come_back(client, moment, expected):
    event = webinar()
    session = event.sessions[0]
    path = join_path(client, services.register(event.id, applicant(1)))

    with time_machine.travel(moment(session), tick=False):
        response = client.get(path)
    page = unescape(response.get_data(as_text=True))
    assert expected in page and VISIO not in page
    assert not attendance()
    if "encore" in expected:
        assert response.status_code == 200
        # The link opens half an hour before the hour the session starts at,
        # said in Paris time, never in UTC (whatever the hour the test runs).
        opens = session.starts_at - dt.timedelta(minutes=30)
        paris, utc = f"à {opens.astimezone(PARIS).hour} h 30", f"à {opens.hour} h 30"
        assert "Revenez sur ce lien à partir du" in page
        assert paris in page and utc not in page
        assert f"/evenements/{event.slug}/agenda.ics" in page


def test_the_window_is_configurable(app, client):
    app.config["ATTENDANCE_JOIN_OPENS_MINUTES_BEFORE"] = 60
    event = webinar()
    session = event.sessions[0]
    path = join_path(client, services.register(event.id, applicant(1)))
    with time_machine.travel(session.starts_at - dt.timedelta(minutes=50), tick=False):
        assert client.get(path).status_code == 303
    with time_machine.travel(session.starts_at - dt.timedelta(minutes=61), tick=False):
        assert client.get(path).status_code == 200


def test_a_multi_session_event_records_the_session_whose_window_is_open(client):
    event = webinar(sessions=2)
    first, second = event.sessions
    path = join_path(client, services.register(event.id, applicant(1)))

    between = first.ends_at + dt.timedelta(minutes=10)
    with time_machine.travel(between, tick=False):
        page = unescape(client.get(path).get_data(as_text=True))
    assert "Revenez sur ce lien à partir du" in page
    with time_machine.travel(second.starts_at + dt.timedelta(minutes=1), tick=False):
        assert client.get(path).status_code == 303
    assert [seen.session_id for seen in attendance()] == [second.id]


def test_the_redirect_goes_to_the_events_own_url_never_one_from_the_request(client):
    event, other = webinar(), webinar(visio_url="https://visio.example.org/autre")
    path = join_path(client, services.register(event.id, applicant(1)))
    other_path = join_path(client, services.register(other.id, applicant(2)))

    with time_machine.travel(event.sessions[0].starts_at, tick=False):
        tricked = client.get(
            f"{path}?next=https://evil.example.com&url=https://evil.example.com",
            headers={"Referer": "https://evil.example.com", "Host": "localhost"},
        )
        theirs = client.get(other_path)
    assert tricked.headers["Location"] == VISIO
    assert theirs.headers["Location"] == "https://visio.example.org/autre"


def test_cancelled_waitlisted_and_handed_over_links_say_so_and_do_not_redirect(client):
    event = webinar(capacity=2)
    cancelled = services.register(event.id, applicant(1))
    handed = services.register(event.id, applicant(2))
    paths = {"cancelled": join_path(client, cancelled), "handed": join_path(client, handed)}
    services.cancel(cancelled.registration_id)
    services.hand_over(handed.registration_id, applicant(3))
    services.register(event.id, applicant(4))
    waiting = services.register(event.id, applicant(5))
    # A waitlisted registrant is given no link; one made for them anyway does not open.
    paths["waitlisted"] = f"/j/{join_token(db.session.get(Registration, waiting.registration_id))}"
    db.session.commit()

    with time_machine.travel(event.sessions[0].starts_at, tick=False):
        pages = {name: client.get(path) for name, path in paths.items()}
    assert {name: response.status_code for name, response in pages.items()} == dict.fromkeys(
        paths, 409
    )
    said = {name: unescape(response.get_data(as_text=True)) for name, response in pages.items()}
    assert "Inscription annulée" in said["cancelled"]
    assert "Place transmise" in said["handed"]
    assert "liste d'attente" in said["waitlisted"]
    assert all(VISIO not in page for page in said.values())
    assert not attendance()


def test_a_waitlisted_registrant_has_no_join_link_yet(client):
    event = webinar(capacity=1)
    services.register(event.id, applicant(1))
    waiting = services.register(event.id, applicant(2))
    page = client.get(f"/inscription/{waiting.token}").get_data(as_text=True)
    assert "/j/" not in page


def test_an_unknown_token_is_a_french_404_without_referrer(client):
    response = client.get("/j/pas-un-vrai-jeton")
    assert response.status_code == 404
    assert "Lien introuvable" in unescape(response.get_data(as_text=True))
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_the_link_of_a_cancelled_event_says_so(client):
    event = webinar()
    path = join_path(client, services.register(event.id, applicant(1)))
    event.status = EventStatus.CANCELLED
    db.session.commit()
    with time_machine.travel(event.sessions[0].starts_at, tick=False):
        response = client.get(path)
    assert response.status_code == 409
    assert "Événement annulé" in unescape(response.get_data(as_text=True))
    assert not attendance()


def test_the_registrants_own_page_and_calendar_carry_only_the_tracked_link(client):
    event = webinar()
    receipt = services.register(event.id, applicant(1))
    page = client.get(f"/inscription/{receipt.token}").get_data(as_text=True)
    assert VISIO not in unescape(page) and quote(VISIO, safe="") not in page
    download = client.get(f"/inscription/{receipt.token}/agenda.ics")
    [entry] = read_everywhere(download.data).events
    with time_machine.travel(event.sessions[0].starts_at, tick=False):
        assert client.get(entry.location.removeprefix("http://localhost")).status_code == 303
