"""Every answer of the site carries its security headers: each route of the URL
map is requested, with real objects in its URL, by a visitor and by a team
member, with every method it accepts and one it refuses; so are unknown URLs.

Pages with personal data or a token are never stored and never sent as Referer;
the public pages and feeds keep their caching. A new route is walked as soon as
it exists, and a new kind of URL argument makes this test fail until it is given
a value here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from flask import Flask

import config
from instant_coorace import create_app
from instant_coorace.attendance.check_in_links import check_in_token
from instant_coorace.attendance.join_links import join_token
from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus
from instant_coorace.attendance.records import Observation, record
from instant_coorace.calendar import feeds
from instant_coorace.events.models import EventFormat, EventKind, Series
from instant_coorace.extensions import db
from instant_coorace.invitations import following
from instant_coorace.invitations.models import SeriesFollower
from instant_coorace.registrations import services
from instant_coorace.staff.models import StaffRole
from instant_coorace.transactions import write_transaction
from tests.builders import applicant, make_event, make_staff, make_structure, queue_mail
from tests.campaign_helpers import make_campaign
from tests.support_builders import make_support, make_theme

CSP = (
    "default-src 'self'; img-src 'self' data:; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; object-src 'none'"
)

#: Pages anyone may see and any cache may keep: everything else is private.
PUBLIC_ENDPOINTS = {
    "events.catalogue",
    "events.event_page",
    "calendar.event_download",
    "calendar.all_events_feed",
    "calendar.series_feed",
    "calendar.kind_feed",
    "series.series_list",
    "series.series_page",
    "static",
}


@dataclass
class World:
    """One of everything a URL of the site can name."""

    values: dict[str, object]
    #: Where an argument names something else on one route (a series' slug).
    values_by_endpoint: dict[str, dict[str, object]]
    staff_session_id: str


@pytest.fixture
def world(app) -> World:
    structure = make_structure("Chantier d'insertion du Lauragais")
    series = Series(name="Ateliers collectifs", slug="ateliers-collectifs")
    db.session.add(series)
    db.session.commit()
    event = make_event(
        "Atelier RSE",
        kind=EventKind.ATELIER_COLLECTIF,
        event_format=EventFormat.ONLINE,
        visio_url="https://visio.example.org/rse",
        series_id=series.id,
    )
    receipt = services.register(event.id, applicant(1, structure))
    registration = services.find_by_token(receipt.token)
    join = join_token(registration)
    db.session.commit()  # the join link's hash
    staff = make_staff("admin@coorace-occitanie.example.org", "phrase-de-passe", StaffRole.ADMIN)
    mail = queue_mail()
    follower = SeriesFollower(series_id=series.id, person_id=registration.person_id)
    follower_token = following.follower_token(follower)
    db.session.add(follower)
    db.session.commit()
    support = make_support(structure, make_theme(), dt.date(2026, 3, 3))
    campaign_id, invitation, unsubscribe = make_campaign(app, event.id, "invite@example.org")
    _, unsubscribe_mail_id, unsubscribe_token = unsubscribe.rsplit("/", 2)
    values = {
        "slug": event.slug,
        "token": receipt.token,
        "kind": EventKind.ATELIER_COLLECTIF.value,
        "event_id": event.id,
        "registration_id": registration.id,
        "structure_id": structure.id,
        "mail_id": mail.id,
        "campaign_id": campaign_id,
        "account_id": staff.id,
        "person_id": registration.person_id,
        "filename": "site.css",
        "series_id": series.id,
        "support_id": support.id,
        "theme_id": support.theme_id,
        "session_id": event.sessions[0].id,
        "name": "taux-de-presence",
    }
    return World(
        values,
        values_by_endpoint={
            "calendar.personal_feed": {"token": feeds.issue_feed_token(registration.person_id)},
            "calendar.series_feed": {"slug": series.slug},
            "series.series_page": {"slug": series.slug},
            "series.follow": {"slug": series.slug},
            "series.confirm": {"token": follower_token},
            "series.stop_following": {"token": follower_token},
            "check_in.scanned": {"token": check_in_token(registration)},
            "check_in_code.qr_image": {"token": check_in_token(registration)},
            **attendance_paperwork_values(structure, registration.id, event.sessions[0].id),
            "invitations.invited": {"token": invitation.rsplit("/", 1)[1]},
            "invitations.unsubscribe_page": {
                "mail_id": int(unsubscribe_mail_id),
                "token": unsubscribe_token,
            },
            "join.join": {"token": join},
        },
        staff_session_id=staff.get_id(),
    )


def attendance_paperwork_values(structure, registration_id: int, session_id: int) -> dict:
    """A training's trainee for the signing pages; attendance for a certificate."""
    training = make_event("Formation", kind=EventKind.FORMATION, event_format=EventFormat.IN_PERSON)
    trainee = services.register(training.id, applicant(2, structure))
    with write_transaction():
        record(
            [
                Observation(
                    registration_id, session_id, AttendanceStatus.PRESENT, AttendanceSource.STAFF
                )
            ]
        )
    signing = {
        "event_id": training.id,
        "session_id": training.sessions[0].id,
        "registration_id": trainee.registration_id,
    }
    return {
        "sign_in.sign_own": {"token": trainee.token, "session_id": training.sessions[0].id},
        "sign_in.sign_on_tablet": signing,
        "sign_in.absence": signing,
    }


def url_of(app: Flask, rule, world: World) -> str:
    missing = rule.arguments - world.values.keys()
    assert not missing, (
        f"{rule.rule}: give a value for {sorted(missing)} in World, so that this "
        "route's headers are checked like the others'."
    )
    values = {name: world.values[name] for name in rule.arguments}
    values |= world.values_by_endpoint.get(rule.endpoint, {})
    with app.test_request_context():
        return app.url_map.bind("localhost").build(rule.endpoint, values)


def assert_headers(response, *, private: bool, where: str) -> None:
    headers = response.headers
    assert response.status_code < 500, where
    assert headers.get("Content-Security-Policy") == CSP, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    assert "Strict-Transport-Security" not in headers, where
    if private:
        assert headers.get("Cache-Control") == "no-store", where
        assert headers.get("Referrer-Policy") == "no-referrer", where
    else:
        assert "no-store" not in headers.get("Cache-Control", ""), where
        assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", where


def walk(app: Flask, world: World, method: str):
    """(where, private, response) for every route taking ``method``, as a visitor
    and as a team member (logged in again before each request: one of them logs out)."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if method not in rule.methods:
            continue
        url = url_of(app, rule, world)
        for who in ("visitor", "staff"):
            client = app.test_client()
            if who == "staff":
                with client.session_transaction() as session:
                    session["_user_id"] = world.staff_session_id
                    session["_fresh"] = True
            response = client.open(url, method=method)
            yield f"{method} {url} as {who}", rule.endpoint not in PUBLIC_ENDPOINTS, response


def test_every_page_and_download_carries_the_headers(app, world):
    seen = 0
    for where, private, response in walk(app, world, "GET"):
        assert_headers(response, private=private, where=where)
        if where.endswith("as staff"):
            # Real objects in every URL: the walk reaches the views, not a 404.
            assert response.status_code != 404, where
        seen += 1
    assert seen > 60


def test_every_form_submission_carries_the_headers(app, world):
    for where, private, response in walk(app, world, "POST"):
        assert_headers(response, private=private, where=where)


def test_a_refused_method_carries_the_headers(app, world):
    for rule in app.url_map.iter_rules():
        refused = "PUT" if "GET" in rule.methods else "GET"
        response = app.test_client().open(url_of(app, rule, world), method=refused)
        assert response.status_code == 405
        assert_headers(response, private=True, where=f"{refused} {rule.rule}")


@pytest.mark.parametrize(
    "url", ["/nulle-part", "/gestion/nulle-part", "/inscription/a/b/c", "/static/absent.css"]
)
def test_unknown_addresses_carry_the_headers(client, url):
    response = client.get(url)
    assert response.status_code == 404
    assert_headers(response, private=not url.startswith("/static/"), where=url)


def test_redirects_carry_the_headers(client):
    to_login = client.get("/gestion/")
    assert to_login.status_code == 302
    assert_headers(to_login, private=True, where="/gestion/")
    to_slash = client.get("/gestion")
    assert to_slash.status_code == 308
    assert_headers(to_slash, private=True, where="/gestion")


def test_a_personal_feed_is_never_stored_even_when_unchanged(app, world):
    client = app.test_client()
    url = "/agenda/personnel/{token}.ics".format(
        **world.values_by_endpoint["calendar.personal_feed"]
    )
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert_headers(again, private=True, where="304")
    assert first.headers.get("X-Robots-Tag") == "noindex"


def test_production_sends_hsts_on_every_answer(app, database_url, tmp_path, monkeypatch):
    make_event("Atelier RSE")
    monkeypatch.setenv("INSTANT_COORACE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "production-secret")
    monkeypatch.setenv("BASE_URL", "https://evenements.example.org")
    monkeypatch.setenv("DATABASE_URL", database_url)
    production = create_app({"INSTANCE_FOR_TESTS": str(tmp_path)})
    client = production.test_client()
    for url in ("/", "/static/site.css", "/nulle-part", "/gestion/"):
        response = client.get(url)
        assert response.headers["Strict-Transport-Security"] == (
            "max-age=31536000; includeSubDomains"
        ), url
        assert response.headers["Content-Security-Policy"] == CSP, url
    with production.app_context():
        db.engine.dispose()


def test_development_and_tests_send_no_hsts(tmp_path):
    assert config.load(tmp_path, {"INSTANT_COORACE_ENV": "development"})["HSTS_ENABLED"] is False
    production = config.load(
        tmp_path,
        {
            "INSTANT_COORACE_ENV": "production",
            "SECRET_KEY": "s",
            "BASE_URL": "https://evenements.example.org",
        },
    )
    assert production["HSTS_ENABLED"] is True
