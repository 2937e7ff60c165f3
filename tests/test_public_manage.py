"""The personal page a registrant reaches through their link: see, cancel,
hand the seat to a colleague."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from sqlalchemy import select

from instant_coorace.database import utcnow
from instant_coorace.events.models import Audience, EventFormat, EventStatus
from instant_coorace.extensions import db
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration, RegistrationStatus
from tests.builders import applicant, make_event, make_structure
from tests.live_server import form_values

VISIO_URL = "https://visio.example.org/j/room-4242"


def text(response) -> str:
    """The page as a reader sees it: HTML entities decoded."""
    return unescape(response.get_data(as_text=True))


def status_of(registration_id: int) -> RegistrationStatus:
    db.session.expire_all()
    return db.session.get(Registration, registration_id).status


def test_manage_page_shows_the_registration_and_the_visio_link_to_confirmed_registrants(client):
    event = make_event(
        "Instant RSE", capacity=1, event_format=EventFormat.ONLINE, visio_url=VISIO_URL
    )
    confirmed = services.register(event.id, applicant(1))
    waiting = services.register(event.id, applicant(2))

    confirmed_html = text(client.get(f"/inscription/{confirmed.token}"))
    waiting_html = text(client.get(f"/inscription/{waiting.token}"))

    assert "Instant RSE" in confirmed_html and "Inscription confirmée" in confirmed_html
    assert "Rejoindre la visio" in confirmed_html and 'href="/j/' in confirmed_html
    assert VISIO_URL not in confirmed_html  # the personal tracked link stands in its place
    assert "Vous êtes en position 1" in waiting_html
    assert "/j/" not in waiting_html


def test_token_pages_are_neither_cached_nor_sent_as_referer(client):
    receipt = services.register(make_event().id, applicant())
    for url in (f"/inscription/{receipt.token}", "/inscription/faux-jeton"):
        response = client.get(url)
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response.headers["Cache-Control"]


@pytest.mark.parametrize("suffix", ["", "/annuler", "/transmettre", "/informations"])
def test_unknown_or_tampered_token_is_a_french_404(client, suffix):
    receipt = services.register(make_event().id, applicant())
    tampered = receipt.token[:-2] + ("AA" if not receipt.token.endswith("AA") else "BB")
    response = client.get(f"/inscription/{tampered}{suffix}")
    assert response.status_code == 404
    assert "Lien introuvable" in text(response)


def test_cancelling_asks_for_confirmation_then_promotes_the_next_in_line(client):
    event = make_event(capacity=1)
    leaving = services.register(event.id, applicant(1))
    waiting = services.register(event.id, applicant(2))

    step = text(client.get(f"/inscription/{leaving.token}/annuler"))
    assert status_of(leaving.registration_id) is RegistrationStatus.CONFIRMED
    response = client.post(f"/inscription/{leaving.token}/annuler")

    assert "Oui, me désinscrire" in step
    assert "Désinscription enregistrée" in text(response)
    assert status_of(leaving.registration_id) is RegistrationStatus.CANCELLED
    assert status_of(waiting.registration_id) is RegistrationStatus.CONFIRMED
    manage = text(client.get(f"/inscription/{leaving.token}"))
    assert "Inscription annulée" in manage and "/annuler" not in manage


def test_a_cancelled_registration_cannot_be_cancelled_again(client):
    receipt = services.register(make_event().id, applicant())
    services.cancel(receipt.registration_id)
    response = client.post(f"/inscription/{receipt.token}/annuler")
    assert response.status_code == 409
    assert "ne peut plus être modifiée" in text(response)


def test_handing_over_makes_the_colleague_the_registrant_and_retires_the_old_link(app, client):
    app.config["ENV_NAME"] = "development"
    structure = make_structure("ACI Garonne")
    event = make_event()
    receipt = services.register(event.id, applicant(1, structure))

    response = client.post(
        f"/inscription/{receipt.token}/transmettre",
        data=form_values(7, structure.id, first_name="Sacha"),
    )
    html = text(response)

    assert response.status_code == 200
    assert "Votre ancien lien ne fonctionne plus" in html
    new_token = re.search(r'href="/inscription/([A-Za-z0-9_-]{20,})"', html).group(1)
    colleague_page = text(client.get(f"/inscription/{new_token}"))
    assert "Sacha" in colleague_page
    assert client.get(f"/inscription/{receipt.token}").status_code == 404


def test_hand_over_link_is_hidden_outside_development(client):
    receipt = services.register(make_event().id, applicant(1))
    response = client.post(f"/inscription/{receipt.token}/transmettre", data=form_values(7))
    html = text(response)
    assert "Votre place est transmise" in html
    assert not re.search(r'href="/inscription/[A-Za-z0-9_-]{20,}"', html)


def test_hand_over_to_someone_already_registered_is_explained_on_the_email_field(client):
    event = make_event()
    receipt = services.register(event.id, applicant(1))
    services.register(event.id, applicant(2, email="participant7@adherent.example.org"))

    response = client.post(f"/inscription/{receipt.token}/transmettre", data=form_values(7))
    html = text(response)

    assert response.status_code == 422
    assert "Cette personne est déjà inscrite à cet événement." in html
    assert 'id="email-erreur"' in html
    assert services.find_by_token(receipt.token).person.email == "personne1@adherent.example.org"


def test_cancelled_event_shows_the_notice_and_no_actions(client):
    event = make_event()
    receipt = services.register(event.id, applicant(1))
    event.status = EventStatus.CANCELLED
    db.session.commit()
    html = text(client.get(f"/inscription/{receipt.token}"))
    assert "Événement annulé" in html
    assert "/transmettre" not in html and "/annuler" not in html


def details_form(structure_id: int | None = None, **fields: str) -> dict[str, str]:
    """What a registrant types into « Modifier mes informations »."""
    values = form_values(1, structure_id, first_name="Camille", last_name="Martin-Roux")
    kept = {name: value for name, value in values.items() if name not in ("email", "needs")}
    return kept | {"job_title": "Directrice"} | fields


def test_a_registrant_corrects_their_details_from_their_link(client):
    old, new = make_structure("ACI Garonne"), make_structure("Régie du Tarn")
    past, this, other = make_event(), make_event(), make_event()
    for event in (past, other):
        services.register(event.id, applicant(1, old))
    receipt = services.register(this.id, applicant(1, old))
    past.ends_at = past.starts_at = utcnow() - dt.timedelta(days=30)
    db.session.commit()

    form = text(client.get(f"/inscription/{receipt.token}/informations"))
    response = client.post(f"/inscription/{receipt.token}/informations", data=details_form(new.id))

    assert 'value="Martin 1"' in form and f'<option selected value="{old.id}">' in form
    assert response.status_code == 303
    manage = text(client.get(response.headers["Location"]))
    assert "Vos informations sont enregistrées." in manage
    assert "Camille Martin-Roux" in manage and "Régie du Tarn" in manage
    db.session.expire_all()
    by_event = {r.event_id: r for r in db.session.scalars(select(Registration))}
    mine = by_event[this.id]
    assert (mine.last_name, mine.job_title, mine.structure_id) == (
        "Martin-Roux",
        "Directrice",
        new.id,
    )
    assert (by_event[other.id].last_name, by_event[other.id].job_title) == (
        "Martin-Roux",
        "Directrice",
    )
    assert by_event[other.id].structure_id == old.id  # counted on that structure there
    assert (by_event[past.id].last_name, by_event[past.id].job_title) == (
        "Martin 1",
        "Chargée d'insertion",
    )
    person = mine.person
    assert (person.last_name, person.job_title, person.structure_id) == (
        "Martin-Roux",
        "Directrice",
        new.id,
    )


def test_details_keep_the_input_and_change_nothing_when_invalid(client):
    receipt = services.register(make_event().id, applicant(1))
    url = f"/inscription/{receipt.token}/informations"

    response = client.post(url, data=details_form(first_name="", job_title="Directrice"))

    assert response.status_code == 422
    assert "Indiquez le prénom." in text(response) and 'value="Directrice"' in text(response)
    assert "no-store" in response.headers["Cache-Control"]
    db.session.expire_all()
    assert db.session.get(Registration, receipt.registration_id).first_name == "Camille"


def test_details_follow_the_event_rules_on_the_structure_field(client):
    member, full = make_structure("ACI Garonne"), make_structure("Régie du Tarn")
    event = make_event(audience=Audience.MEMBERS, seats_per_structure=1)
    services.register(event.id, applicant(2, full))
    receipt = services.register(event.id, applicant(1, member))
    url = f"/inscription/{receipt.token}/informations"

    unlisted = client.post(url, data=details_form(structure="autre", other_structure_name="X"))
    taken = client.post(url, data=details_form(full.id))

    assert unlisted.status_code == taken.status_code == 422
    assert "réservé aux structures adhérentes" in text(unlisted)
    assert "a déjà utilisé toutes les places" in text(taken)
    assert 'id="structure-erreur"' in text(taken)
    db.session.expire_all()
    assert db.session.get(Registration, receipt.registration_id).structure_id == member.id


def test_details_need_the_form_token(app, client):
    receipt = services.register(make_event().id, applicant(1))
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post(f"/inscription/{receipt.token}/informations", data=details_form())
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Registration, receipt.registration_id).last_name == "Martin 1"
