"""In Chromium: the team opens the figures for 2025, sees the charts drawn
under the Content-Security-Policy, switches the period and downloads the XLSX."""

from __future__ import annotations

import os

import pytest
from openpyxl import load_workbook

from instant_coorace.staff.models import StaffRole
from tests.builders import make_staff
from tests.live_server import live_server  # noqa: F401 - fixture
from tests.report_data import build_year
from tests.test_browser_csp import assert_nothing_refused, watched_page
from tests.test_browser_journey import chromium, expect  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.live,
    pytest.mark.parametrize("database_url", ["sqlite"], indirect=True),
]


def test_open_2025_switch_period_and_download_the_workbook(chromium, live_server, tmp_path):  # noqa: F811
    build_year()
    make_staff("equipe@coorace-occitanie.example.org", "phrase-de-passe-solide", StaffRole.TEAM)
    context, page, refusals = watched_page(chromium, live_server)
    try:
        page.goto("/gestion/")
        page.get_by_label("Adresse e-mail").fill("equipe@coorace-occitanie.example.org")
        page.get_by_label("Mot de passe").fill("phrase-de-passe-solide")
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_role("link", name="Chiffres").click()
        page.get_by_role("link", name="2025", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Chiffres : année 2025")
        charts = page.locator("figure.chart img")
        expect(charts).to_have_count(4)
        for index in range(4):
            charts.nth(index).scroll_into_view_if_needed()
            expect(charts.nth(index)).to_have_js_property("complete", True)
            assert charts.nth(index).evaluate("img => img.naturalWidth") > 0
        if os.environ.get("REPORTS_SCREENSHOT"):
            page.screenshot(path=os.environ["REPORTS_SCREENSHOT"], full_page=True)
        assert_nothing_refused(page, refusals)

        page.get_by_label("Du", exact=True).fill("2025-03-01")
        page.get_by_label("Au", exact=True).fill("2025-03-31")
        page.get_by_role("button", name="Afficher").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("du samedi 1 mars 2025")
        events = page.get_by_role("row", name="Total").first
        expect(events.get_by_role("cell").first).to_contain_text("1")

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Télécharger le classeur (XLSX)").click()
        download = download_info.value
        assert download.suggested_filename == "chiffres-2025-03-01_2025-03-31.xlsx"
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        book = load_workbook(path)
        total = next(
            row for row in book["Événements"].iter_rows(values_only=True) if row[0] == "Total"
        )
        assert total[1] == 1
    finally:
        context.close()
