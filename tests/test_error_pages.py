"""Error pages are French and render whatever state the database is in."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from instant_coorace.events import views
from instant_coorace.extensions import db, login_manager
from instant_coorace.members.models import Structure


def failed_flush(*args, **kwargs):
    """A write that breaks: the session must be rolled back before any other use."""
    db.session.add(Structure(name=None))
    db.session.flush()


def failed_statement(*args, **kwargs):
    """A statement the database refuses: PostgreSQL aborts the whole transaction."""
    db.session.execute(text("SELECT no_such_column FROM structure"))


def database_gone(*args, **kwargs):
    raise OperationalError("SELECT 1", {}, Exception("connection refused"))


@pytest.mark.parametrize("breakage", [failed_flush, failed_statement, database_gone])
def test_the_500_page_is_french_when_the_database_broke_mid_request(
    app, staff_client, monkeypatch, breakage
):
    """A logged-in person on a public page: the page's own query fails before
    anything looked up who they are, and the error page must not need to."""
    monkeypatch.setattr(views.catalogue, "upcoming_events", breakage)

    response = staff_client.get("/")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Erreur inattendue" in page
    assert 'lang="fr"' in page


def test_the_500_page_is_french_when_the_database_is_unreachable(app, staff_client, monkeypatch):
    """Even the logged-in person's account cannot be read: the page still renders."""
    monkeypatch.setattr(views.catalogue, "upcoming_events", database_gone)
    monkeypatch.setattr(login_manager, "_user_callback", database_gone)

    response = staff_client.get("/")

    assert response.status_code == 500
    assert "Erreur inattendue" in response.get_data(as_text=True)


def test_the_session_is_usable_again_after_the_error_page(app, staff_client, monkeypatch):
    monkeypatch.setattr(views.catalogue, "upcoming_events", failed_statement)
    assert staff_client.get("/").status_code == 500
    monkeypatch.undo()

    assert staff_client.get("/gestion/").status_code == 200


@pytest.mark.parametrize(
    "method, path, status, title",
    [
        ("get", "/nulle-part", 404, "Page introuvable"),
        ("delete", "/", 405, "Action impossible"),
        ("post", "/gestion/annuaire/import", 413, "Fichier trop volumineux"),
    ],
)
def test_http_errors_are_french_pages(app, admin_client, method, path, status, title):
    app.config["MAX_CONTENT_LENGTH"] = 10
    response = getattr(admin_client, method)(path, data={"file": "x" * 100})

    assert response.status_code == status
    assert title in response.get_data(as_text=True)


def test_a_bare_french_page_answers_if_the_layout_itself_fails(app, client, monkeypatch):
    def broken_layout(*args, **kwargs):
        raise RuntimeError("template error")

    monkeypatch.setattr(views.catalogue, "upcoming_events", database_gone)
    monkeypatch.setattr("instant_coorace.errors.render_template", broken_layout)

    response = client.get("/")

    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Erreur inattendue" in page
    assert "L&#39;équipe a été prévenue" in page or "L'équipe a été prévenue" in page
