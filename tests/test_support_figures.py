"""The figures of the offre modulaire on a small set whose answer is known,
and the same figures read back from the CSV and XLSX files."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io

import pytest
from openpyxl import load_workbook

from instant_coorace.formatting import PARIS, french_date
from instant_coorace.members.models import Membership, StructureKind
from instant_coorace.support.figures import Line, support_figures
from tests.builders import make_structure
from tests.support_builders import make_support, make_theme

K = StructureKind
YEAR_2025 = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


@pytest.fixture
def supports(app):
    """Seven supports in 2025 (and one in 2024) for five members, one of them
    deactivated since; one more active member never supported."""
    funds, rse = make_theme("Fonds européens"), make_theme("RSE")
    make_theme("Marchés publics", active=False)  # unused: not listed
    old = make_theme("Ancienne thématique", active=False)  # used: listed
    ges = make_structure("Groupe Solidarité Toulouse", department="31", kinds=(K.ACI, K.GES))
    lozere = make_structure("Chantier de Mende", department="48", kinds=(K.EI,))
    paris = make_structure("Intérim solidaire Paris", department="75", kinds=(K.ETTI,))
    unknown = make_structure("Structure sans fiche", department="", kinds=())
    make_structure("Jardins de l'Hérault", department="34")  # never supported
    make_structure("Ancienne adhérente", department="11", active=False)  # neither
    gone = make_structure("Régie fermée", department="34", kinds=(K.AI,), active=False)
    make_structure("CRESS Occitanie", membership=Membership.PARTNER)
    make_support(ges, funds, dt.date(2024, 12, 31), 210)  # outside the period
    make_support(ges, funds, dt.date(2025, 1, 1), 420)
    make_support(ges, rse, dt.date(2025, 6, 3), 420)
    make_support(ges, funds, dt.date(2025, 12, 31), 60, over_allowance=True)
    make_support(lozere, funds, dt.date(2025, 3, 3), 210)
    make_support(paris, rse, dt.date(2025, 4, 4), 120)
    make_support(unknown, old, dt.date(2025, 5, 5), 60)
    make_support(gone, funds, dt.date(2025, 2, 2), 210)


def test_the_year_s_figures(supports):
    figures = support_figures(*YEAR_2025)

    assert (figures.supports, figures.minutes, figures.structures) == (7, 1500, 5)
    assert figures.over_allowance == 1
    assert figures.by_theme == [
        Line("Ancienne thématique", 1, 60, 1),
        Line("Fonds européens", 4, 900, 3),
        Line("RSE", 2, 540, 2),
    ]
    departments = {line.label: line for line in figures.by_department}
    assert len(departments) == 15  # the 13 of Occitanie, outside the region, unknown
    assert departments["31 – Haute-Garonne"] == Line("31 – Haute-Garonne", 3, 900, 1)
    assert departments["34 – Hérault"] == Line("34 – Hérault", 1, 210, 1)
    assert departments["48 – Lozère"] == Line("48 – Lozère", 1, 210, 1)
    assert departments["11 – Aude"] == Line("11 – Aude", 0, 0, 0)
    assert departments["Hors région"] == Line("Hors région", 1, 120, 1)
    assert departments["Département non renseigné"] == Line("Département non renseigné", 1, 60, 1)
    assert figures.by_kind == [
        Line("ACI", 3, 900, 1),
        Line("AI", 1, 210, 1),
        Line("EI", 1, 210, 1),
        Line("ETTI", 1, 120, 1),
        Line("GES", 3, 900, 1),
        Line("EBE", 0, 0, 0),
        Line("Type non renseigné", 1, 60, 1),
    ]
    usage = figures.usage
    assert usage.allowed_minutes == 840
    assert [member.name for member in usage.used_all] == ["Groupe Solidarité Toulouse"]
    assert [member.name for member in usage.used_some] == [
        "Chantier de Mende",
        "Intérim solidaire Paris",
        "Régie fermée",
        "Structure sans fiche",
    ]
    assert [member.name for member in usage.used_none] == ["Jardins de l'Hérault"]


def test_a_period_over_two_years_has_two_years_of_days(supports):
    usage = support_figures(dt.date(2024, 1, 1), dt.date(2025, 12, 31)).usage
    assert usage.allowed_minutes == 1680
    assert usage.used_all == []
    assert usage.used_some[0].name == "Chantier de Mende"
    assert {member.name: member.minutes for member in usage.used_some}[
        "Groupe Solidarité Toulouse"
    ] == 1110


def test_a_period_without_supports_counts_zeros(supports):
    figures = support_figures(dt.date(2030, 1, 1), dt.date(2030, 12, 31))
    assert (figures.supports, figures.minutes, figures.structures) == (0, 0, 0)
    assert [line.label for line in figures.by_theme] == ["Fonds européens", "RSE"]
    assert all(line.supports == 0 for line in figures.by_department + figures.by_kind)
    assert len(figures.usage.used_none) == 5  # the active members


def test_the_page_shows_the_same_numbers_and_refuses_an_inverted_period(staff_client, supports):
    page = html.unescape(
        staff_client.get("/gestion/accompagnements/bilan?du=2025-01-01&au=2025-12-31").get_data(
            as_text=True
        )
    )
    assert "du mercredi 1 janvier 2025 au mercredi 31 décembre 2025" in page
    assert (
        '<th scope="row">Fonds européens</th><td>4</td><td>15</td><td>4,29</td><td>3</td>' in page
    )
    assert '<th scope="row">Ont utilisé tous leurs jours</th><td>1</td>' in page
    assert "Jardins de l'Hérault</a></li>" in page  # members to call

    inverted = staff_client.get("/gestion/accompagnements/bilan?du=2025-12-31&au=2025-01-01")
    assert inverted.status_code == 200
    assert "La date de fin doit suivre la date de début." in html.unescape(
        inverted.get_data(as_text=True)
    )
    fifty_years = staff_client.get("/gestion/accompagnements/bilan?du=2000-01-01&au=2049-12-31")
    assert fifty_years.status_code == 200
    assert "Fonds européens" in fifty_years.get_data(as_text=True)
    nonsense = staff_client.get("/gestion/accompagnements/bilan?du=31/12/2025&au=9999-01-01")
    assert nonsense.status_code == 200
    assert staff_client.get("/gestion/accompagnements/bilan.csv?du=x").status_code == 302


def test_the_default_period_is_the_current_calendar_year(staff_client, supports):
    year = dt.datetime.now(PARIS).year
    page = staff_client.get("/gestion/accompagnements/bilan").get_data(as_text=True)
    period = f"du {french_date(dt.date(year, 1, 1))} au {french_date(dt.date(year, 12, 31))}"
    assert period in page


def test_the_csv_is_for_french_excel(staff_client, supports):
    response = staff_client.get("/gestion/accompagnements/bilan.csv?du=2025-01-01&au=2025-12-31")

    assert response.headers["Content-Type"].startswith("text/csv")
    assert "offre-modulaire-20250101-20251231.csv" in response.headers["Content-Disposition"]
    content = response.get_data()
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert ["Fonds européens", "4", "15", "4,29", "3"] in rows
    assert ["Heures d'accompagnement", "25"] in rows
    assert ["Ont utilisé tous leurs jours", "1"] in rows
    assert ["Groupe Solidarité Toulouse", "15", "4,29", "14"] in rows


def test_the_xlsx_holds_numbers(staff_client, supports):
    response = staff_client.get("/gestion/accompagnements/bilan.xlsx?du=2025-01-01&au=2025-12-31")

    workbook = load_workbook(io.BytesIO(response.get_data()))
    assert "Offre modulaire – départements" in workbook.sheetnames
    themes = workbook["Offre modulaire – thématiques"]
    rows = [tuple(cell.value for cell in row) for row in themes.iter_rows()]
    assert ("Fonds européens", 4, 15, 4.29, 3) in rows
    fund = next(row for row in themes.iter_rows() if row[0].value == "Fonds européens")
    assert [cell.data_type for cell in fund[1:]] == ["n"] * 4
    usage = workbook["Offre modulaire – utilisation"]
    assert ("N'en ont utilisé aucun", 1) in [
        tuple(c.value for c in row) for row in usage.iter_rows()
    ]


def test_the_demo_has_supports_in_both_years_and_one_member_at_its_full_allowance(app):
    from instant_coorace.demo.supports import load_demo_supports

    for number in range(8):
        make_structure(f"Adhérente {number}")

    assert load_demo_supports(dt.date(2026, 12, 1), seed=2025) == 12

    for year in (2025, 2026):
        usage = support_figures(dt.date(year, 1, 1), dt.date(year, 12, 31)).usage
        assert len(usage.used_all) == 1, year
        assert usage.used_all[0].minutes == 840
        assert usage.used_some


def test_the_figures_take_as_many_queries_for_many_supports_as_for_a_few(app):
    from tests.test_query_counts import recorded_statements

    theme = make_theme()

    def statements() -> int:
        with recorded_statements() as executed:
            support_figures(*YEAR_2025)
        return len(executed)

    make_support(make_structure(), theme, dt.date(2025, 5, 5))
    few = statements()
    for number in range(30):
        structure = make_structure(kinds=(K.ACI, K.AI), department=("09", "48", "75")[number % 3])
        for month in (2, 7):
            make_support(structure, theme, dt.date(2025, month, 1 + number % 28))
    assert statements() == few


def test_the_years_figures_carry_the_offre_modulaire_beside_the_year_before(staff_client):
    member = make_structure("ACI du Tarn", department="81")
    europe = make_theme("Fonds européens")
    make_support(member, europe, dt.date(2025, 3, 4), minutes=420)
    make_support(member, europe, dt.date(2025, 9, 9))
    make_support(member, europe, dt.date(2024, 5, 6))
    year = {"du": "2025-01-01", "au": "2025-12-31"}

    page = html.unescape(staff_client.get("/gestion/chiffres/", query_string=year).text)
    assert "Offre modulaire – thématiques" in page
    workbook = load_workbook(
        io.BytesIO(staff_client.get("/gestion/chiffres/chiffres.xlsx", query_string=year).data)
    )
    sheet = workbook["Offre modulaire – thématiques"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    europe_row = next(row for row in rows if row and row[0] == "Fonds européens")
    header = next(row for row in rows if row and row[0] == "Thématique")
    figures = dict(zip(header, europe_row, strict=True))
    assert figures["Accompagnements"] == 2
    assert figures["Accompagnements — période précédente"] == 1
    assert figures["Heures"] == 10.5 and figures["Heures — période précédente"] == 3.5
