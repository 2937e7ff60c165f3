"""The check-in at the door in a real Chromium, held as a tablet and as a
phone: search, one tap present, one tap undone, the count kept up to date,
with and without JavaScript, and a USB scanner typing a QR code's address
into the search."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from instant_coorace.attendance.check_in_links import check_in_url
from instant_coorace.attendance.models import SessionAttendance
from instant_coorace.events.models import EventFormat
from instant_coorace.extensions import db
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration
from tests.browser import BROWSER_MARKS, PHONE, chromium, expect, new_page  # noqa: F401
from tests.builders import applicant, make_event, make_staff, make_structure
from tests.conftest import PASSWORD
from tests.live_server import live_server  # noqa: F401 - fixture

pytestmark = BROWSER_MARKS

TABLET = {
    "viewport": {"width": 820, "height": 1180},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
STAFF_EMAIL = "accueil@coorace-occitanie.example.org"
#: What the live server signs with (``tests/live_server.py``).
LIVE_SECRET = "live-server-test-secret"


def _workshop():
    event = make_event(
        "Atelier collectif « Recruter autrement »",
        event_format=EventFormat.IN_PERSON,
        venue_name="Maison de l'économie sociale",
    )
    regie = make_structure("Régie de quartier Béziers")
    lefevre = services.register(event.id, applicant(1, regie, last_name="Lefèvre"))
    for number, name in ((2, "Dupont"), (3, "Garcia")):
        services.register(event.id, applicant(number, last_name=name))
    make_staff(STAFF_EMAIL, PASSWORD)
    return event, lefevre.registration_id


def _log_in(page) -> None:
    page.goto("/gestion/connexion")
    page.get_by_label("Adresse e-mail").fill(STAFF_EMAIL)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_attached()


def _count(page):
    return page.locator("#compte-presence")


def _recorded(session_id: int) -> list[int]:
    db.session.rollback()  # see what the live server committed
    return db.session.scalars(
        select(SessionAttendance.registration_id).where(SessionAttendance.session_id == session_id)
    ).all()


@pytest.mark.parametrize("device", [TABLET, PHONE], ids=["tablet", "phone"])
def test_the_team_checks_people_in_with_one_tap_and_undoes_it(chromium, live_server, device):  # noqa: F811
    event, lefevre = _workshop()
    context, page = new_page(chromium, live_server, device)
    refused = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Content Security Policy" in message.text
            and refused.append(message.text)
        ),
    )
    try:
        _log_in(page)
        page.goto(f"/gestion/evenements/{event.id}")
        page.get_by_role("link", name="Accueil : pointer les présences").click()
        expect(_count(page)).to_have_text(re.compile(r"^0 présent·e sur 3 attendu·es"))

        page.get_by_label("Rechercher une personne").fill("beziers")
        page.get_by_label("Rechercher une personne").press("Enter")
        rows = page.locator(".check-in-row")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Camille Lefèvre")
        address = page.url

        present = page.get_by_role("button", name="Présent·e : Camille Lefèvre")
        box = present.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48  # a thumb's target
        assert box["x"] + box["width"] <= device["viewport"]["width"]  # no sideways scrolling
        present.tap()

        expect(_count(page)).to_have_text(re.compile(r"^1 présent·e sur 3 attendu·es"))
        expect(_count(page)).to_contain_text("Camille Lefèvre : présent·e.")
        undo = page.get_by_role("button", name="Annuler la présence de Camille Lefèvre")
        expect(undo).to_be_focused()
        assert page.url == address  # updated in place, the search kept
        assert _recorded(event.sessions[0].id) == [lefevre]

        undo.tap()
        expect(_count(page)).to_have_text(re.compile(r"^0 présent·e sur 3 attendu·es"))
        expect(page.get_by_role("button", name="Présent·e : Camille Lefèvre")).to_be_visible()
        assert _recorded(event.sessions[0].id) == []
        assert refused == []  # nothing blocked by the Content-Security-Policy
    finally:
        context.close()


def test_without_javascript_a_tap_posts_and_the_page_comes_back(chromium, live_server):  # noqa: F811
    event, _lefevre = _workshop()
    context, page = new_page(chromium, live_server, PHONE, java_script_enabled=False)
    try:
        _log_in(page)
        page.goto(f"/gestion/evenements/{event.id}/accueil")
        page.get_by_role("button", name="Présent·e : Camille Garcia").click()

        expect(
            page.get_by_role("status").filter(has_text="Camille Garcia : présent·e.")
        ).to_be_visible()
        expect(_count(page)).to_have_text(re.compile(r"^1 présent·e sur 3 attendu·es"))
        expect(
            page.get_by_role("button", name="Annuler la présence de Camille Garcia")
        ).to_be_visible()
        assert len(_recorded(event.sessions[0].id)) == 1
    finally:
        context.close()


def test_a_usb_scanner_types_the_code_into_the_search_and_the_person_is_confirmed(
    app,
    chromium,  # noqa: F811
    live_server,  # noqa: F811
):
    event, lefevre = _workshop()
    app.config["SECRET_KEY"] = LIVE_SECRET  # the code as the live server made it
    scanned = check_in_url(db.session.get(Registration, lefevre))
    context, page = new_page(chromium, live_server, TABLET)
    try:
        _log_in(page)
        page.goto(f"/gestion/evenements/{event.id}/accueil")
        search = page.get_by_label("Rechercher une personne")
        expect(search).to_be_focused()  # ready for the scanner
        page.keyboard.type(scanned)
        page.keyboard.press("Enter")

        expect(page.get_by_role("heading", name="Camille Lefèvre")).to_be_visible()
        assert _recorded(event.sessions[0].id) == []  # nothing until confirmed
        page.get_by_role("button", name="Confirmer la présence").tap()

        expect(page.get_by_text("Camille Lefèvre : présent·e.")).to_be_visible()
        expect(_count(page)).to_have_text(re.compile(r"^1 présent·e sur 3 attendu·es"))
        assert _recorded(event.sessions[0].id) == [lefevre]
    finally:
        context.close()
