"""The offre modulaire in a real Chromium: from the directory to a member's
page, a support recorded past the allowance after the confirmation it asks
for, the form with its errors passing axe, and the figures downloaded."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from instant_coorace.formatting import PARIS
from instant_coorace.staff.models import StaffRole
from tests.browser import (  # noqa: F401 - chromium is a fixture
    BROWSER_MARKS,
    DESKTOP,
    chromium,
    expect,
    log_in_by_keyboard,
    new_page,
)
from tests.builders import make_staff, make_structure
from tests.live_server import live_server  # noqa: F401 - fixture
from tests.support_builders import make_support, make_theme

axe_api = pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = BROWSER_MARKS

STAFF_EMAIL = "equipe@coorace-occitanie.example.org"
STAFF_PASSWORD = "un mot de passe solide"


def test_a_support_past_the_allowance_is_confirmed_then_counted(chromium, live_server):  # noqa: F811
    year = dt.datetime.now(PARIS).year
    structure = make_structure("Chantier d'insertion du Lauragais")
    theme = make_theme("Fonds européens")
    make_support(structure, theme, dt.date(year, 1, 13), 630)
    make_staff(STAFF_EMAIL, STAFF_PASSWORD, StaffRole.TEAM)
    context, page = new_page(chromium, live_server, DESKTOP, bypass_csp=True)
    try:
        log_in_by_keyboard(page, STAFF_EMAIL, STAFF_PASSWORD)
        page.goto("/gestion/annuaire/")
        page.get_by_role("link", name="Chantier d'insertion du Lauragais").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Chantier d'insertion du Lauragais"
        )
        expect(page.get_by_text("jours utilisés : 1,5 sur 2")).to_be_visible()
        page.get_by_role("link", name="Enregistrer un accompagnement").click()

        page.get_by_label("Durée").fill("2")
        page.get_by_label("Thématique").select_option(label="Fonds européens")
        page.get_by_label("Note").fill("Dossier FSE+ : budget prévisionnel.")
        page.get_by_role("button", name="Enregistrer").click()

        summary = page.get_by_role("alert")
        expect(summary).to_contain_text("elle les dépasse")
        violations = [
            violation["id"]
            for violation in axe_api.Axe().run(page).response["violations"]
            if violation["impact"] in ("serious", "critical")
        ]
        assert violations == []
        expect(page.get_by_label("Note")).to_have_value("Dossier FSE+ : budget prévisionnel.")
        page.get_by_label(re.compile("^Je confirme")).check()
        page.get_by_role("button", name="Enregistrer").click()

        expect(page.get_by_role("status").first).to_contain_text("est enregistré")
        expect(page.get_by_text("Au-delà de l'offre")).to_be_visible()

        page.goto("/gestion/accompagnements/bilan")
        with page.expect_download() as download:
            page.get_by_role("link", name="Télécharger (XLSX)").click()
        workbook = load_workbook(io.BytesIO(download.value.path().read_bytes()))
        usage = [
            tuple(c.value for c in r) for r in workbook["Offre modulaire – utilisation"].iter_rows()
        ]
        assert ("Ont utilisé tous leurs jours", 1) in usage
    finally:
        context.close()
