"""A member's journey in a real Chromium against the real server: catalogue →
event page → « S'inscrire » → form → confirmation, on a desktop and on a phone;
what a screen-reader user meets when the form comes back with errors; and a
team member's first login, from the issued password to their own."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from instant_coorace.events.models import EventFormat, EventKind
from instant_coorace.extensions import db
from instant_coorace.mail.worker import run_jobs
from instant_coorace.staff import services as staff_services
from tests.browser import BROWSER_MARKS, DESKTOP, PHONE, chromium, expect, new_page  # noqa: F401
from tests.builders import make_event, make_structure
from tests.live_server import live_server  # noqa: F401 - fixture

pytestmark = BROWSER_MARKS


@pytest.mark.parametrize("device", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_member_registers_from_the_catalogue(chromium, live_server, device):  # noqa: F811
    structure = make_structure("Chantier d'insertion Les Jardins du Lauragais")
    event = make_event(
        "Atelier collectif : la RSE au quotidien",
        kind=EventKind.ATELIER_COLLECTIF,
        event_format=EventFormat.IN_PERSON,
        venue_name="Maison de l'économie sociale",
        department="31",
        capacity=20,
    )
    context, page = new_page(chromium, live_server, device)
    try:
        page.goto("/")
        page.get_by_role("link", name=event.title).click()
        # The title, then its date for screen readers (same-named events differ by it).
        expect(page.get_by_role("heading", level=1)).to_have_text(
            re.compile(rf"^{re.escape(event.title)} — .+ 20\d\d$")
        )

        page.get_by_role("link", name=re.compile(r"^S.inscrire$")).click()
        fill_and_send_the_form(page, structure.name)

        expect(page).to_have_url(re.compile(rf"/evenements/{event.slug}/inscription/confirmee$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Votre inscription est confirmée")
        expect(page.get_by_text("Merci Camille")).to_be_visible()
    finally:
        context.close()


def fill_and_send_the_form(page, structure_name: str) -> None:
    page.get_by_label("Adresse e-mail").fill("camille.martin@jardins-lauragais.example.org")
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Nom", exact=True).fill("Martin")
    page.get_by_label("Fonction").fill("Chargée d'insertion professionnelle")
    page.get_by_label("Rechercher votre structure").fill("jardins")
    page.get_by_label("Structure", exact=True).select_option(label=structure_name)
    page.get_by_role("button", name="Valider mon inscription").click()


def test_the_confirmation_arrives_as_an_eml_with_its_invitation(app, chromium, live_server):  # noqa: F811
    structure = make_structure("Chantier d'insertion Les Jardins du Lauragais")
    event = make_event("L'Instant Coorace de mai", visio_url="https://visio.example.org/mai")
    context, page = new_page(chromium, live_server, DESKTOP)
    try:
        page.goto(f"/evenements/{event.slug}/inscription")
        fill_and_send_the_form(page, structure.name)
        expect(page.get_by_role("heading", level=1)).to_have_text("Votre inscription est confirmée")
        expect(page.get_by_role("link", name=re.compile("fichier agenda"))).to_be_visible()
    finally:
        context.close()

    db.session.rollback()  # see what the live server committed
    run_jobs()  # the mail worker's pass, on the same database

    [eml] = (Path(app.instance_path) / "mail").glob("*-registration_confirmed.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "camille.martin@jardins-lauragais.example.org"
    assert message["Subject"].startswith("Inscription confirmée : L'Instant Coorace de mai")
    invitation = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert invitation.get_param("method") == "REQUEST"
    ics = invitation.get_content()
    assert "ATTENDEE" in ics and "camille.martin@jardins-lauragais.example.org" in ics
    # The personal tracked join link (issue 11), not the raw visio URL.
    assert "http://localhost/j/" in ics.replace("\r\n ", "")
    assert "https://visio.example.org/mai" not in ics


def test_an_empty_form_comes_back_with_its_errors_tied_to_the_fields(chromium, live_server):  # noqa: F811
    event = make_event("L'Instant Coorace : les achats responsables")
    context, page = new_page(chromium, live_server, DESKTOP)
    try:
        page.goto(f"/evenements/{event.slug}/inscription")
        response_statuses = []
        page.on("response", lambda response: response_statuses.append(response.status))
        page.get_by_role("button", name="Valider mon inscription").click()

        summary = page.get_by_role("alert")
        expect(summary).to_contain_text("Le formulaire contient")
        expect(summary).to_be_focused()
        assert 422 in response_statuses
        for label, message in [
            ("Adresse e-mail", "Indiquez l'adresse e-mail."),
            ("Prénom", "Indiquez le prénom."),
            ("Fonction", "Indiquez la fonction"),
            ("Structure", "Choisissez la structure"),
        ]:
            field = page.get_by_label(label, exact=True)
            expect(field).to_have_attribute("aria-invalid", "true")
            # The message is announced with the field (aria-describedby) and listed on top.
            expect(field).to_have_accessible_description(re.compile(re.escape(message)))
            expect(summary.get_by_role("link", name=re.compile(re.escape(message)))).to_be_visible()

        summary.get_by_role("link", name=re.compile("Indiquez le prénom")).click()
        expect(page).to_have_url(re.compile("#first_name$"))
        expect(page.get_by_label("Prénom")).to_be_focused()
        expect(page.get_by_label("Nom", exact=True)).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_label("Besoins particuliers (facultatif)")).not_to_have_attribute(
            "aria-invalid", "true"
        )
    finally:
        context.close()


def test_a_new_team_member_logs_in_and_chooses_a_password(chromium, live_server):  # noqa: F811
    _, issued = staff_services.create_staff_user("camille@coorace-occitanie.example.org")
    event = make_event("L'Instant Coorace de juin")
    context, page = new_page(chromium, live_server, DESKTOP)
    try:
        page.goto("/gestion/")
        page.get_by_label("Adresse e-mail").fill("camille@coorace-occitanie.example.org")
        page.get_by_label("Mot de passe").fill(issued)
        page.get_by_role("button", name="Se connecter").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Choisissez votre mot de passe")
        page.get_by_label("Mot de passe actuel").fill(issued)
        page.get_by_label("Nouveau mot de passe", exact=True).fill("court")
        page.get_by_label("Nouveau mot de passe, une seconde fois").fill("court")
        page.get_by_role("button", name="Enregistrer mon mot de passe").click()
        expect(page.get_by_role("alert")).to_contain_text("de 12 à 200 caractères")

        page.get_by_label("Mot de passe actuel").fill(issued)
        page.get_by_label("Nouveau mot de passe", exact=True).fill("le lundi au soleil")
        page.get_by_label("Nouveau mot de passe, une seconde fois").fill("le lundi au soleil")
        page.get_by_role("button", name="Enregistrer mon mot de passe").click()

        expect(page.get_by_text("Votre mot de passe est enregistré.")).to_be_visible()
        expect(page.get_by_role("link", name=event.title)).to_be_visible()
        # The first account of the installation is its admin.
        expect(page.get_by_role("link", name="Équipe")).to_be_visible()
    finally:
        context.close()
