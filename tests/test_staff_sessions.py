"""Staff sessions live on the server: a copied cookie dies with the session it
belongs to (logout, deactivation, a new password), and a session left idle ends."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, update

from instant_coorace.database import utcnow
from instant_coorace.extensions import db
from instant_coorace.staff import services
from instant_coorace.staff.models import StaffRole, StaffSession
from instant_coorace.staff.sessions import hash_token
from tests.builders import make_staff

LOGIN = "/gestion/connexion"
EMAIL = "equipe@coorace-occitanie.example.org"
ADMIN = "direction@coorace-occitanie.example.org"
PASSWORD = "mot-de-passe-solide"


@pytest.fixture
def browser(make_app, app):
    """A new browser, with its own app object so that each request loads its user afresh."""
    return lambda **config: make_app(**config).test_client()


def log_in(client, email: str = EMAIL, password: str = PASSWORD):
    return client.post(LOGIN, data={"email": email, "password": password})


def copy_of(client, browser):
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = browser()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def opens_back_office(client) -> bool:
    response = client.get("/gestion/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_a_cookie_copied_before_logout_no_longer_opens_the_back_office(app, browser):
    make_staff(EMAIL, PASSWORD)
    log_in(laptop := browser())
    thief = copy_of(laptop, browser)
    assert opens_back_office(thief)

    laptop.post("/gestion/deconnexion")

    response = thief.get("/gestion/")
    assert response.status_code == 302 and response.location.startswith(LOGIN)


def test_the_cookie_holds_a_token_the_database_only_knows_hashed(app, browser):
    make_staff(EMAIL, PASSWORD)
    log_in(client := browser())
    with client.session_transaction() as session:
        token = session["_user_id"]
    stored = db.session.scalars(select(StaffSession)).one()
    assert len(token) >= 40 and stored.token_hash == hash_token(token) != token
    assert EMAIL not in token


def test_deactivation_ends_every_session_for_good(app, browser):
    colleague = make_staff(EMAIL, PASSWORD)
    admin = make_staff(ADMIN, PASSWORD, StaffRole.ADMIN)
    log_in(laptop := browser())
    log_in(phone := browser())

    services.set_account_active(colleague.id, False, admin.id)
    services.set_account_active(colleague.id, True, admin.id)

    assert not opens_back_office(laptop) and not opens_back_office(phone)
    assert log_in(laptop).location == "/gestion/"


def test_a_password_reset_by_an_admin_ends_the_colleagues_sessions(app, browser):
    colleague = make_staff(EMAIL, PASSWORD)
    log_in(laptop := browser())

    services.reset_account_password(colleague.id)

    assert not opens_back_office(laptop)


def test_a_session_left_idle_too_long_ends_and_an_active_one_slides(app, browser):
    make_staff(EMAIL, PASSWORD)
    log_in(idle := browser(STAFF_SESSION_IDLE_HOURS=8))
    log_in(active := browser(STAFF_SESSION_IDLE_HOURS=8))
    with idle.session_transaction() as session:
        idle_hash = hash_token(session["_user_id"])
    db.session.execute(
        update(StaffSession).values(last_seen_at=utcnow() - dt.timedelta(hours=7, minutes=59))
    )
    db.session.execute(
        update(StaffSession)
        .where(StaffSession.token_hash == idle_hash)
        .values(last_seen_at=utcnow() - dt.timedelta(hours=8, minutes=1))
    )
    db.session.commit()

    assert not opens_back_office(idle)
    assert opens_back_office(active)
    db.session.expire_all()
    seen = db.session.scalars(
        select(StaffSession.last_seen_at).where(StaffSession.token_hash != idle_hash)
    ).one()
    assert utcnow() - seen < dt.timedelta(minutes=1)


def test_the_session_cookie_expires_after_the_idle_period(app, browser):
    make_staff(EMAIL, PASSWORD)
    response = log_in(browser(STAFF_SESSION_IDLE_HOURS=2))
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Expires=" in cookie
    expires = dt.datetime.strptime(
        cookie.split("Expires=")[1].split(";")[0], "%a, %d %b %Y %H:%M:%S GMT"
    ).replace(tzinfo=dt.UTC)
    assert dt.timedelta(hours=1, minutes=58) < expires - utcnow() <= dt.timedelta(hours=2)
