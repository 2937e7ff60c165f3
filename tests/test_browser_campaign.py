"""A campaign in a real Chromium: a team member picks the audience by filters,
previews the mail, sends it; the worker writes the ``.eml`` files, and the
personal link of one of them opens a form already filled in that registers in
one click."""

from __future__ import annotations

import re

from sqlalchemy import select

from instant_coorace.extensions import db
from instant_coorace.mail.worker import run_jobs
from instant_coorace.registrations.models import Registration, RegistrationSource
from tests.browser import BROWSER_MARKS, DESKTOP, chromium, expect, new_page  # noqa: F401
from tests.builders import make_event, make_staff, make_structure
from tests.campaign_helpers import add_people, delivered, invitation_path
from tests.live_server import LIVE_SECRET_KEY, live_server  # noqa: F401 - fixture

pytestmark = BROWSER_MARKS

EMAIL, PASSWORD = "equipe@coorace-occitanie.example.org", "un mot de passe solide"


def test_staff_sends_a_campaign_and_an_invitee_registers_in_one_click(app, chromium, live_server):  # noqa: F811
    make_staff(EMAIL, PASSWORD)
    aude = make_structure("Jardins de l'Aude", department="11")
    add_people(aude, 3, "jardinier")
    add_people(make_structure("Chantier du Tarn", department="81"), 2, "tarn")
    event = make_event("Forum de l'inclusion")
    context, page = new_page(chromium, live_server, DESKTOP)
    try:
        page.goto("/gestion/")
        page.get_by_label("Adresse e-mail").fill(EMAIL)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.goto(f"/gestion/evenements/{event.id}")
        page.get_by_role("link", name="Campagnes", exact=True).last.click()
        page.get_by_role("link", name="Nouvelle campagne").click()

        page.get_by_label("ACI", exact=True).check()
        page.get_by_label("11 – Aude").check()
        page.get_by_label("Objet").fill("Invitation : {evenement}")
        page.get_by_role("button", name="Voir les destinataires et l'aperçu").click()
        expect(page.get_by_role("heading", name="Aperçu : 3 destinataires")).to_be_visible()
        expect(page.get_by_text("Bonjour Prénom1,")).to_be_visible()
        expect(page.get_by_text("Objet : Invitation : Forum de l'inclusion")).to_be_visible()
        page.get_by_role("button", name="Envoyer à 3 personnes").click()

        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Suivi : Invitation : {evenement}"
        )
        expect(
            page.get_by_text("Invitation mise en file d'envoi pour 3 personnes.")
        ).to_be_visible()
    finally:
        context.close()

    db.session.rollback()  # see what the live server committed
    app.config["SECRET_KEY"] = LIVE_SECRET_KEY  # the worker makes the links the server checks
    run_jobs()  # the worker's pass: render, then write the .eml files
    invitations = delivered(app, "campaign_invitation")
    assert len(invitations) == 3
    message = next(
        m for m in invitations if m["To"].addresses[0].addr_spec.startswith("jardinier2")
    )
    assert message["Subject"] == "Invitation : Forum de l'inclusion"

    context, page = new_page(chromium, live_server, DESKTOP)  # the invitee: no cookie
    try:
        page.goto(invitation_path(message))
        expect(page.get_by_label("Adresse e-mail")).to_have_value(
            message["To"].addresses[0].addr_spec
        )
        expect(page.get_by_label("Prénom")).to_have_value("Prénom2")
        page.get_by_role("button", name="Valider mon inscription").click()
        expect(page).to_have_url(re.compile(rf"/evenements/{event.slug}/inscription/confirmee$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Votre inscription est confirmée")
    finally:
        context.close()
    db.session.rollback()
    [registration] = db.session.scalars(select(Registration)).all()
    assert registration.source is RegistrationSource.INVITATION
    assert registration.structure_id == aude.id
