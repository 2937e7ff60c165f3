"""The team's registrant list: who registered, adding someone by hand, moving
people off the waiting list."""

from __future__ import annotations

import re

import pytest
from flask import url_for
from sqlalchemy import event as sa_event
from sqlalchemy import select
from werkzeug.routing import BuildError

from instant_coorace.events.models import EventStatus
from instant_coorace.extensions import db
from instant_coorace.members.models import Person
from instant_coorace.registrations import services
from instant_coorace.registrations.models import (
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from tests.builders import applicant, make_event, make_structure

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED
CANCELLED = RegistrationStatus.CANCELLED


def roster_url(event_id: int, suffix: str = "") -> str:
    return f"/gestion/evenements/{event_id}/inscrits{suffix}"


def status_of(registration_id: int) -> RegistrationStatus:
    db.session.expire_all()
    return db.session.get(Registration, registration_id).status


def register(event, number, **fields) -> int:
    return services.register(event.id, applicant(number, **fields)).registration_id


def table_rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return [re.sub(r"\s+", " ", row) for row in body.split("<tr>")[1:]]


def test_list_shows_each_registrant_with_status_and_structure(app, staff_client):
    relais = make_structure("Relais Emploi Tarn", department="81")
    event = make_event("Atelier RSE", capacity=1)
    register(event, 1, structure=relais, last_name="Azéma")
    register(event, 2, other_structure_name="Mairie de Rodez", last_name="Bru")

    response = staff_client.get(roster_url(event.id))

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Atelier RSE" in html
    first, second = table_rows(html)
    assert "Azéma" in first and "Relais Emploi Tarn" in first and "81 – Tarn" in first
    assert "Inscrit·e" in first and "Formulaire public" in first
    assert "Bru" in second and "Mairie de Rodez" in second
    assert "Liste d&#39;attente" in second and "n° 1" in second
    assert re.search(r"<strong>1</strong> confirmé·es", html)
    assert re.search(r"<strong>0</strong> place", html)


def test_list_filters_by_status_and_searches_name_email_and_structure(app, staff_client):
    garonne = make_structure("Garonne Insertion")
    event = make_event(capacity=2)
    register(event, 1, last_name="Durand", structure=garonne)
    register(event, 2, last_name="Lefèvre", email="l.lefevre@ressourcerie.example.org")
    register(event, 3, last_name="Noguès")

    def names(query: str) -> list[str]:
        html = staff_client.get(roster_url(event.id) + query).get_data(as_text=True)
        return [
            re.search(r"<th scope=\"row\">([^<]+)</th>", row).group(1).split()[0]
            for row in table_rows(html)
        ]

    assert names("?statut=waitlisted") == ["Noguès"]
    assert names("?statut=confirmed") == ["Durand", "Lefèvre"]
    assert names("?q=ressourcerie") == ["Lefèvre"]
    assert names("?q=GARONNE") == ["Durand"]
    assert names("?q=camille+nog") == ["Noguès"]
    assert names("?q=LEFEVRE") == ["Lefèvre"]
    assert names("?q=nogu%C3%88s") == ["Noguès"]
    assert names("?q=100%25") == []
    assert names("?statut=nimporte") == ["Durand", "Lefèvre", "Noguès"]


def test_list_of_an_unknown_event_is_a_french_404(app, staff_client):
    response = staff_client.get(roster_url(9999))
    assert response.status_code == 404
    assert "Événement introuvable" in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_away_from_the_list(app, client):
    event = make_event()
    register(event, 1)
    response = client.get(roster_url(event.id))
    assert response.status_code in (302, 401)
    assert "personne1@adherent.example.org" not in response.get_data(as_text=True)
    try:
        with app.test_request_context():
            login = url_for("staff.login")
    except BuildError:
        return
    assert response.headers["Location"].split("?")[0].endswith(login)


def test_list_runs_the_same_number_of_queries_for_few_and_many_registrants(app, staff_client):
    structures = [make_structure() for _ in range(3)]
    small = make_event(capacity=2)
    large = make_event(capacity=20)
    for n in range(3):
        register(small, f"s{n}", structure=structures[n % 3])
    for n in range(40):
        register(
            large,
            f"l{n}",
            structure=structures[n % 3] if n % 4 else None,
            other_structure_name="" if n % 4 else "Association locale",
        )

    def queries(url: str) -> int:
        statements = []

        def count(*args):
            statements.append(args[2])

        db.session.remove()
        sa_event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert staff_client.get(url).status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    small_url, large_url = roster_url(small.id), roster_url(large.id)
    staff_client.get(small_url)  # the logged-in user is then cached for the test's context
    assert queries(small_url) == queries(large_url)
    search = "?q=a&statut=confirmed"
    assert queries(small_url + search) == queries(large_url + search)


def test_list_is_paginated_by_hundred(app, staff_client):
    event = make_event(capacity=None)
    for n in range(101):
        register(event, f"{n:03d}")
    first = staff_client.get(roster_url(event.id)).get_data(as_text=True)
    second = staff_client.get(roster_url(event.id, "?page=2")).get_data(as_text=True)
    assert len(table_rows(first)) == 100
    assert len(table_rows(second)) == 1
    assert "page 2 sur 2" in second
    filtered = staff_client.get(roster_url(event.id, "?statut=confirmed")).get_data(as_text=True)
    next_link = re.search(r'href="([^"]*)"[^>]*>Page suivante', filtered).group(1)
    assert "page=2" in next_link and "statut=confirmed" in next_link
    assert next_link.startswith(roster_url(event.id))


def test_staff_adds_a_registrant_by_hand_then_the_waiting_list_when_full(app, staff_client):
    structure = make_structure("ACI du Lauragais")
    event = make_event(capacity=1)
    form = {
        "email": "Sophie.Roux@lauragais.example.org",
        "first_name": "Sophie",
        "last_name": "Roux",
        "structure_id": str(structure.id),
        "job_title": "Encadrante technique",
        "needs": "Accès PMR",
    }

    response = staff_client.post(roster_url(event.id, "/ajouter"), data=form, follow_redirects=True)

    assert "Sophie Roux est inscrit·e." in response.get_data(as_text=True)
    registration = db.session.scalars(select(Registration)).one()
    assert registration.status is CONFIRMED
    assert registration.source is RegistrationSource.STAFF
    assert registration.person.email == "sophie.roux@lauragais.example.org"
    assert registration.structure_id == structure.id and registration.needs == "Accès PMR"

    second = form | {"email": "paul@lauragais.example.org", "first_name": "Paul"}
    response = staff_client.post(
        roster_url(event.id, "/ajouter"), data=second, follow_redirects=True
    )

    assert "Paul Roux est sur la liste d&#39;attente (position 1)" in response.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert [
        r.status for r in db.session.scalars(select(Registration).order_by(Registration.id))
    ] == [CONFIRMED, WAITLISTED]


def test_staff_are_told_when_a_structure_used_its_seats(app, staff_client):
    structure = make_structure()
    event = make_event(capacity=10, seats_per_structure=1)
    register(event, 1, structure=structure)
    form = {
        "email": "paul@lauragais.example.org",
        "first_name": "Paul",
        "last_name": "Roux",
        "structure_id": str(structure.id),
    }

    response = staff_client.post(roster_url(event.id, "/ajouter"), data=form, follow_redirects=True)

    assert "Les places de sa structure sont prises : Paul Roux est sur la liste" in (
        response.get_data(as_text=True)
    )


def test_staff_cannot_add_someone_already_registered(app, staff_client):
    event = make_event()
    register(event, 1, first_name="Camille")
    form = {
        "email": "PERSONNE1@adherent.example.org",
        "first_name": "Autre prénom",
        "last_name": "Martin",
        "other_structure_name": "Association",
    }

    response = staff_client.post(roster_url(event.id, "/ajouter"), data=form)

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Cette personne est déjà inscrite à cet événement." in html
    assert 'value="Autre prénom"' in html
    db.session.expire_all()
    assert db.session.scalars(select(Person)).one().first_name == "Camille"
    assert db.session.scalar(select(db.func.count(Registration.id))) == 1


def test_add_form_requires_a_structure_and_a_valid_email(app, staff_client):
    event = make_event()
    response = staff_client.post(
        roster_url(event.id, "/ajouter"),
        data={"email": "pas-une-adresse", "first_name": "Léa", "last_name": "Vidal"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Cette adresse e-mail n&#39;est pas valide" in html
    assert "indiquez le nom d&#39;une autre structure" in html
    assert 'class="error-summary"' in html
    assert db.session.scalar(select(db.func.count(Registration.id))) == 0


def test_adding_to_a_cancelled_event_is_refused_in_french(app, staff_client):
    event = make_event(status=EventStatus.CANCELLED)
    response = staff_client.post(
        roster_url(event.id, "/ajouter"),
        data={
            "email": "lea@example.org",
            "first_name": "Léa",
            "last_name": "Vidal",
            "other_structure_name": "CRESS",
        },
    )
    assert "Cet événement a été annulé" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(Registration.id))) == 0


def test_staff_confirms_someone_from_the_waiting_list_and_is_warned_of_overbooking(
    app, staff_client
):
    event = make_event(capacity=1)
    register(event, 1)
    waiting = register(event, 2)
    register(event, 3)

    response = staff_client.post(
        roster_url(event.id, f"/{waiting}/confirmer"), follow_redirects=True
    )

    html = response.get_data(as_text=True)
    assert status_of(waiting) is CONFIRMED
    assert "Camille Martin 2 est confirmé·e" in html
    assert "2 inscrit·es pour 1 places (1 en surnombre)" in html
    assert "Camille Martin 3" in table_rows(html)[-1] and "n° 1" in table_rows(html)[-1]


def test_cancelling_someone_promotes_the_next_in_line(app, staff_client):
    event = make_event(capacity=1)
    seated = register(event, 1)
    first_in_line = register(event, 2)
    second_in_line = register(event, 3)

    confirmation = staff_client.get(roster_url(event.id, f"/{seated}/desinscrire"))
    assert "Désinscrire Camille Martin 1 ?" in confirmation.get_data(as_text=True)
    response = staff_client.post(roster_url(event.id, f"/{seated}/desinscrire?statut=confirmed"))

    assert response.status_code == 302
    assert response.headers["Location"].endswith(roster_url(event.id, "?statut=confirmed"))
    html = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Camille Martin 1 est désinscrit·e." in html
    assert "Camille Martin 2 passe de la liste d&#39;attente aux inscrit·es" in html
    again = staff_client.post(roster_url(event.id, f"/{seated}/desinscrire"), follow_redirects=True)
    assert "Cette inscription est déjà annulée." in again.get_data(as_text=True)
    assert [status_of(i) for i in (seated, first_in_line, second_in_line)] == [
        CANCELLED,
        CONFIRMED,
        WAITLISTED,
    ]


@pytest.mark.parametrize("action", ["confirmer", "desinscrire"])
def test_a_registration_of_another_event_is_not_found(app, staff_client, action):
    event = make_event(capacity=0)
    other = make_event(capacity=0)
    foreign = register(other, 1)

    response = staff_client.post(roster_url(event.id, f"/{foreign}/{action}"))

    assert response.status_code == 404
    assert "Inscription introuvable" in response.get_data(as_text=True)
    assert status_of(foreign) is WAITLISTED


def test_waiting_list_moves_require_a_csrf_token(app, staff_client):
    event = make_event(capacity=0)
    waiting = register(event, 1)
    app.config["WTF_CSRF_ENABLED"] = True

    response = staff_client.post(roster_url(event.id, f"/{waiting}/confirmer"))

    assert response.status_code == 400
    assert "Formulaire expiré" in response.get_data(as_text=True)
    assert status_of(waiting) is WAITLISTED
