"""The registration journey and the back office's event form with the keyboard
alone, as a screen-reader or switch user meets them: only key presses, never a
click. Focus must always land where the next step is, and what changed must be
said."""

from __future__ import annotations

import re

from instant_coorace.events.models import EventFormat, EventKind
from instant_coorace.registrations import services as registrations
from tests.browser import (  # noqa: F401 - chromium is a fixture
    BROWSER_MARKS,
    DESKTOP,
    chromium,
    expect,
    log_in_by_keyboard,
    new_page,
    tab_to,
)
from tests.builders import applicant, make_event, make_staff, make_structure
from tests.live_server import live_server  # noqa: F401 - fixture

pytestmark = BROWSER_MARKS

STAFF_EMAIL = "equipe@coorace-occitanie.example.org"
STAFF_PASSWORD = "un mot de passe solide"


def test_a_member_registers_with_the_keyboard_only(chromium, live_server):  # noqa: F811
    make_structure("Chantier d'insertion Les Jardins du Lauragais")
    make_structure("Relais Emploi Tarn", department="81")
    event = make_event(
        "Atelier collectif : la RSE au quotidien",
        kind=EventKind.ATELIER_COLLECTIF,
        event_format=EventFormat.IN_PERSON,
        venue_name="Maison de l'économie sociale",
        department="31",
    )
    context, page = new_page(chromium, live_server, DESKTOP)
    try:
        page.goto("/")
        tab_to(page, page.get_by_role("link", name=re.compile(re.escape(event.title))))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text(event.title)
        tab_to(page, page.get_by_role("link", name=re.compile(r"^S.inscrire$")))
        page.keyboard.press("Enter")

        tab_to(page, page.get_by_label("Adresse e-mail"))
        page.keyboard.type("camille.martin@jardins-lauragais.example.org")
        for text in ("Camille", "Martin", "Chargée d'insertion professionnelle"):
            page.keyboard.press("Tab")
            page.keyboard.type(text)
        search = page.get_by_label(re.compile("Rechercher votre structure"))
        tab_to(page, search)
        page.keyboard.type("jardins")
        page.keyboard.press("Enter")  # filters and chooses; the form is not sent
        expect(page).to_have_url(re.compile(r"/inscription$"))
        expect(search).to_have_value("jardins")
        structure = page.get_by_label("Structure", exact=True)
        expect(structure.locator("option:checked")).to_have_text(
            "Chantier d'insertion Les Jardins du Lauragais"
        )
        expect(page.get_by_role("status").filter(has_text="choisie")).to_be_visible()

        tab_to(page, page.get_by_role("button", name="Valider mon inscription"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            re.compile("Votre inscription est confirmée")
        )
        expect(page).to_have_title(re.compile(re.escape(event.title)))
    finally:
        context.close()


def test_the_event_form_leads_from_each_error_to_its_field(chromium, live_server):  # noqa: F811
    make_staff(STAFF_EMAIL, STAFF_PASSWORD)
    context, page = new_page(chromium, live_server, DESKTOP)
    try:
        log_in_by_keyboard(page, STAFF_EMAIL, STAFF_PASSWORD)
        page.goto("/gestion/evenements/nouveau")
        # Three mistakes: no title, a link that is not one, no session.
        tab_to(page, page.get_by_label("Lien de visio"))
        page.keyboard.type("visio.example.org/reunion")
        page.keyboard.press("Enter")

        summary = page.get_by_role("alert")
        expect(summary.get_by_role("heading")).to_have_text("Le formulaire contient 3 erreurs")
        expect(summary).to_be_focused()
        links = summary.get_by_role("link")
        expect(links).to_have_count(3)

        for number, field in enumerate(
            [
                page.get_by_label("Titre", exact=True),
                page.get_by_label("Lien de visio"),
                page.locator("#sessions-0-day"),
            ]
        ):
            tab_to(page, links.nth(number), backwards=number > 0)
            page.keyboard.press("Enter")
            expect(field).to_be_focused()
            label_top = page.locator(f"label[for={field.get_attribute('id')}]").bounding_box()["y"]
            assert label_top >= 0, "the field's label is above the top of the screen"
    finally:
        context.close()


def test_rows_and_confirmations_keep_the_focus_where_one_works(chromium, live_server):  # noqa: F811
    make_staff(STAFF_EMAIL, STAFF_PASSWORD)
    structure = make_structure()
    event = make_event(capacity=1)
    registrations.register(event.id, applicant(1, structure))
    registrations.register(event.id, applicant(2, structure))
    context, page = new_page(chromium, live_server, DESKTOP)
    try:
        log_in_by_keyboard(page, STAFF_EMAIL, STAFF_PASSWORD)
        page.goto(f"/gestion/evenements/{event.id}/modifier")
        tab_to(page, page.get_by_role("button", name="Ajouter une session"))
        page.keyboard.press("Enter")
        new_day = page.locator("#sessions-1-day")
        expect(new_day).to_be_focused()
        expect(page.get_by_role("group", name="Session 2")).to_be_visible()
        tab_to(page, page.get_by_role("button", name="Retirer la session 2"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("group", name="Session 2")).to_have_count(0)
        expect(page.get_by_role("button", name="Ajouter une session")).to_be_focused()

        page.goto(f"/gestion/evenements/{event.id}/inscrits")
        tab_to(page, page.get_by_role("button", name=re.compile("^Confirmer")))
        page.keyboard.press("Enter")
        message = page.get_by_role("status").filter(has_text="est confirmé·e")
        expect(message).to_be_visible()
        # The focus is on the message, so that a screen reader reads it out.
        expect(page.locator(":focus")).to_contain_text("est confirmé·e")
    finally:
        context.close()
