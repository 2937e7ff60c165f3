"""Behind a reverse proxy: each visitor has their own rate-limit bucket when
``TRUSTED_PROXIES`` says how many proxies to believe, and nobody escapes the
limit by forging ``X-Forwarded-For`` when there is none."""

from __future__ import annotations

import pytest

from instant_coorace import create_app
from instant_coorace.audit.models import AuditAction, AuditEntry
from instant_coorace.extensions import db
from tests.builders import make_event, make_staff
from tests.live_server import form_values, registration_path

PROXY = "10.0.0.1"


def visitor(app, address: str, **headers: str):
    """A browser whose requests reach the app through the proxy at ``PROXY``."""
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address, **headers)
    return client


def register(client, slug: str, number: int) -> int:
    return client.post(registration_path(slug), data=form_values(number)).status_code


@pytest.fixture
def limited(make_app, app):
    return lambda proxies: make_app(
        RATELIMIT_ENABLED=True, PUBLIC_REGISTRATION_RATE_LIMIT="2/minute", TRUSTED_PROXIES=proxies
    )


def test_behind_one_trusted_proxy_each_visitor_has_their_own_limit(app, limited):
    event = make_event()
    site = limited(1)
    first, second = visitor(site, "203.0.113.1"), visitor(site, "203.0.113.2")

    statuses = [register(first, event.slug, n) for n in range(3)]

    assert statuses == [303, 303, 429]
    assert register(second, event.slug, 10) == 303


def test_without_trusted_proxies_a_forged_header_does_not_escape_the_limit(app, limited):
    event = make_event()
    site = limited(0)

    statuses = [register(visitor(site, f"203.0.113.{n}"), event.slug, n) for n in range(3)]

    assert statuses == [303, 303, 429]


def test_a_refused_request_says_when_to_retry(app, limited):
    event = make_event()
    client = limited(0).test_client()
    for number in range(2):
        register(client, event.slug, number)

    refused = client.post(registration_path(event.slug), data=form_values(9))

    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 61  # the window, rounded up
    assert "Trop de tentatives" in refused.get_data(as_text=True)


@pytest.mark.parametrize(("proxies", "recorded"), [(0, PROXY), (1, "203.0.113.9")])
def test_the_audit_log_records_the_visitors_address(app, make_app, proxies, recorded):
    make_staff("equipe@coorace-occitanie.example.org", "mot-de-passe-solide")
    client = visitor(make_app(TRUSTED_PROXIES=proxies), "203.0.113.9")

    client.post(
        "/gestion/connexion",
        data={"email": "equipe@coorace-occitanie.example.org", "password": "mot-de-passe-solide"},
    )

    entry = db.session.scalars(db.select(AuditEntry)).one()
    assert entry.action is AuditAction.LOGIN_SUCCEEDED and entry.remote_addr == recorded


def test_the_scheme_and_host_come_from_the_trusted_proxy(app, make_app):
    site = make_app(TRUSTED_PROXIES=1)

    @site.get("/_adresse")
    def where():
        from flask import request

        return request.url

    client = visitor(
        site,
        "203.0.113.9",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_X_FORWARDED_HOST="evenements.coorace-occitanie.example.org",
    )
    assert client.get("/_adresse").get_data(as_text=True) == (
        "https://evenements.coorace-occitanie.example.org/_adresse"
    )


def test_trusted_proxies_defaults_to_none(monkeypatch, tmp_path):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("INSTANT_COORACE_ENV", "testing")
    site = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert site.config["TRUSTED_PROXIES"] == 0
