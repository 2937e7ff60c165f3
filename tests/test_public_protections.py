"""The public form's protections: CSRF and the rate limit, with their French pages."""

from __future__ import annotations

import os

import pytest
import redis
from sqlalchemy import func, select

from instant_coorace.extensions import db, limiter
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration
from tests.builders import applicant, make_event
from tests.live_server import csrf_token, form_values, registration_path


def registrations() -> int:
    """Count from a fresh transaction: the requests went through another app's session,
    and SQLite would otherwise answer from this session's older snapshot."""
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Registration))


def test_post_without_csrf_token_gets_the_expired_form_page_and_writes_nothing(app, make_app):
    event = make_event()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()

    response = client.post(registration_path(event.slug), data=form_values(1))

    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)
    assert registrations() == 0


def test_post_with_the_forms_csrf_token_registers(app, make_app):
    event = make_event()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    page = client.get(registration_path(event.slug)).get_data(as_text=True)

    data = form_values(1) | {"csrf_token": csrf_token(page)}
    response = client.post(registration_path(event.slug), data=data)

    assert response.status_code == 303
    assert registrations() == 1


def test_over_https_a_form_of_a_page_that_sends_no_referrer_still_posts(app, make_app):
    """Personal pages send ``Referrer-Policy: no-referrer``: the browser then posts
    their forms without a Referer, which must not fail the CSRF check over HTTPS."""
    event = make_event()
    receipt = services.register(event.id, applicant(1))
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    https = {"base_url": "https://evenements.example.org"}
    cancel_page = client.get(f"/inscription/{receipt.token}/annuler", **https)
    assert cancel_page.headers["Referrer-Policy"] == "no-referrer"

    response = client.post(
        f"/inscription/{receipt.token}/annuler",
        data={"csrf_token": csrf_token(cancel_page.get_data(as_text=True))},
        **https,
    )

    assert response.status_code in (200, 303)
    db.session.rollback()
    assert db.session.get(Registration, receipt.registration_id).status.value == "cancelled"


def test_third_registration_within_a_minute_is_refused_in_french(app, make_app):
    event = make_event()
    client = make_app(
        RATELIMIT_ENABLED=True, PUBLIC_REGISTRATION_RATE_LIMIT="2/minute"
    ).test_client()

    statuses = [
        client.post(registration_path(event.slug), data=form_values(n)).status_code
        for n in range(3)
    ]
    refused = client.post(registration_path(event.slug), data=form_values(9))

    assert statuses == [303, 303, 429]
    assert "Trop de tentatives" in refused.get_data(as_text=True)
    assert client.get(registration_path(event.slug)).status_code == 200
    assert registrations() == 2


def test_the_limit_is_shared_through_redis_by_every_web_process(app, make_app):
    """Several gunicorn processes or machines count one visitor's attempts together."""
    redis_url = os.environ.get("TEST_REDIS_URL")
    if not redis_url:
        pytest.skip("Redis : TEST_REDIS_URL n'est pas défini")
    event = make_event()
    shared = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_url,
        "PUBLIC_REGISTRATION_RATE_LIMIT": "2/minute",
    }
    first, second = (make_app(**shared).test_client() for _ in range(2))
    # One Limiter serves every app of this test process (and keeps the first app's
    # key prefix): start from zero rather than from an earlier test's attempts.
    limiter.reset()

    statuses = [
        client.post(registration_path(event.slug), data=form_values(n)).status_code
        for n, client in enumerate((first, second, first))
    ]

    assert statuses == [303, 303, 429]
    assert registrations() == 2
    stored = redis.Redis.from_url(redis_url).keys("LIMITS*registrations.register*")
    assert stored, "the attempts must be counted in Redis, not in one process's memory"
