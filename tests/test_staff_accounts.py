"""The team's passwords and accounts: choosing one's own password after an issued
one, and the admins' page of accounts."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from instant_coorace.extensions import db
from instant_coorace.staff import services
from instant_coorace.staff.models import StaffRole, StaffUser
from tests.builders import make_staff

LOGIN = "/gestion/connexion"
CHOOSE = "/gestion/mot-de-passe"
ACCOUNTS = "/gestion/equipe/"
ADMIN = "direction@coorace-occitanie.example.org"
COLLEAGUE = "equipe@coorace-occitanie.example.org"
PASSWORD = "mot-de-passe-solide"
NEW_PASSWORD = "trois mots faciles à retenir"
ISSUED = re.compile(r'<code class="secret">([^<]+)</code>')


def log_in(client, email: str, password: str):
    return client.post(LOGIN, data={"email": email, "password": password})


def choose(client, current: str, new: str = NEW_PASSWORD, confirmation: str | None = None):
    data = {
        "current_password": current,
        "new_password": new,
        "confirmation": new if confirmation is None else confirmation,
    }
    return client.post(CHOOSE, data=data)


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.fixture
def browser(make_app, app):
    """A new browser: its own app object, so that each of its requests has its own
    application context and loads its user afresh, as in production (clients of
    the shared ``app`` fixture would share ``g`` and Flask-Login's loaded user)."""
    return lambda: make_app().test_client()


@pytest.fixture
def issued(app):
    """A colleague's new account and the one-time password they were given."""
    _, password = services.create_staff_user(COLLEAGUE, StaffRole.TEAM)
    return password


@pytest.fixture
def admin_client(browser):
    make_staff(ADMIN, PASSWORD, StaffRole.ADMIN)
    client = browser()
    log_in(client, ADMIN, PASSWORD)
    return client


def test_an_issued_password_opens_only_the_page_to_choose_ones_own(app, client, issued):
    assert log_in(client, COLLEAGUE, issued).location == CHOOSE
    for page in ("/gestion/", "/gestion/evenements/", "/gestion/annuaire/"):
        assert client.get(page).location == CHOOSE, page

    response = choose(client, issued)

    assert response.location == "/gestion/"
    assert "Votre mot de passe est enregistré." in text(client.get("/gestion/"))
    user = db.session.scalars(select(StaffUser)).one()
    assert not user.must_choose_password
    client.post("/gestion/deconnexion")
    assert log_in(client, COLLEAGUE, issued).status_code == 200  # refused
    assert log_in(client, COLLEAGUE, NEW_PASSWORD).location == "/gestion/"


@pytest.mark.parametrize(
    ("current", "new", "confirmation", "field", "message"),
    [
        ("faux", NEW_PASSWORD, None, "current_password", "Ce n'est pas votre mot de passe actuel"),
        (None, "court", None, "new_password", "Le mot de passe doit compter de 12 à 200"),
        (None, NEW_PASSWORD, "autre chose encore", "confirmation", "pas identiques"),
        (None, None, None, "new_password", "différent de celui qui vous a été remis"),
    ],
)
def test_a_refused_password_is_explained_next_to_its_field_and_changes_nothing(
    app, client, issued, current, new, confirmation, field, message
):
    log_in(client, COLLEAGUE, issued)
    hash_before = db.session.scalars(select(StaffUser.password_hash)).one()

    response = choose(client, current or issued, new or issued, confirmation)

    html = text(response)
    assert response.status_code == 422
    assert f'id="{field}-erreur"' in html and message in html
    assert 'aria-invalid="true"' in html
    db.session.expire_all()
    user = db.session.scalars(select(StaffUser)).one()
    assert user.password_hash == hash_before and user.must_choose_password


def test_changing_ones_password_ends_the_other_sessions_but_not_this_one(browser, issued):
    log_in(laptop := browser(), COLLEAGUE, issued)
    choose(laptop, issued)
    log_in(phone := browser(), COLLEAGUE, NEW_PASSWORD)
    assert phone.get("/gestion/").status_code == 200

    choose(laptop, NEW_PASSWORD, "une autre phrase de passe")

    assert laptop.get("/gestion/").status_code == 200
    assert phone.get("/gestion/").location.startswith(LOGIN)


def test_the_accounts_page_is_for_admins(app, client, issued):
    make_staff(ADMIN, PASSWORD, StaffRole.TEAM)
    assert client.get(ACCOUNTS).location.startswith(LOGIN)
    log_in(client, ADMIN, PASSWORD)
    assert client.get(ACCOUNTS).status_code == 403
    assert (
        client.post(ACCOUNTS, data={"email": "x@example.org", "role": "admin"}).status_code == 403
    )
    assert "Équipe</a>" not in text(client.get("/gestion/"))
    assert db.session.scalar(select(StaffUser).where(StaffUser.email == "x@example.org")) is None


def test_an_admin_opens_an_account_and_sees_its_password_once(browser, admin_client):
    response = admin_client.post(
        ACCOUNTS, data={"email": "Nouvelle@Coorace.example.org", "role": "team"}
    )

    html = text(response)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Compte créé : nouvelle@coorace.example.org" in html
    password = ISSUED.search(html).group(1)
    assert password not in text(admin_client.get(ACCOUNTS))
    created = db.session.scalars(
        select(StaffUser).where(StaffUser.email == "nouvelle@coorace.example.org")
    ).one()
    assert created.role is StaffRole.TEAM and created.must_choose_password
    newcomer = browser()
    assert log_in(newcomer, "nouvelle@coorace.example.org", password).location == CHOOSE


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("pas-une-adresse", "Cette adresse e-mail n'est pas valide"),
        (ADMIN.upper(), "Un compte existe déjà pour " + ADMIN),
    ],
)
def test_a_refused_account_is_explained_next_to_the_address(app, admin_client, email, message):
    response = admin_client.post(ACCOUNTS, data={"email": email, "role": "admin"})
    html = text(response)
    assert response.status_code == 422
    assert 'id="email-erreur"' in html and message in html
    assert f'value="{email}"' in html
    assert len(db.session.scalars(select(StaffUser)).all()) == 1


def test_an_admin_deactivates_and_reactivates_a_colleague(browser, admin_client, issued):
    colleague = db.session.scalars(select(StaffUser).where(StaffUser.email == COLLEAGUE)).one()
    colleague_client = browser()
    log_in(colleague_client, COLLEAGUE, issued)
    choose(colleague_client, issued)

    response = admin_client.post(f"{ACCOUNTS}{colleague.id}/activation", data={"active": "0"})

    assert response.location == ACCOUNTS
    assert f"Le compte {COLLEAGUE} est désactivé." in text(admin_client.get(ACCOUNTS))
    assert colleague_client.get("/gestion/").location.startswith(LOGIN)
    admin_client.post(f"{ACCOUNTS}{colleague.id}/activation", data={"active": "1"})
    assert log_in(colleague_client, COLLEAGUE, NEW_PASSWORD).location == "/gestion/"


def test_an_admin_cannot_deactivate_their_own_account(app, admin_client):
    admin = db.session.scalars(select(StaffUser)).one()
    admin_client.post(f"{ACCOUNTS}{admin.id}/activation", data={"active": "0"})
    assert "Vous ne pouvez pas désactiver votre propre compte." in text(admin_client.get(ACCOUNTS))
    db.session.expire_all()
    assert db.session.get(StaffUser, admin.id).active


def test_an_admin_resets_a_colleagues_password(browser, admin_client, issued):
    colleague = db.session.scalars(select(StaffUser).where(StaffUser.email == COLLEAGUE)).one()
    colleague_client = browser()
    log_in(colleague_client, COLLEAGUE, issued)
    choose(colleague_client, issued)

    response = admin_client.post(f"{ACCOUNTS}{colleague.id}/mot-de-passe")

    html = text(response)
    assert f"Mot de passe réinitialisé : {COLLEAGUE}" in html
    password = ISSUED.search(html).group(1)
    assert colleague_client.get("/gestion/").location.startswith(LOGIN)
    assert log_in(browser(), COLLEAGUE, NEW_PASSWORD).status_code == 200  # refused
    assert log_in(browser(), COLLEAGUE, password).location == CHOOSE


def test_account_changes_need_the_form_token(make_app, app):
    make_staff(ADMIN, PASSWORD, StaffRole.ADMIN)
    colleague = make_staff(COLLEAGUE, PASSWORD)
    guarded = make_app(WTF_CSRF_ENABLED=True).test_client()
    login_page = guarded.get(LOGIN).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    guarded.post(LOGIN, data={"email": ADMIN, "password": PASSWORD, "csrf_token": token})

    assert (
        guarded.post(f"{ACCOUNTS}{colleague.id}/activation", data={"active": "0"}).status_code
        == 400
    )
    assert guarded.post(f"{ACCOUNTS}{colleague.id}/mot-de-passe").status_code == 400
    assert (
        guarded.post(ACCOUNTS, data={"email": "x@example.org", "role": "admin"}).status_code == 400
    )
    assert guarded.post(CHOOSE, data={"current_password": PASSWORD}).status_code == 400
    db.session.expire_all()
    assert db.session.get(StaffUser, colleague.id).active
    assert len(db.session.scalars(select(StaffUser)).all()) == 2


def test_guessing_the_current_password_is_rate_limited(make_app, app, issued):
    limited = make_app(RATELIMIT_ENABLED=True, STAFF_LOGIN_RATE_LIMIT="3/minute").test_client()
    log_in(limited, COLLEAGUE, issued)
    statuses = [choose(limited, "devine").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    db.session.expire_all()
    assert db.session.scalars(select(StaffUser)).one().check_password(issued)
