"""Staff accounts: the CLI, logging in and out, who may see the back office."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from instant_coorace.events.models import EventStatus
from instant_coorace.extensions import db
from instant_coorace.registrations import services as registrations
from instant_coorace.staff.models import StaffRole, StaffUser
from tests.builders import applicant, make_event, make_staff

LOGIN = "/gestion/connexion"
EMAIL = "equipe@coorace-occitanie.example.org"
PASSWORD = "mot-de-passe-solide"


def one_time_password(output: str) -> str:
    return re.search(r"^  (\S{16,})$", output, re.MULTILINE).group(1)


def log_in(client, email: str, password: str, next_url: str | None = None):
    url = LOGIN if next_url is None else f"{LOGIN}?next={next_url}"
    return client.post(url, data={"email": email, "password": password})


def test_cli_makes_the_first_admin_whose_one_time_password_leads_to_choosing_one(
    app, runner, client
):
    result = runner.invoke(args=["staff", "create", "Directrice@Coorace.example.org"])
    assert result.exit_code == 0, result.output
    assert "Compte créé : directrice@coorace.example.org (admin)" in result.output
    password = one_time_password(result.output)
    user = db.session.scalars(select(StaffUser)).one()
    assert user.email == "directrice@coorace.example.org"
    assert user.role is StaffRole.ADMIN and user.active and user.must_choose_password
    assert password not in user.password_hash

    response = log_in(client, "directrice@coorace.example.org", password)
    assert response.status_code == 302
    assert response.location == "/gestion/mot-de-passe"
    assert client.get("/gestion/").location == "/gestion/mot-de-passe"
    assert "Choisissez votre mot de passe" in client.get(response.location).get_data(as_text=True)


def test_cli_accounts_after_the_first_are_team_unless_asked(app, runner):
    runner.invoke(args=["staff", "create", "direction@coorace.example.org"])
    runner.invoke(args=["staff", "create", EMAIL])
    runner.invoke(args=["staff", "create", "second-admin@coorace.example.org", "--role", "admin"])
    roles = dict(db.session.execute(select(StaffUser.email, StaffUser.role)).all())
    assert roles == {
        "direction@coorace.example.org": StaffRole.ADMIN,
        EMAIL: StaffRole.TEAM,
        "second-admin@coorace.example.org": StaffRole.ADMIN,
    }


def test_cli_refuses_a_second_account_for_the_same_address(app, runner):
    runner.invoke(args=["staff", "create", EMAIL])
    result = runner.invoke(args=["staff", "create", EMAIL.upper()])
    assert result.exit_code != 0
    assert "Un compte existe déjà" in result.output
    assert len(db.session.scalars(select(StaffUser)).all()) == 1


def test_reset_password_retires_the_old_one(app, runner, client):
    make_staff(EMAIL, PASSWORD)
    result = runner.invoke(args=["staff", "reset-password", EMAIL])
    assert result.exit_code == 0, result.output
    assert log_in(client, EMAIL, PASSWORD).status_code == 200
    response = log_in(client, EMAIL, one_time_password(result.output))
    assert response.location == "/gestion/mot-de-passe"


def test_reset_password_of_an_unknown_address_fails(app, runner):
    result = runner.invoke(args=["staff", "reset-password", "personne@example.org"])
    assert result.exit_code != 0
    assert "Aucun compte" in result.output


@pytest.mark.parametrize(
    ("email", "password"),
    [(EMAIL, "mauvais-mot-de-passe"), ("inconnu@example.org", PASSWORD)],
    ids=["wrong-password", "unknown-address"],
)
def test_wrong_credentials_get_one_message_that_does_not_say_which(app, client, email, password):
    make_staff(EMAIL, PASSWORD)
    response = log_in(client, email, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Adresse ou mot de passe incorrect" in page
    assert f'value="{email}"' in page
    assert client.get("/gestion/").status_code == 302


def test_a_deactivated_account_cannot_log_in(app, client):
    user = make_staff(EMAIL, PASSWORD)
    user.active = False
    db.session.commit()
    response = log_in(client, EMAIL, PASSWORD)
    assert "Ce compte est désactivé" in response.get_data(as_text=True)
    assert client.get("/gestion/").status_code == 302


def test_a_deactivated_account_loses_its_open_session(app, staff_client):
    assert staff_client.get("/gestion/").status_code == 200
    db.session.scalars(select(StaffUser)).one().active = False
    db.session.commit()
    assert staff_client.get("/gestion/").status_code == 302


@pytest.mark.parametrize(
    "next_url",
    [
        "//evil.example.org/",
        "https://evil.example.org/gestion/",
        "\\\\evil.example.org",
        "/\\evil.example.org",
        "javascript:alert(1)",
    ],
)
def test_open_redirect_attempts_land_on_the_dashboard(app, client, next_url):
    make_staff(EMAIL, PASSWORD)
    response = log_in(client, EMAIL, PASSWORD, next_url=next_url)
    assert response.status_code == 302
    assert response.location == "/gestion/"


def test_a_next_address_with_a_control_character_is_refused_before_logging_in(app, client):
    """Browsers strip tabs: ``/\\t/evil`` would become ``//evil``."""
    make_staff(EMAIL, PASSWORD)
    response = log_in(client, EMAIL, PASSWORD, next_url="/%09/evil.example.org")
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert client.get("/gestion/").status_code == 302


def test_login_returns_to_the_page_asked_for(app, client):
    make_staff(EMAIL, PASSWORD)
    redirect_to_login = client.get("/gestion/evenements/?filtre=brouillons")
    assert redirect_to_login.status_code == 302
    login_page = client.get(redirect_to_login.location)
    assert "Connectez-vous" in login_page.get_data(as_text=True)
    response = client.post(redirect_to_login.location, data={"email": EMAIL, "password": PASSWORD})
    assert response.location == "/gestion/evenements/?filtre=brouillons"


def _sample_url(rule) -> str:
    values = {name: 1 for name in rule.arguments}
    return rule.build(values, append_unknown=False)[1]


def test_every_back_office_page_sends_anonymous_visitors_to_the_login(app, client):
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/gestion") and rule.endpoint not in ("staff.login", "staff.logout")
    ]
    assert len(rules) >= 8
    for rule in rules:
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(_sample_url(rule), method=method)
        assert response.status_code == 302, rule.rule
        assert response.location.startswith(LOGIN), rule.rule


def test_logout_ends_the_session(app, staff_client):
    response = staff_client.post("/gestion/deconnexion")
    assert response.location == LOGIN
    assert staff_client.get("/gestion/").status_code == 302


def test_logout_needs_the_form_token(make_app, app):
    make_staff(EMAIL, PASSWORD)
    guarded = make_app(WTF_CSRF_ENABLED=True)
    client = guarded.test_client()
    login_page = client.get(LOGIN).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post(LOGIN, data={"email": EMAIL, "password": PASSWORD, "csrf_token": token})
    assert client.post("/gestion/deconnexion").status_code == 400
    assert client.get("/gestion/").status_code == 200


def test_login_attempts_are_rate_limited(make_app, app):
    make_staff(EMAIL, PASSWORD)
    limited = make_app(RATELIMIT_ENABLED=True, STAFF_LOGIN_RATE_LIMIT="3/minute")
    client = limited.test_client()
    statuses = [log_in(client, EMAIL, "devine").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Trop de tentatives" in log_in(client, EMAIL, PASSWORD).get_data(as_text=True)


def test_dashboard_shows_upcoming_events_with_counts_and_drafts(app, staff_client):
    webinar = make_event("Webinaire RSE", capacity=2)
    for number in range(3):
        registrations.register(webinar.id, applicant(number))
    make_event("Formation encadrant·es", status=EventStatus.DRAFT)
    make_event("Rencontre passée", starts_in=-dt.timedelta(days=30))

    page = staff_client.get("/gestion/").get_data(as_text=True)
    upcoming, drafts = page.split('id="brouillons"')
    assert "Webinaire RSE" in upcoming and "Rencontre passée" not in page
    assert "<td>2 / 2</td>" in upcoming and "<td>1</td>" in upcoming
    assert "Formation encadrant·es" in drafts
    assert 'href="/gestion/evenements/nouveau"' in page


def _queries_for(client, url: str) -> int:
    statements = []
    engine = db.engine

    def count(*args):
        statements.append(args)

    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    return len(statements)


@pytest.mark.parametrize("url", ["/gestion/", "/gestion/evenements/"])
def test_dashboard_and_list_query_count_does_not_grow_with_events(app, staff_client, url):
    def add_events(count: int) -> None:
        for _ in range(count):
            event = make_event(capacity=1)
            registrations.register(event.id, applicant(f"{event.id}-a"))
            registrations.register(event.id, applicant(f"{event.id}-b"))
            make_event(status=EventStatus.DRAFT)

    add_events(2)
    few = _queries_for(staff_client, url)
    add_events(8)
    assert _queries_for(staff_client, url) == few
