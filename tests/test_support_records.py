"""Recording the offre modulaire: the year's allowance, the confirmation past
it, the structures that cannot have one, the themes, the audit log."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
import time_machine
from sqlalchemy import func, select

from instant_coorace.audit.models import AuditAction, AuditEntry
from instant_coorace.extensions import db
from instant_coorace.members.models import Membership
from instant_coorace.support.models import Support, SupportTheme
from tests.builders import make_structure
from tests.support_builders import make_support, make_theme

NEW = "/gestion/accompagnements/nouveau"
TODAY = dt.datetime(2026, 6, 15, 10, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def june_2026():
    with time_machine.travel(TODAY, tick=False):
        yield


def form(structure, theme, **changes) -> dict:
    values = {
        "structure_id": str(structure.id),
        "given_on": "2026-06-10",
        "duration": "1",
        "unit": "half_days",
        "theme_id": str(theme.id),
        "staff_user_id": "",
        "note": "Dossier FSE+ relu avec la direction.",
    }
    return values | changes


def supports() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Support))


def page(response) -> str:
    """The answer's HTML, entities decoded and spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


def test_a_support_in_half_days_or_hours_counts_against_the_year(staff_client):
    structure = make_structure("Régie de quartier de Foix", department="09")
    theme = make_theme()
    make_support(structure, theme, dt.date(2025, 11, 3), 420)  # last year: not counted

    first = staff_client.post(NEW, data=form(structure, theme, duration="2"))
    second = staff_client.post(NEW, data=form(structure, theme, duration="1,5", unit="hours"))

    assert first.status_code == second.status_code == 302
    minutes = db.session.scalars(select(Support.minutes).order_by(Support.id)).all()
    assert minutes == [420, 420, 90]
    shown = page(staff_client.get(f"/gestion/annuaire/{structure.id}/synthese"))
    assert "Offre modulaire 2026" in shown
    assert "jours utilisés : 1,21 sur 2 (8 h 30 sur 14 h)." in shown
    assert "Reste 0,79 jour (5 h 30)" in shown
    listing = page(staff_client.get("/gestion/accompagnements/"))
    assert "2 demi-journées (7 h)" in listing and "1 h 30 (0,43 demi-journée)" in listing


def test_the_allowance_follows_the_setting(make_app):
    app = make_app(SUPPORT_DAYS_PER_YEAR=1)
    with app.app_context():
        from tests.conftest import _reset_schema

        _reset_schema()
        from instant_coorace.support.allowance import allowance_of

        structure = make_structure()
        make_support(structure, make_theme(), dt.date(2026, 3, 2), 210)
        allowance = allowance_of(structure.id, 2026)
        assert (allowance.allowed_minutes, allowance.used_minutes) == (420, 210)
        assert allowance.left_minutes == 210
        db.session.remove()
        db.engine.dispose()


def test_one_support_longer_than_the_whole_allowance_says_nothing_was_used_yet(staff_client):
    structure = make_structure("Chantier d'insertion du Lauragais")
    theme = make_theme("RSE")

    refused = staff_client.post(NEW, data=form(structure, theme, duration="5"))

    assert refused.status_code == 422
    assert "n'a encore rien utilisé des 2 jours de l'offre modulaire" in page(refused)
    assert "avec cet accompagnement de 5 demi-journées (17 h 30)" in page(refused)
    assert supports() == 0


def test_past_the_allowance_needs_a_confirmation_and_is_flagged(staff_client):
    structure = make_structure("Chantier d'insertion du Lauragais")
    theme = make_theme("RSE")
    make_support(structure, theme, dt.date(2026, 2, 4), 630)  # 3 half-days

    refused = staff_client.post(NEW, data=form(structure, theme, duration="2"))

    assert refused.status_code == 422
    assert "a déjà utilisé 3 demi-journées (10 h 30) sur les 2 jours" in page(refused)
    assert "Cochez la case pour confirmer" in page(refused)
    assert "Dossier FSE+ relu avec la direction." in page(refused)
    assert supports() == 1

    confirmed = staff_client.post(
        NEW, data=form(structure, theme, duration="2", confirm_over_allowance="y")
    )

    assert confirmed.status_code == 302
    flagged = db.session.scalars(select(Support).order_by(Support.id.desc())).first()
    assert flagged.over_allowance is True
    assert "Au-delà de l'offre" in page(staff_client.get("/gestion/accompagnements/?annee=2026"))
    shown = page(staff_client.get(f"/gestion/annuaire/{structure.id}/synthese"))
    assert "Dépassement de 1 demi-journée (3 h 30)" in shown


def test_within_the_allowance_no_confirmation_is_asked_nor_flag_set(staff_client):
    structure = make_structure()
    theme = make_theme()
    response = staff_client.post(NEW, data=form(structure, theme, duration="4"))
    assert response.status_code == 302
    assert db.session.scalars(select(Support.over_allowance)).one() is False


@pytest.mark.parametrize(
    ("structure_args", "message"),
    [
        ({"membership": Membership.PARTNER}, "est partenaire : l'offre modulaire est réservée"),
        ({"active": False}, "est désactivée dans l'annuaire"),
    ],
    ids=["partner", "deactivated"],
)
def test_partners_and_deactivated_structures_get_no_support(staff_client, structure_args, message):
    structure = make_structure("France Active Occitanie", **structure_args)
    theme = make_theme()

    response = staff_client.post(NEW, data=form(structure, theme, confirm_over_allowance="y"))

    assert response.status_code == 422
    assert message in page(response)
    assert 'aria-invalid="true"' in page(response)
    assert supports() == 0


def test_a_structure_deactivated_later_keeps_its_supports_editable(staff_client):
    structure = make_structure()
    theme = make_theme()
    support = make_support(structure, theme, dt.date(2026, 1, 20))
    structure.active = False
    db.session.commit()

    response = staff_client.post(
        f"/gestion/accompagnements/{support.id}", data=form(structure, theme, note="Compte rendu")
    )

    assert response.status_code == 302
    db.session.refresh(support)
    assert support.note == "Compte rendu"


def test_bad_durations_are_refused_in_french(staff_client):
    structure, theme = make_structure(), make_theme()
    for duration, message in [
        ("0", "La durée doit être supérieure à zéro."),
        ("deux", "Indiquez la durée en chiffres"),
        ("11", "au plus cinq jours"),
        ("", "Indiquez la durée."),
    ]:
        response = staff_client.post(NEW, data=form(structure, theme, duration=duration))
        assert response.status_code == 422, duration
        assert message in page(response), duration
    assert supports() == 0


def test_recording_changing_and_deleting_are_in_the_audit_log(staff_client):
    structure, theme = make_structure("Avie Emploi"), make_theme()
    staff_client.post(NEW, data=form(structure, theme))
    support_id = db.session.scalars(select(Support.id)).one()
    staff_client.post(
        f"/gestion/accompagnements/{support_id}", data=form(structure, theme, duration="2")
    )
    staff_client.post(f"/gestion/accompagnements/{support_id}/supprimer")

    assert supports() == 0
    entries = db.session.execute(
        select(AuditEntry.action, AuditEntry.target, AuditEntry.email).order_by(AuditEntry.id)
    ).all()
    assert [entry.action for entry in entries] == [
        AuditAction.SUPPORT_RECORDED,
        AuditAction.SUPPORT_CHANGED,
        AuditAction.SUPPORT_DELETED,
    ]
    assert all("Avie Emploi" in entry.target for entry in entries)
    assert {entry.email for entry in entries} == {"equipe@coorace-occitanie.example.org"}


def test_the_form_is_filled_from_the_structure_page_link_and_the_staff_member(staff_client):
    structure = make_structure("Relais Emploi Tarn", department="81")
    make_theme()
    shown = page(staff_client.get(f"{NEW}?structure={structure.id}"))
    assert f'<option selected value="{structure.id}">Relais Emploi Tarn (81)</option>' in shown
    assert 'selected value="1">equipe@coorace-occitanie.example.org' in shown
    assert 'value="2026-06-15"' in shown


def test_the_team_edits_the_list_of_themes(staff_client):
    structure = make_structure()
    used = make_theme("Marchés publics")
    support = make_support(structure, used, dt.date(2026, 5, 5))

    added = staff_client.post("/gestion/accompagnements/thematiques", data={"name": "Numérique"})
    duplicate = staff_client.post(
        "/gestion/accompagnements/thematiques", data={"name": "marchés publics"}
    )
    staff_client.post(
        f"/gestion/accompagnements/thematiques/{used.id}", data={"name": "Commande publique"}
    )
    staff_client.post(f"/gestion/accompagnements/thematiques/{used.id}/desactiver")

    assert added.status_code == 302
    assert duplicate.status_code == 422
    assert "La thématique « marchés publics » est déjà dans la liste." in page(duplicate)
    names = db.session.execute(select(SupportTheme.name, SupportTheme.active)).all()
    assert sorted(names) == [("Commande publique", False), ("Numérique", True)]
    new_form = page(staff_client.get(NEW))
    assert ">Numérique</option>" in new_form and ">Commande publique</option>" not in new_form
    editing = page(staff_client.get(f"/gestion/accompagnements/{support.id}"))
    assert ">Commande publique</option>" in editing
    refused = staff_client.post(NEW, data=form(structure, used))
    assert "Choisissez une thématique de la liste." in page(refused)
    staff_client.post(f"/gestion/accompagnements/thematiques/{used.id}/reactiver")
    assert ">Commande publique</option>" in page(staff_client.get(NEW))


def test_the_list_shows_the_chosen_year(staff_client):
    structure, theme = make_structure("Ateliers du Gers", department="32"), make_theme()
    make_support(structure, theme, dt.date(2025, 9, 9), note="Appui 2025")
    make_support(structure, theme, dt.date(2026, 4, 9), note="Appui 2026")

    this_year = page(staff_client.get("/gestion/accompagnements/"))
    last_year = page(staff_client.get("/gestion/accompagnements/?annee=2025"))
    odd = staff_client.get("/gestion/accompagnements/?annee=1850")

    assert "Appui 2026" in this_year and "Appui 2025" not in this_year
    assert "Appui 2025" in last_year and "Appui 2026" not in last_year
    assert odd.status_code == 200 and "Appui 2026" in page(odd)


def test_unknown_supports_and_themes_are_404(staff_client):
    assert staff_client.get("/gestion/accompagnements/999").status_code == 404
    assert staff_client.post("/gestion/accompagnements/999/supprimer").status_code == 404
    assert (
        staff_client.post("/gestion/accompagnements/thematiques/999/desactiver").status_code == 404
    )


def test_the_pages_are_for_the_team_only(client):
    for address in (NEW, "/gestion/accompagnements/", "/gestion/accompagnements/bilan.xlsx"):
        response = client.get(address)
        assert response.status_code == 302 and "/gestion/connexion" in response.location


def test_a_refused_new_name_is_shown_under_that_theme_with_what_was_typed(staff_client):
    make_theme("RSE")
    other = make_theme("Numérique")

    response = staff_client.post(
        f"/gestion/accompagnements/thematiques/{other.id}", data={"name": "rse"}
    )

    assert response.status_code == 422
    shown = page(response)
    assert f'<p class="error" id="theme-{other.id}-name-erreur">' in shown
    assert "La thématique « rse » est déjà dans la liste." in shown
    assert f'id="theme-{other.id}-name" name="name" value="rse"' in shown
    assert f'href="#theme-{other.id}-name"' in shown
    assert db.session.get(SupportTheme, other.id).name == "Numérique"
