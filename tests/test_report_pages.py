"""The figures page and its files, as the team opens and downloads them."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from instant_coorace.database import utcnow
from instant_coorace.extensions import db
from instant_coorace.formatting import PARIS
from instant_coorace.reports import tables
from tests.report_data import build_year
from tests.test_query_counts import recorded_statements

YEAR = {"du": "2025-01-01", "au": "2025-12-31"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def year(app):
    return build_year()


def test_page_shows_each_figure_with_its_comparison_and_counting_rule(staff_client, year):
    response = staff_client.get("/gestion/chiffres/", query_string=YEAR)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Chiffres : année 2025" in page
    assert "du lundi 1 janvier 2024 au mardi 31 décembre 2024" in page
    assert "Événements publiés (ni brouillons ni annulés)" in page
    # 3 events against 1 the year before.
    assert re.search(r'<th scope="row">Total</th><td class="number">3 <span class="change"', page)
    assert "(+2 ; +200\u202f%)" in page
    assert "83,3\u202f%" in page  # attendance rate, 5 present out of 6
    assert "Webinaire juin" in page  # where attendance was not taken
    assert "Jamais venue" in page  # the member to call
    assert 'href="/gestion/chiffres/"' in page or "Chiffres</a>" in page


def test_page_of_the_current_year_by_default_and_in_the_navigation(staff_client, year):
    page = staff_client.get("/gestion/").get_data(as_text=True)
    assert 'href="/gestion/chiffres/"' in page
    response = staff_client.get("/gestion/chiffres/")
    assert response.status_code == 200
    assert f"Chiffres : année {utcnow().astimezone(PARIS).year}" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"du": "2025-12-31", "au": "2025-01-01"}, "La date de fin doit être"),
        ({"du": "2025-01-01", "au": ""}, "Indiquez la date de fin"),
        ({"du": "1999-01-01", "au": "2025-01-01"}, "Indiquez une date entre 2000 et 2100"),
        ({"du": "n'importe quoi", "au": "2025-01-01"}, "date"),
    ],
    ids=["inverted", "no-end", "too-early", "not-a-date"],
)
def test_bad_period_gets_a_message_next_to_the_field(staff_client, year, args, message):
    response = staff_client.get("/gestion/chiffres/", query_string=args)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert "resume-erreurs" in page
    download = staff_client.get("/gestion/chiffres/chiffres.xlsx", query_string=args)
    assert download.status_code == 400 and download.mimetype == "text/html"


def test_opening_the_page_and_its_files_writes_nothing(staff_client, year):
    staff_client.get("/gestion/chiffres/", query_string=YEAR)  # the session is touched once
    db.session.remove()
    with recorded_statements() as statements:
        for url in ("/gestion/chiffres/", "/gestion/chiffres/chiffres.xlsx"):
            assert staff_client.get(url, query_string=YEAR).status_code == 200
    writes = [
        s
        for s in statements
        if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "staff_session" not in s
    ]
    assert writes == []


def test_xlsx_holds_one_sheet_per_table_with_real_numbers_and_dates(staff_client, year):
    response = staff_client.get("/gestion/chiffres/chiffres.xlsx", query_string=YEAR)
    assert response.status_code == 200
    assert 'filename="chiffres-2025.xlsx"' in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[:4] == [
        "Période",
        "Événements",
        "Inscriptions et présence",
        "Sans appel",
    ]
    assert book["Période"]["B2"].value == dt.datetime.fromisoformat("2025-01-01T00:00")
    sheet = book["Événements"]
    headers = [c.value for c in sheet[4]]
    assert headers[:5] == [
        "Type",
        "Événements",
        "Événements — période précédente",
        "Événements — évolution",
        "Événements — évolution %",
    ]
    total = next(row for row in sheet.iter_rows(min_row=5, values_only=True) if row[0] == "Total")
    assert total[1:5] == (3, 1, 2, 2.0)
    hours = total[headers.index("Heures")]
    assert isinstance(hours, float) and hours == 15.5
    attendance = book["Inscriptions et présence"]
    rate_column = [c.value for c in attendance[4]].index("Taux de présence") + 1
    total_row = next(r for r in attendance.iter_rows(min_row=5) if r[0].value == "Total")
    rate = total_row[rate_column - 1]
    assert rate.value == pytest.approx(5 / 6) and rate.number_format == "0.0 %"
    missing = book["Sans appel"]
    assert missing["A5"].value == "Webinaire juin"
    assert missing["B5"].value == dt.datetime.fromisoformat("2025-06-05T10:00")  # Paris time


def test_csv_opens_in_french_excel(staff_client, year):
    response = staff_client.get("/gestion/chiffres/chiffres.csv", query_string=YEAR)
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0] == ["Chiffres de Coorace Occitanie, année 2025"]
    total = next(row for row in rows if row[:1] == ["Total"] and len(row) > 20)
    assert total[1:5] == ["3", "1", "2", "200,0 %"]
    assert "\r\n" in text and ";" in text
    assert any(row[:2] == ["Webinaire juin", "05/06/2025 10:00"] for row in rows)


CHARTS = {
    "evenements-par-mois": ("Événements par mois et par type", ["03/2025", "Formation"]),
    "taux-de-presence": ("Taux de présence par type d'événement", ["66,7 %", "100 %"]),
    "participants-par-departement": ("Participant·es par département", ["48 Lozère"]),
    "structures-par-type": ("Structures touchées par type", ["ACI", "GES", "Partenaire"]),
}


@pytest.mark.parametrize("name", CHARTS)
def test_each_chart_svg_holds_its_title_and_data_labels(staff_client, year, name):
    title, labels = CHARTS[name]
    response = staff_client.get(f"/gestion/chiffres/graphiques/{name}.svg", query_string=YEAR)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(response.data)  # noqa: S314 - our own file
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == title
    assert root.find(f"{SVG}desc").text
    texts = {"".join(el.itertext()).strip() for el in root.iter(f"{SVG}text")}
    for label in labels:
        assert label in texts, (label, sorted(texts)[:40])
    assert root.find(f".//{SVG}script") is None
    page = staff_client.get("/gestion/chiffres/", query_string=YEAR).get_data(as_text=True)
    assert f"/gestion/chiffres/graphiques/{name}.svg?du=2025-01-01&amp;au=2025-12-31" in page
    assert f"Données du graphique « {title} »" in page.replace("&#39;", "'")
    shown = [
        ElementTree.fromstring(base64.b64decode(uri))  # noqa: S314 - our own file
        for uri in re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)"', page)
    ]
    assert title in [svg.find(f"{SVG}title").text for svg in shown]


def test_chart_data_table_has_the_numbers_of_the_chart(staff_client, year):
    page = staff_client.get("/gestion/chiffres/", query_string=YEAR).get_data(as_text=True)
    table = page.split(
        "<caption>Données du graphique « Taux de présence par type d&#39;événement »</caption>"
    )[1]
    table = table.split("</table>")[0]
    assert re.search(r"Formation</th>\s*<td class=\"number\">66,7 %", table)
    assert re.search(r"Journée / rencontre</th>\s*<td class=\"number\">100 %", table)


def test_unknown_chart_is_not_found(staff_client, year):
    assert staff_client.get("/gestion/chiffres/graphiques/inconnu.svg").status_code == 404


def test_figures_are_for_the_team_only(client, year):
    response = client.get("/gestion/chiffres/")
    assert response.status_code in (302, 303)


def test_another_domain_adds_its_section_to_the_page_and_the_files(staff_client, year, monkeypatch):
    monkeypatch.setattr(tables, "_providers", [])

    @tables.register_section
    def supports(period, previous):
        counted = "Appuis de l'offre modulaire donnés sur la période."
        rows = (("RSE", tables.Figure(4, 2)),)
        table = tables.Table("Appuis", "Appuis par thème", counted, ("Thème", "Appuis"), rows)
        return tables.Section("Offre modulaire", (table,))

    page = staff_client.get("/gestion/chiffres/", query_string=YEAR).get_data(as_text=True)
    assert "<h2" in page and "Offre modulaire</h2>" in page and "Appuis par thème" in page
    response = staff_client.get("/gestion/chiffres/chiffres.xlsx", query_string=YEAR)
    sheet = load_workbook(io.BytesIO(response.data))["Appuis"]
    assert [c.value for c in sheet[5]] == ["RSE", 4, 2, 2, 1.0]
    text = staff_client.get("/gestion/chiffres/chiffres.csv", query_string=YEAR).data.decode()
    assert "RSE;4;2;2;100,0 %" in text
