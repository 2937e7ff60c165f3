"""Registering through the public form, from the visitor's side."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from instant_coorace.database import utcnow
from instant_coorace.events.models import Audience, EventStatus
from instant_coorace.extensions import db
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.members.models import Membership, Person
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration, RegistrationStatus
from instant_coorace.registrations.tokens import management_token
from tests.builders import applicant, make_event, make_structure
from tests.live_server import form_values, registration_path

MANAGEMENT_LINK = re.compile(r'href="/inscription/([A-Za-z0-9_-]{20,})"')


def text(response) -> str:
    """The page as a reader sees it: HTML entities decoded."""
    return unescape(response.get_data(as_text=True))


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def submit(client, event, **fields):
    return client.post(registration_path(event.slug), data=form_values(1, **fields))


def test_registration_form_lists_structures_by_department(client):
    make_structure("Régie de quartier", department="34")
    make_structure("Chantier d'insertion du Lot", department="46")
    make_structure("Ancienne association", active=False)
    make_structure("CRESS Occitanie", membership=Membership.PARTNER)
    event = make_event()

    html = text(client.get(registration_path(event.slug)))

    assert '<optgroup label="34 – Hérault"><option value=' in html
    assert "Chantier d'insertion du Lot" in html
    assert "CRESS Occitanie (partenaire)" in html
    assert "Ancienne association" not in html
    assert '<option value="autre">' in html
    for attribute in ("email", "given-name", "family-name", "organization-title"):
        assert f'autocomplete="{attribute}"' in html
    assert 'class="gdpr"' in html and "rectification" in html


def test_registering_confirms_and_shows_the_confirmation_page(client):
    structure = make_structure("ACI Garonne")
    event = make_event("Instant RSE", capacity=10)

    response = submit(client, event, structure=str(structure.id), needs="Accès fauteuil")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/evenements/{event.slug}/inscription/confirmee")

    html = text(client.get(response.headers["Location"]))
    assert "Votre inscription est confirmée" in html
    assert "Instant RSE" in html
    assert "Ajouter à mon agenda" in html
    registration = db.session.scalars(select(Registration)).one()
    assert registration.status is RegistrationStatus.CONFIRMED
    assert registration.structure_id == structure.id
    assert registration.needs == "Accès fauteuil"
    assert registration.person.email == "participant1@adherent.example.org"


def test_full_event_puts_the_registrant_on_the_waiting_list_with_their_position(client):
    event = make_event(capacity=1)
    services.register(event.id, applicant(1))
    services.register(event.id, applicant(2))

    form = text(client.get(registration_path(event.slug)))
    response = submit(client, event)
    html = text(client.get(response.headers["Location"]))

    assert "vous rejoignez la liste d'attente" in form
    assert "Vous êtes sur la liste d'attente (position 2)" in html
    assert "si une place se libère" in html.lower()


def test_invalid_form_keeps_the_input_explains_each_error_and_writes_nothing(client):
    event = make_event()

    response = submit(client, event, email="pas-une-adresse", first_name="", job_title="Directrice")
    html = text(response)

    assert response.status_code == 422
    assert "Le formulaire contient 2 erreurs" in html
    assert "Cette adresse e-mail n'est pas valide" in html
    assert "Indiquez le prénom." in html
    assert 'value="pas-une-adresse"' in html and 'value="Directrice"' in html
    assert 'aria-invalid="true"' in html
    assert rows(Registration) == 0 and rows(Person) == 0


def test_the_chosen_structure_stays_selected_and_names_are_escaped(client):
    chosen = make_structure('Atelier "Tremplin" & <Co>', department="31")
    other = make_structure("Régie de quartier", department="31")
    event = make_event()

    response = submit(client, event, structure=str(chosen.id), first_name="")
    html = response.get_data(as_text=True)

    assert response.status_code == 422
    assert (
        f'<option selected value="{chosen.id}">Atelier &#34;Tremplin&#34; &amp; &lt;Co&gt;</option>'
        in html
    )
    assert f'<option value="{other.id}">Régie de quartier</option>' in html
    assert "<Co>" not in html


def test_other_structure_requires_its_name(client):
    event = make_event()
    response = submit(client, event, structure="autre", other_structure_name="  ")
    html = text(response)
    assert response.status_code == 422
    assert "Indiquez le nom de la structure." in html
    assert rows(Registration) == 0


def test_a_structure_must_be_chosen(client):
    event = make_event()
    response = submit(client, event, structure="")
    assert response.status_code == 422
    assert "Choisissez la structure" in text(response)
    assert rows(Registration) == 0


@pytest.mark.parametrize(
    ("chosen", "message"),
    [
        ("n'importe quoi", "Cette structure n'est pas dans la liste"),
        ("999999", "Cette structure n'est pas dans l'annuaire."),
        ("inactive", "Cette structure n'est pas dans l'annuaire."),
    ],
)
def test_a_structure_outside_the_directory_is_refused_on_its_field(client, chosen, message):
    """Only the chosen structure is looked up on submission: a tampered value, an
    unknown id or a deactivated structure is refused next to the field, with the
    rest of the input kept and the list offered again."""
    if chosen == "inactive":
        chosen = str(make_structure("Ancienne association", active=False).id)
    listed = make_structure("Régie de quartier")
    event = make_event()

    response = submit(client, event, structure=chosen, last_name="Garonne-Tarn")

    html = text(response)
    assert response.status_code == 422
    assert message in html
    assert 'value="Garonne-Tarn"' in html
    assert f'<option value="{listed.id}">Régie de quartier</option>' in html
    assert rows(Registration) == 0 and rows(Person) == 0 and rows(OutgoingMail) == 0


def test_registering_twice_resends_the_link_by_mail_without_revealing_it(client):
    event = make_event()
    submit(client, event)
    response = submit(client, event, email="PARTICIPANT1@adherent.example.org")
    html = text(response)
    assert response.status_code == 409
    assert "Vous êtes déjà inscrit·e à cet événement" in html
    assert "renvoyons votre lien" in html
    assert not MANAGEMENT_LINK.search(html)
    assert rows(Registration) == 1
    purposes = db.session.scalars(select(OutgoingMail.purpose).order_by(OutgoingMail.id)).all()
    assert purposes == ["registration_confirmed", "link_resent"]


def test_members_only_event_refuses_an_unlisted_structure_on_the_structure_field(client):
    event = make_event(audience=Audience.MEMBERS)
    form = text(client.get(registration_path(event.slug)))
    response = submit(client, event, structure="autre", other_structure_name="Mairie")
    html = text(response)
    assert "réservé aux structures adhérentes" in form
    assert response.status_code == 422
    assert 'id="structure-erreur"' in html
    assert rows(Registration) == 0


@pytest.mark.parametrize(
    ("fields", "status", "title"),
    [
        ({"status": EventStatus.CANCELLED}, 410, "Événement annulé"),
        (
            {"registration_closes_at": utcnow() - dt.timedelta(hours=1)},
            403,
            "Inscriptions closes",
        ),
        (
            {"registration_opens_at": utcnow() + dt.timedelta(days=2)},
            403,
            "Inscriptions pas encore ouvertes",
        ),
        ({"status": EventStatus.DRAFT}, 404, "Page introuvable"),
    ],
)
def test_registration_outside_its_window_shows_a_clear_page(client, fields, status, title):
    event = make_event(**fields)
    for response in (client.get(registration_path(event.slug)), submit(client, event)):
        assert response.status_code == status
        assert title in text(response)
    assert rows(Registration) == 0


def test_management_link_is_shown_in_development_only(app, client):
    event = make_event()
    confirmation = submit(client, event).headers["Location"]
    token = management_token(db.session.scalars(select(Registration)).one())
    with client.session_transaction() as session:
        assert token not in str(dict(session)), "the signed cookie is readable: no link in it"
    assert token not in text(client.get(confirmation))

    app.config["ENV_NAME"] = "development"
    html = text(client.get(confirmation))
    assert MANAGEMENT_LINK.search(html).group(1) == token
    assert "En production, ce lien vous est envoyé par e-mail" in html
    assert client.get(f"/inscription/{token}").status_code == 200


def test_confirmation_page_without_a_registration_goes_back_to_the_event(client):
    event = make_event()
    response = client.get(f"/evenements/{event.slug}/inscription/confirmee")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/evenements/{event.slug}")


def test_the_confirmation_page_is_gone_once_the_seat_was_handed_over(client):
    event = make_event()
    structure = make_structure()
    confirmation = submit(client, event, structure=str(structure.id)).headers["Location"]
    registration = db.session.scalars(select(Registration)).one()
    services.hand_over(registration.id, applicant("collegue", structure, first_name="Dominique"))

    response = client.get(confirmation)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/evenements/{event.slug}")


def test_the_gdpr_notice_announces_the_retention_the_federation_chose(app, client):
    event = make_event()
    app.config["DATA_RETENTION_YEARS"] = 5
    assert "conservées 5 ans après l'événement" in text(client.get(registration_path(event.slug)))
    app.config["DATA_RETENTION_YEARS"] = 1
    assert "conservées 1 an après l'événement" in text(client.get(registration_path(event.slug)))


def test_a_structure_whose_seats_are_taken_is_told_so_and_what_it_can_do(app, client):
    """The event has seats left but the structure used its two: the applicant
    learns exactly that, not « l'événement est complet », and whom to ask."""
    structure = make_structure("ACI Garonne")
    event = make_event(capacity=10, seats_per_structure=2)
    for number in (1, 2):
        services.register(event.id, applicant(number, structure))

    event_page = text(client.get(f"/evenements/{event.slug}"))
    form = text(client.get(registration_path(event.slug)))
    response = submit(client, event, structure=str(structure.id))
    html = text(client.get(response.headers["Location"]))
    later = services.register(event.id, applicant(4, structure))
    manage = text(client.get(f"/inscription/{later.token}"))

    assert "2 places par structure" in event_page and "2 places par structure" in form
    assert "Les places de votre structure sont prises" in html
    for page in (html, manage):
        assert "Les 2 places réservées à chaque structure sont déjà prises" in page
        assert "ACI Garonne" in page
        assert "qu'une place de votre structure se libère" in page
        assert f'href="mailto:{app.config["CONTACT_EMAIL"]}"' in page
        assert "complet" not in page.split("<main", 1)[-1].split("Et ensuite", 1)[0]


def test_a_full_event_still_says_it_is_full(client):
    structure = make_structure()
    event = make_event(capacity=1, seats_per_structure=2)
    services.register(event.id, applicant(1))
    response = submit(client, event, structure=str(structure.id))
    html = text(client.get(response.headers["Location"]))
    assert "L'événement est complet pour le moment" in html
    assert "places réservées à chaque structure" not in html


def test_members_only_event_offers_no_choice_that_would_be_refused(app, client):
    member = make_structure("ACI Garonne")
    partner = make_structure("CRESS Occitanie", membership=Membership.PARTNER)
    event = make_event(audience=Audience.MEMBERS)
    receipt = services.register(event.id, applicant(1, member))
    contact = f'href="mailto:{app.config["CONTACT_EMAIL"]}"'

    event_page = text(client.get(f"/evenements/{event.slug}"))
    pages = [
        text(client.get(registration_path(event.slug))),
        text(client.get(f"/inscription/{receipt.token}/transmettre")),
    ]

    assert "Réservé aux structures adhérentes" in event_page and contact in event_page
    for html in pages:
        assert f'<option value="{member.id}">ACI Garonne</option>' in html
        assert partner.name not in html
        assert 'value="autre"' not in html and 'name="other_structure_name"' not in html
        assert contact in html
