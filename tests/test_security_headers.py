"""Every answer of the site carries its security headers: each route of the URL
map is requested, with real objects in its URL, by a visitor and by a team
member, with every method it accepts and one it refuses; so are unknown URLs.

Pages with personal data or a token are never stored and never sent as Referer;
the public pages and feeds keep their caching. A new route is walked as soon as
it exists, and a new kind of URL argument makes this test fail until it is given
a value here."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask

import config
from instant_coorace import create_app
from instant_coorace.calendar import feeds
from instant_coorace.events.models import EventFormat, EventKind, Series
from instant_coorace.extensions import db
from instant_coorace.registrations import services
from instant_coorace.staff.models import StaffRole
from tests.builders import applicant, make_event, make_staff, make_structure, queue_mail

CSP = (
    "default-src 'self'; base-uri 'self'; form-action 'self'; "
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
    staff = make_staff("admin@coorace-occitanie.example.org", "phrase-de-passe", StaffRole.ADMIN)
    mail = queue_mail()
    values = {
        "slug": event.slug,
        "token": receipt.token,
        "kind": EventKind.ATELIER_COLLECTIF.value,
        "event_id": event.id,
        "registration_id": registration.id,
        "structure_id": structure.id,
        "mail_id": mail.id,
        "account_id": staff.id,
        "person_id": registration.person_id,
        "filename": "site.css",
        "name": "taux-de-presence",
    }
    return World(
        values,
        values_by_endpoint={
            "calendar.personal_feed": {"token": feeds.issue_feed_token(registration.person_id)},
            "calendar.series_feed": {"slug": series.slug},
        },
        staff_session_id=staff.get_id(),
    )


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
    production = config.load(tmp_path, {"INSTANT_COORACE_ENV": "production", "SECRET_KEY": "s"})
    assert production["HSTS_ENABLED"] is True
