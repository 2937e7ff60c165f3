"""Who may do what: erasing or exporting a person, importing the directory and
managing accounts are for admins; the team does everything else."""

from __future__ import annotations

import io
from html import unescape

import pytest
from sqlalchemy import select

from instant_coorace.extensions import db
from instant_coorace.members.models import Person
from instant_coorace.registrations import services as registrations
from instant_coorace.registrations.models import Registration
from instant_coorace.staff.models import StaffRole, StaffUser
from tests.builders import applicant, make_event, make_staff


@pytest.fixture
def person(app) -> int:
    """Someone whose only registration is cancelled: nothing stops their erasure."""
    registrations.register(make_event().id, applicant(1))
    registrations.cancel(db.session.scalars(select(Registration.id)).one())
    return db.session.scalars(select(Person.id)).one()


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def test_a_team_member_can_neither_export_nor_erase_a_person(staff_client, person):
    page = text(staff_client.get(f"/gestion/personnes/{person}"))
    assert "donnees.json" not in page and "/effacer" not in page
    assert "réservé aux administrateur·rices" in page

    assert staff_client.get(f"/gestion/personnes/{person}/donnees.json").status_code == 403
    assert staff_client.post(f"/gestion/personnes/{person}/effacer").status_code == 403
    db.session.expire_all()
    assert db.session.get(Person, person).anonymised_at is None


def test_an_admin_sees_and_uses_both(admin_client, person):
    page = text(admin_client.get(f"/gestion/personnes/{person}"))
    assert "Télécharger ses données" in page and "Effacer les données de" in page
    assert admin_client.get(f"/gestion/personnes/{person}/donnees.json").status_code == 200


def test_a_team_member_cannot_import_the_directory(staff_client):
    assert "/gestion/annuaire/import" not in text(staff_client.get("/gestion/annuaire/"))
    assert staff_client.get("/gestion/annuaire/import").status_code == 403
    upload = staff_client.post(
        "/gestion/annuaire/import",
        data={"file": (io.BytesIO(b"nom;types;departement\nCASTA;ACI;09\n"), "a.csv")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 403
    assert staff_client.post("/gestion/annuaire/import/confirmer").status_code == 403


def test_the_team_keeps_everything_else(staff_client, person):
    for page in (
        "/gestion/",
        "/gestion/evenements/",
        "/gestion/annuaire/",
        "/gestion/annuaire/export.csv",
        f"/gestion/personnes/{person}",
        "/gestion/courriels/",
    ):
        assert staff_client.get(page).status_code == 200, page


def test_an_admin_switches_a_colleagues_role_but_not_their_own(app, admin_client):
    colleague = make_staff("equipe@coorace-occitanie.example.org", "mot-de-passe-solide")
    admin = db.session.scalars(select(StaffUser).where(StaffUser.role == StaffRole.ADMIN)).one()

    response = admin_client.post(f"/gestion/equipe/{colleague.id}/role", data={"role": "admin"})
    assert "a le rôle « Administrateur·rice »" in text(admin_client.get(response.location))
    refused = admin_client.post(f"/gestion/equipe/{admin.id}/role", data={"role": "team"})
    assert "votre propre rôle" in text(admin_client.get(refused.location))
    admin_client.post(f"/gestion/equipe/{colleague.id}/role", data={"role": "chef"})

    db.session.expire_all()
    assert db.session.get(StaffUser, colleague.id).role is StaffRole.ADMIN
    assert db.session.get(StaffUser, admin.id).role is StaffRole.ADMIN


def test_a_team_member_cannot_change_roles(staff_client):
    me = db.session.scalars(select(StaffUser)).one()
    response = staff_client.post(f"/gestion/equipe/{me.id}/role", data={"role": "admin"})
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(StaffUser, me.id).role is StaffRole.TEAM
