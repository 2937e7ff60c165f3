"""Downloads and subscribable feeds over HTTP: headers, 304s, what each one shows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from instant_coorace.calendar import feeds
from instant_coorace.events.models import EventFormat, EventKind, EventStatus, Series
from instant_coorace.extensions import db
from instant_coorace.registrations import services
from tests.builders import applicant, make_event
from tests.calendar_parsers import read_everywhere

VISIO = "https://visio.example.org/j/777"


def seconds_later(seconds: int = 2):
    """Move the clock on: Last-Modified is only given once its second is over."""
    return time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds))


def titles(response) -> list[str]:
    return [event.summary for event in read_everywhere(response.data).events]


def make_series(name: str = "L'Instant Coorace", slug: str = "instant-coorace") -> Series:
    series = Series(name=name, slug=slug)
    db.session.add(series)
    db.session.commit()
    return series


def test_event_download_is_a_published_calendar_file(client):
    event = make_event("Atelier RSE", slug="atelier-rse", visio_url=VISIO)
    response = client.get("/evenements/atelier-rse/agenda.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=atelier-rse.ics"
    calendar = read_everywhere(response.data)
    assert calendar.method == "PUBLISH"
    assert [e.summary for e in calendar.events] == [event.title]
    assert b"ATTENDEE" not in response.data
    assert b"visio.example.org" not in response.data.replace(b"\r\n ", b"")


def test_draft_event_has_no_download(client):
    make_event("Brouillon", slug="brouillon", status=EventStatus.DRAFT)
    response = client.get("/evenements/brouillon/agenda.ics")
    assert response.status_code == 404
    assert "Agenda introuvable" in response.get_data(as_text=True)


def test_feed_is_byte_identical_and_answers_304_when_unchanged(client):
    make_event("Atelier 1", sessions=2)
    make_event("Atelier 2")
    with seconds_later():
        first = client.get("/agenda.ics")
        second = client.get("/agenda.ics")
    assert first.status_code == 200
    assert first.data == second.data
    assert first.headers["ETag"] == second.headers["ETag"]
    assert first.headers["Content-Disposition"].startswith("inline")
    assert "max-age" in first.headers["Cache-Control"]
    assert "public" in first.headers["Cache-Control"]

    by_etag = client.get("/agenda.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert by_etag.status_code == 304
    assert by_etag.data == b""
    with seconds_later():
        by_date = client.get(
            "/agenda.ics", headers={"If-Modified-Since": first.headers["Last-Modified"]}
        )
    assert by_date.status_code == 304


def test_last_modified_waits_until_the_second_of_the_last_change_is_over(client):
    with time_machine.travel(dt.datetime(2027, 1, 5, 9, 0, 0, 100_000, tzinfo=dt.UTC)):
        make_event("Atelier", starts_in=dt.timedelta(days=3))
        assert "Last-Modified" not in client.get("/agenda.ics").headers
    with time_machine.travel(dt.datetime(2027, 1, 5, 9, 0, 1, tzinfo=dt.UTC)):
        response = client.get("/agenda.ics")
    assert response.headers["Last-Modified"] == "Tue, 05 Jan 2027 09:00:00 GMT"


def test_feed_changes_its_etag_when_an_event_changes(client):
    event = make_event("Atelier")
    before = client.get("/agenda.ics")
    event.title = "Atelier déplacé"
    event.calendar_sequence += 1
    db.session.commit()
    after = client.get("/agenda.ics", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert titles(after) == ["Atelier déplacé"]
    assert after.headers["ETag"] != before.headers["ETag"]


def test_unpublishing_an_event_moves_last_modified_forward(client):
    make_event("Reste publié")
    hidden = make_event("Dépublié")
    with seconds_later():
        before = client.get("/agenda.ics")
        hidden.status = EventStatus.DRAFT
        db.session.commit()
    with seconds_later(4):
        after = client.get(
            "/agenda.ics", headers={"If-Modified-Since": before.headers["Last-Modified"]}
        )
    assert after.status_code == 200
    assert titles(after) == ["Reste publié"]


def test_feeds_never_show_drafts(client):
    series = make_series()
    make_event("Publié", series_id=series.id, kind=EventKind.WEBINAIRE)
    make_event("Brouillon", series_id=series.id, kind=EventKind.WEBINAIRE, status=EventStatus.DRAFT)
    for url in ("/agenda.ics", "/agenda/serie/instant-coorace.ics", "/agenda/type/webinaire.ics"):
        assert titles(client.get(url)) == ["Publié"], url


def test_feed_keeps_recent_past_events_and_lets_old_ones_go(client):
    make_event("Il y a un mois", starts_in=dt.timedelta(days=-30))
    make_event("Il y a six mois", starts_in=dt.timedelta(days=-180))
    make_event("Bientôt", starts_in=dt.timedelta(days=3))
    assert titles(client.get("/agenda.ics")) == ["Il y a un mois", "Bientôt"]


def test_cancelled_event_shows_as_cancelled_in_the_feed(client):
    make_event("Assemblée générale", status=EventStatus.CANCELLED)
    (vevent,) = read_everywhere(client.get("/agenda.ics").data).events
    assert vevent.status == "CANCELLED"
    assert vevent.summary == "Annulé : Assemblée générale"


def test_series_and_kind_feeds_show_only_their_events(client):
    series = make_series()
    make_event("De la série", series_id=series.id, kind=EventKind.INSTANT_COORACE)
    make_event("Formation", kind=EventKind.FORMATION)
    assert titles(client.get("/agenda/serie/instant-coorace.ics")) == ["De la série"]
    assert titles(client.get("/agenda/type/formation.ics")) == ["Formation"]
    feed = client.get("/agenda/type/formation.ics").data.replace(b"\r\n ", b"")
    assert "X-WR-CALNAME:Formation – Coorace Occitanie".encode() in feed


@pytest.mark.parametrize("url", ["/agenda/serie/inconnue.ics", "/agenda/type/inconnu.ics"])
def test_unknown_series_or_kind_is_not_found(client, url):
    assert client.get(url).status_code == 404


# Personal feed ------------------------------------------------------------------


def test_personal_feed_shows_only_the_persons_confirmed_registrations(client):
    confirmed = make_event("Confirmé", capacity=5)
    full = make_event("Complet", capacity=1)
    cancelled = make_event("Désinscrit")
    someone_elses = make_event("Pas à moi")
    make_event("Sans inscription")
    services.register(full.id, applicant(99))
    mine = applicant(1)
    receipt = services.register(confirmed.id, mine)
    services.register(full.id, mine)
    services.cancel(services.register(cancelled.id, mine).registration_id)
    services.register(someone_elses.id, applicant(2))
    person_id = services.find_by_token(receipt.token).person_id

    token = feeds.issue_feed_token(person_id)
    response = client.get(f"/agenda/personnel/{token}.ics")
    assert response.status_code == 200
    assert titles(response) == ["Confirmé"]
    assert response.headers["Cache-Control"] == "no-store"
    assert b"ATTENDEE" not in response.data


def test_personal_feed_token_is_stored_hashed_and_rotates(client):
    event = make_event("Confirmé")
    receipt = services.register(event.id, applicant(1))
    registration = services.find_by_token(receipt.token)
    old = feeds.issue_feed_token(registration.person_id)
    assert registration.person.feed_token_hash not in (None, old)
    assert old not in registration.person.feed_token_hash
    new = feeds.issue_feed_token(registration.person_id)
    assert client.get(f"/agenda/personnel/{old}.ics").status_code == 404
    assert client.get(f"/agenda/personnel/{new}.ics").status_code == 200


def test_unknown_personal_token_is_not_found(client):
    make_event()
    assert client.get("/agenda/personnel/nimportequoi.ics").status_code == 404


def test_personal_feed_follows_a_cancellation(client):
    event = make_event("Confirmé")
    receipt = services.register(event.id, applicant(1))
    token = feeds.issue_feed_token(services.find_by_token(receipt.token).person_id)
    with seconds_later():
        before = client.get(f"/agenda/personnel/{token}.ics")
        services.cancel(receipt.registration_id)
    with seconds_later(4):
        after = client.get(
            f"/agenda/personnel/{token}.ics",
            headers={"If-Modified-Since": before.headers["Last-Modified"]},
        )
    assert after.status_code == 200
    assert titles(after) == []


def test_registrant_gets_a_personal_feed_address_from_their_link(client):
    event = make_event("Confirmé")
    receipt = services.register(event.id, applicant(1))
    page = client.post(f"/inscription/{receipt.token}/agenda-personnel")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    (feed_token,) = set(re.findall(r"webcal://localhost/agenda/personnel/([\w-]+)\.ics", html))
    assert titles(client.get(f"/agenda/personnel/{feed_token}.ics")) == ["Confirmé"]


def test_personal_feed_address_needs_a_valid_registration_link(client):
    assert client.post("/inscription/faux/agenda-personnel").status_code == 404


# Registrant's own download --------------------------------------------------------


def test_confirmed_registrant_download_has_the_join_link(client):
    event = make_event("Webinaire", event_format=EventFormat.ONLINE, visio_url=VISIO)
    receipt = services.register(event.id, applicant(1))
    response = client.get(f"/inscription/{receipt.token}/agenda.ics")
    assert response.status_code == 200
    (vevent,) = read_everywhere(response.data).events
    assert vevent.location.startswith("http://localhost/j/")  # the tracked join link
    assert b"ATTENDEE" not in response.data
    assert response.headers["Cache-Control"] == "no-store"


def test_waitlisted_registrant_download_has_no_join_link(client):
    event = make_event("Webinaire", capacity=1, event_format=EventFormat.ONLINE, visio_url=VISIO)
    services.register(event.id, applicant(1))
    receipt = services.register(event.id, applicant(2))
    response = client.get(f"/inscription/{receipt.token}/agenda.ics")
    (vevent,) = read_everywhere(response.data).events
    assert vevent.location == "En visio"
    assert b"visio.example.org" not in response.data.replace(b"\r\n ", b"")
