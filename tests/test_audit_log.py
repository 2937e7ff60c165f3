"""The audit log: sensitive actions are recorded with who, when, what and from
where, shown to admins in « Journal », and forgotten after the retention period."""

from __future__ import annotations

import datetime as dt
import io
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from instant_coorace.audit import services as audit
from instant_coorace.audit.models import AuditAction, AuditEntry
from instant_coorace.database import utcnow
from instant_coorace.events import services as events
from instant_coorace.extensions import db
from instant_coorace.members.models import Person
from instant_coorace.privacy.retention import anonymise_expired
from instant_coorace.registrations import services as registrations
from instant_coorace.registrations.models import Registration
from instant_coorace.staff.models import StaffUser
from tests.builders import applicant, make_event, make_staff

JOURNAL = "/gestion/journal/"
LOGIN = "/gestion/connexion"
ADMIN = "direction@coorace-occitanie.example.org"
PASSWORD = "mot-de-passe-solide"
SEED = Path(__file__).parent / "data" / "adherents-2026.csv"


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def entries(action: AuditAction | None = None) -> list[AuditEntry]:
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def only(action: AuditAction) -> AuditEntry:
    (entry,) = entries(action)
    return entry


def test_logins_are_recorded_failed_with_the_typed_address_and_from_where(app, client):
    make_staff("equipe@coorace-occitanie.example.org", PASSWORD)
    client.environ_base["REMOTE_ADDR"] = "192.0.2.44"

    client.post(LOGIN, data={"email": "Inconnu@Example.org", "password": "devine"})
    client.post(LOGIN, data={"email": "equipe@coorace-occitanie.example.org", "password": "x"})
    client.post(LOGIN, data={"email": "equipe@coorace-occitanie.example.org", "password": PASSWORD})
    client.post("/gestion/deconnexion")

    unknown, wrong = entries(AuditAction.LOGIN_FAILED)
    assert (unknown.email, unknown.staff_user_id) == ("inconnu@example.org", None)
    assert unknown.details == {"motif": "adresse inconnue"}
    assert wrong.details == {"motif": "mot de passe incorrect", "échecs": 1}
    success = only(AuditAction.LOGIN_SUCCEEDED)
    assert success.staff_user_id is not None and success.remote_addr == "192.0.2.44"
    assert utcnow() - success.at < dt.timedelta(minutes=1)
    assert only(AuditAction.LOGOUT).email == "equipe@coorace-occitanie.example.org"
    assert PASSWORD not in str([entry.details for entry in entries()])


def test_account_changes_are_recorded_with_the_admin_who_made_them(app, admin_client):
    admin_client.post("/gestion/equipe/", data={"email": "nouvelle@example.org", "role": "team"})
    colleague = db.session.scalars(
        select(StaffUser).where(StaffUser.email == "nouvelle@example.org")
    ).one()
    base = f"/gestion/equipe/{colleague.id}"
    admin_client.post(f"{base}/role", data={"role": "admin"})
    admin_client.post(f"{base}/activation", data={"active": "0"})
    admin_client.post(f"{base}/activation", data={"active": "1"})
    admin_client.post(f"{base}/mot-de-passe")

    actions = [
        (entry.action, entry.email, entry.target)
        for entry in entries()
        if entry.action is not AuditAction.LOGIN_SUCCEEDED
    ]
    target = "Compte nouvelle@example.org"
    assert actions == [
        (AuditAction.ACCOUNT_CREATED, ADMIN, target),
        (AuditAction.ACCOUNT_ROLE_CHANGED, ADMIN, target),
        (AuditAction.ACCOUNT_DEACTIVATED, ADMIN, target),
        (AuditAction.ACCOUNT_REACTIVATED, ADMIN, target),
        (AuditAction.ACCOUNT_PASSWORD_RESET, ADMIN, target),
    ]
    assert only(AuditAction.ACCOUNT_ROLE_CHANGED).details == {"avant": "team", "après": "admin"}


def test_a_password_change_is_recorded(app, staff_client):
    staff_client.post(
        "/gestion/mot-de-passe",
        data={
            "current_password": PASSWORD,
            "new_password": "trois mots faciles à retenir",
            "confirmation": "trois mots faciles à retenir",
        },
    )
    assert only(AuditAction.PASSWORD_CHANGED).email == "equipe@coorace-occitanie.example.org"


def test_a_persons_export_and_erasure_are_recorded_without_what_identified_them(app, admin_client):
    registrations.register(make_event().id, applicant(1))
    registrations.cancel(db.session.scalars(select(Registration.id)).one())
    person = db.session.scalars(select(Person)).one()

    admin_client.get(f"/gestion/personnes/{person.id}/donnees.json")
    admin_client.post(f"/gestion/personnes/{person.id}/effacer")

    exported, erased = only(AuditAction.PERSON_EXPORTED), only(AuditAction.PERSON_ERASED)
    assert exported.target == erased.target == f"Personne n° {person.id}"
    assert erased.email == ADMIN
    assert db.session.get(Person, person.id).anonymised_at is not None
    assert "personne1" not in str([(e.target, e.details) for e in entries()])


def test_a_real_directory_import_is_recorded_and_its_preview_is_not(app, admin_client):
    upload = admin_client.post(
        "/gestion/annuaire/import",
        data={"file": (io.BytesIO(SEED.read_bytes()), "adherents.csv")},
        content_type="multipart/form-data",
    )
    assert entries(AuditAction.DIRECTORY_IMPORTED) == []
    token = text(upload).split('name="token" value="', 1)[1].split('"', 1)[0]

    admin_client.post("/gestion/annuaire/import/confirmer", data={"token": token})

    entry = only(AuditAction.DIRECTORY_IMPORTED)
    assert entry.email == ADMIN and entry.details["created"] > 40


def test_the_registrants_csv_and_an_event_cancellation_are_recorded(app, staff_client):
    event = make_event("Webinaire RSE")
    staff_client.get(f"/gestion/evenements/{event.id}/inscrits.csv").get_data()
    staff_client.post(f"/gestion/evenements/{event.id}/annuler", data={"confirmation": "oui"})

    assert only(AuditAction.REGISTRANTS_EXPORTED).target == f"Événement n° {event.id}"
    cancelled = only(AuditAction.EVENT_CANCELLED)
    assert cancelled.target == f"Événement n° {event.id} : Webinaire RSE"
    assert cancelled.email == "equipe@coorace-occitanie.example.org"


def test_a_command_line_action_says_so(app, runner):
    runner.invoke(args=["staff", "create", ADMIN])
    entry = only(AuditAction.ACCOUNT_CREATED)
    assert entry.staff_user_id is None and entry.remote_addr == ""
    assert entry.details == {"role": "admin", "origine": "ligne de commande"}


def test_a_cancellation_that_fails_records_nothing(app):
    event = make_event()
    events.cancel_event(event.id)
    with pytest.raises(events.EventError):
        events.cancel_event(event.id)
    assert len(entries(AuditAction.EVENT_CANCELLED)) == 1


def test_the_journal_is_for_admins_only(app, staff_client):
    assert staff_client.get(JOURNAL).status_code == 403
    assert "Journal</a>" not in text(staff_client.get("/gestion/"))


def test_the_journal_shows_newest_first_in_pages_filtered_by_action(app, admin_client):
    for number in range(audit.PER_PAGE + 5):
        audit.record(AuditAction.LOGIN_FAILED, email=f"essai{number}@example.org")
    audit.record(AuditAction.EVENT_CANCELLED, "Événement n° 7 : Atelier RH")
    db.session.commit()

    first = text(admin_client.get(JOURNAL))
    assert "Journal</a>" in first
    assert first.index("Atelier RH") < first.index("essai54@example.org")
    assert "essai0@example.org" not in first and "Page 1 sur 2" in first
    second = text(admin_client.get(JOURNAL + "?action=login_failed&page=2"))
    assert "essai0@example.org" in second and "Atelier RH" not in second
    assert 'href="/gestion/journal/?page=1&amp;action=login_failed"' in (
        admin_client.get(JOURNAL + "?action=login_failed&page=2").get_data(as_text=True)
    )
    cancelled = text(admin_client.get(JOURNAL + "?action=event_cancelled"))
    assert "Atelier RH" in cancelled and "essai" not in cancelled
    assert admin_client.get(JOURNAL + "?action=rien&page=x").status_code == 200


def test_entries_older_than_the_retention_period_are_deleted(app):
    audit.record(AuditAction.LOGIN_FAILED, email="ancien@example.org")
    audit.record(AuditAction.LOGIN_FAILED, email="recent@example.org")
    db.session.commit()
    old, recent = entries()
    old.at = utcnow() - dt.timedelta(days=3 * 366)
    recent.at = utcnow() - dt.timedelta(days=2 * 365)
    db.session.commit()

    anonymise_expired()

    assert [entry.email for entry in entries()] == ["recent@example.org"]
