"""The pages still work in a real Chromium under the Content-Security-Policy:
a member's registration (with the structure search, our own script) and a team
member's event form (adding a session), without a single refused script, style
or resource."""

from __future__ import annotations

import re

import pytest

from instant_coorace.events.models import EventFormat, EventKind
from instant_coorace.staff.models import StaffRole
from tests.builders import make_event, make_staff, make_structure
from tests.live_server import live_server  # noqa: F401 - fixture
from tests.test_browser_journey import DESKTOP, chromium, expect, new_page  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]

#: Records what the browser refuses, as the page sees it (the console says it too).
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def watched_page(chromium, live_server):  # noqa: F811
    context, page = new_page(chromium, live_server, DESKTOP)
    page.add_init_script(RECORD_VIOLATIONS)
    refusals = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return context, page, refusals


def assert_nothing_refused(page, refusals: list[str]) -> None:
    assert refusals == []
    assert page.evaluate("window.cspViolations") == []


def test_registration_works_under_the_policy(chromium, live_server):  # noqa: F811
    structure = make_structure("Chantier d'insertion Les Jardins du Lauragais")
    event = make_event("L'Instant Coorace de mai", kind=EventKind.INSTANT_COORACE)
    context, page, refusals = watched_page(chromium, live_server)
    try:
        page.goto(f"/evenements/{event.slug}")
        assert_nothing_refused(page, refusals)
        page.get_by_role("link", name=re.compile(r"^S.inscrire$")).click()
        page.get_by_label("Rechercher votre structure").fill("jardins")
        expect(page.get_by_text("1 structure dans la liste ci-dessous.")).to_be_visible()
        assert_nothing_refused(page, refusals)

        page.get_by_role("button", name="Valider mon inscription").click()
        expect(page.get_by_role("alert")).to_be_focused()  # error-summary.js ran
        assert_nothing_refused(page, refusals)

        page.get_by_label("Adresse e-mail").fill("camille.martin@jardins-lauragais.example.org")
        page.get_by_label("Prénom").fill("Camille")
        page.get_by_label("Nom", exact=True).fill("Martin")
        page.get_by_label("Fonction").fill("Chargée d'insertion professionnelle")
        page.get_by_label("Structure", exact=True).select_option(label=structure.name)
        page.get_by_role("button", name="Valider mon inscription").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Votre inscription est confirmée")
        assert_nothing_refused(page, refusals)
    finally:
        context.close()


def test_the_staff_event_form_works_under_the_policy(chromium, live_server):  # noqa: F811
    make_staff("equipe@coorace-occitanie.example.org", "phrase-de-passe-solide", StaffRole.ADMIN)
    event = make_event(
        "Atelier collectif : la RSE au quotidien",
        kind=EventKind.ATELIER_COLLECTIF,
        event_format=EventFormat.IN_PERSON,
        venue_name="Maison de l'économie sociale",
    )
    context, page, refusals = watched_page(chromium, live_server)
    try:
        page.goto("/gestion/")
        page.get_by_label("Adresse e-mail").fill("equipe@coorace-occitanie.example.org")
        page.get_by_label("Mot de passe").fill("phrase-de-passe-solide")
        page.get_by_role("button", name="Se connecter").click()
        expect(page.get_by_role("link", name=event.title)).to_be_visible()
        assert_nothing_refused(page, refusals)

        page.goto(f"/gestion/evenements/{event.id}/modifier")
        page.get_by_role("button", name="Ajouter une session").click()
        expect(page.get_by_role("button", name="Retirer la session 2")).to_be_visible()
        assert_nothing_refused(page, refusals)

        for path in ("/gestion/evenements/nouveau", f"/gestion/evenements/{event.id}/inscrits"):
            page.goto(path)
            assert_nothing_refused(page, refusals)
    finally:
        context.close()
