"""Each figure of the year, on a small year counted by hand (tests/report_data.py),
on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from instant_coorace.reports.figures import period_sections
from instant_coorace.reports.period import Period
from instant_coorace.reports.tables import Figure
from tests.report_data import build_year
from tests.test_query_counts import recorded_statements

YEAR_2025 = Period.calendar_year(2025)


@pytest.fixture
def sections(app):
    build_year()
    return period_sections(YEAR_2025)


def table(sections, name):
    return next(t for s in sections for t in s.tables if t.name == name)


def cell(sections, table_name, row_label, column):
    found = table(sections, table_name)
    row = next(row for row in found.rows if row[0] == row_label)
    return row[found.columns.index(column)]


def value(sections, table_name, row_label, column):
    found = cell(sections, table_name, row_label, column)
    return found.value if isinstance(found, Figure) else found


def test_events_held_count_neither_cancelled_nor_draft_nor_sessionless(sections):
    assert value(sections, "Événements", "Total", "Événements") == 3
    assert value(sections, "Événements", "Total", "Présentiel") == 2
    assert value(sections, "Événements", "Total", "En visio") == 1
    assert value(sections, "Événements", "Atelier collectif", "Événements") == 0
    assert value(sections, "Événements", "Formation", "Séances") == 2
    assert value(sections, "Événements", "Formation", "Heures") == 7
    assert value(sections, "Événements", "Total", "Séances") == 4
    assert value(sections, "Événements", "Total", "Heures") == 15.5


def test_every_figure_compares_with_the_year_before(sections):
    total = cell(sections, "Événements", "Total", "Événements")
    assert (total.previous, total.change, total.relative_change) == (1, 2, 2.0)
    webinars = cell(sections, "Inscriptions et présence", "Webinaire", "Inscriptions confirmées")
    assert (webinars.value, webinars.previous) == (3, 1)
    assert all(
        isinstance(c, Figure)
        for t in (table(sections, "Événements"), table(sections, "Par département"))
        for row in t.rows
        for c in row[1:]
    )


def test_registrations_attendance_and_no_shows(sections):
    def total(column):
        return value(sections, "Inscriptions et présence", "Total", column)

    assert total("Inscriptions confirmées") == 9
    assert total("Dont sur place") == 1
    assert total("En liste d'attente") == 1
    assert total("Désinscriptions") == 1
    assert total("Événements avec appel") == 2
    assert total("Confirmées (avec appel)") == 6
    assert total("Présent·es") == 5
    assert total("Absent·es") == 1
    assert total("Taux de présence") == pytest.approx(5 / 6)
    training_rate = value(sections, "Inscriptions et présence", "Formation", "Taux de présence")
    assert training_rate == pytest.approx(2 / 3)
    # No attendance taken at the webinar: no rate, and the page says where.
    assert value(sections, "Inscriptions et présence", "Webinaire", "Taux de présence") is None
    assert [row[0] for row in table(sections, "Sans appel").rows] == ["Webinaire juin"]
    notes = next(s for s in sections if s.title == "Inscriptions et présence").notes
    assert "1 événement(s)" in notes[0]


def test_people_and_structures_reached_count_each_once(sections):
    def total(row):
        return value(sections, "Personnes touchées", row, "Nombre")

    # Alice came for two structures, Bob is anonymised, Chloé's absence at the
    # training is made up by the regional day; Eve has no directory structure.
    assert total("Personnes distinctes") == 7
    assert total("Structures distinctes") == 6
    assert total("Adhérentes (actives) touchées") == 5
    assert total("Adhérentes actives (annuaire d'aujourd'hui)") == 6
    assert total("Part des adhérentes touchées") == pytest.approx(5 / 6)
    never = table(sections, "Adhérentes non touchées").rows
    assert [row[0] for row in never] == ["Jamais venue"]


def test_departments_from_the_structure_or_its_postcode(sections):
    def people(row):
        return value(sections, "Par département", row, "Personnes")

    assert people("31 Haute-Garonne") == 2  # Alice and (anonymised) Bob for ACI Toulouse
    assert people("09 Ariège") == 1  # Alice again, for the GES
    assert people("48 Lozère") == 1  # imported with a four-digit postcode
    assert people("81 Tarn") == 1  # department read from the postcode
    assert people("Hors région") == 1
    assert people("Département non renseigné") == 1
    assert people("Structure hors annuaire") == 1
    assert value(sections, "Par département", "Structure hors annuaire", "Structures") == 0
    assert value(sections, "Par département", "11 Aude", "Personnes") == 0
    assert cell(sections, "Par département", "31 Haute-Garonne", "Personnes").previous == 1


def test_structure_kinds_count_a_ges_under_each_of_its_forms(sections):
    def structures(row):
        return value(sections, "Par type de structure", row, "Structures")

    assert structures("ACI") == 2
    assert structures("AI") == 2
    assert structures("GES") == 1
    assert structures("ETTI") == 1
    assert structures("EI") == 1
    assert structures("EBE") == 0
    assert structures("Partenaire") == 1
    assert value(sections, "Par type de structure", "ACI", "Personnes") == 2


def test_trainee_hours_count_sessions_attended(sections):
    def training(column):
        return value(sections, "Heures-stagiaires", "Formation", column)

    assert training("Stagiaires (personnes présentes)") == 2
    assert training("Heures-stagiaires") == 10.5
    assert value(sections, "Heures-stagiaires", "Journée / rencontre", "Heures-stagiaires") == 21
    assert value(sections, "Heures-stagiaires", "Webinaire", "Heures-stagiaires") == 0


def test_charts_carry_the_numbers_of_their_tables(sections):
    charts = {chart.name: chart for s in sections for chart in s.charts}
    months = charts["evenements-par-mois"]
    assert months.labels[0] == "01/2025" and len(months.labels) == 12
    formation = dict(months.series)["Formation"]
    assert formation[2] == 1 and sum(formation) == 1
    rates = charts["taux-de-presence"]
    assert dict(zip(rates.labels, rates.series[0][1], strict=True)) == {
        "Formation": 66.7,
        "Journée / rencontre": 100.0,
    }
    departments = charts["participants-par-departement"]
    assert dict(zip(departments.labels, departments.series[0][1], strict=True))["48 Lozère"] == 1


@pytest.mark.parametrize(
    ("period", "rate", "chart_labels"),
    [
        (Period(dt.date(2030, 1, 1), dt.date(2030, 12, 31)), None, 12),  # nothing held
        (Period(dt.date(2000, 1, 1), dt.date(2049, 12, 31)), 5 / 6, 50),  # counted per year
        (Period(dt.date(2025, 6, 5), dt.date(2025, 6, 5)), None, 1),  # attendance not taken
    ],
    ids=["empty", "fifty-years", "one-day"],
)
def test_odd_periods_give_figures_without_dividing_by_zero(app, period, rate, chart_labels):
    build_year()
    sections = period_sections(period)
    found = value(sections, "Inscriptions et présence", "Total", "Taux de présence")
    assert found == (pytest.approx(rate) if rate else None)
    charts = {chart.name: chart for s in sections for chart in s.charts}
    assert len(charts["evenements-par-mois"].labels) == chart_labels
    assert all(chart.svg().startswith("<?xml") for chart in charts.values())


def test_figures_never_write_and_take_a_fixed_number_of_queries(app):
    with recorded_statements() as empty:
        period_sections(YEAR_2025)
    build_year()
    with recorded_statements() as full:
        period_sections(YEAR_2025)
    assert len(full) == len(empty)
    assert not [s for s in full if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_demo_year_reads_like_the_annual_report(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    sections = period_sections(YEAR_2025)
    assert value(sections, "Événements", "Total", "Événements") == 23
    assert (
        value(
            sections, "Personnes touchées", "Adhérentes actives (annuaire d'aujourd'hui)", "Nombre"
        )
        == 48
    )
    assert value(sections, "Personnes touchées", "Personnes distinctes", "Nombre") > 100
    reached = [row for row in table(sections, "Par département").rows if row[1].value]
    assert len(reached) >= 11
    rate = value(sections, "Inscriptions et présence", "Total", "Taux de présence")
    assert 0.6 < rate < 0.95
    assert value(sections, "Heures-stagiaires", "Formation", "Heures-stagiaires") > 100
    assert len(table(sections, "Sans appel").rows) == 3  # the large days, not pointed
