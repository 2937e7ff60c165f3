"""Answering someone who asks about their data: find them, hand them their data,
erase it, from « Personnes » in the back office."""

from __future__ import annotations

import json
from html import unescape

from sqlalchemy import func, select

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.attendance.records import Observation, record
from instant_coorace.events.models import Series
from instant_coorace.extensions import db
from instant_coorace.invitations import campaigns
from instant_coorace.invitations.audience import Selection
from instant_coorace.invitations.models import CampaignRecipient, SeriesFollower, Unsubscription
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.members.models import Person
from instant_coorace.privacy import retention
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration, RegistrationStatus
from instant_coorace.transactions import write_transaction
from tests.builders import applicant, make_event, make_structure

PEOPLE = "/gestion/personnes/"
EMAIL = "personne1@adherent.example.org"


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def person_id(email: str) -> int:
    return db.session.scalar(select(Person.id).where(Person.email == email))


def past_registration(number: int = 1, **fields) -> int:
    """A registration to an event that is over; returns the person's id."""
    event = make_event("Atelier de rentrée")
    services.register(event.id, applicant(number, **fields))
    event.sessions[0].starts_at = event.sessions[0].starts_at.replace(year=2024)
    event.sessions[0].ends_at = event.sessions[0].ends_at.replace(year=2024)
    event.refresh_time_span()
    db.session.commit()
    return person_id(f"personne{number}@adherent.example.org")


def test_the_team_finds_someone_by_address_or_name(staff_client):
    services.register(make_event().id, applicant(1, last_name="Garonne"))
    services.register(make_event("Autre").id, applicant(2, last_name="Tarn"))

    by_address = text(staff_client.get(PEOPLE + "?q=PERSONNE1@"))
    by_name = text(staff_client.get(PEOPLE + "?q=tarn"))

    assert "personne1@adherent.example.org" in by_address
    assert "personne2@adherent.example.org" not in by_address
    assert "personne2@adherent.example.org" in by_name and "Camille Tarn" in by_name
    assert "1 personne trouvée" in by_name


def test_the_export_holds_what_is_known_of_the_person(admin_client):
    structure = make_structure("ACI Garonne")
    event = make_event("L'Instant Coorace de mai")
    services.register(event.id, applicant(1, structure, needs="Boucle magnétique"))
    services.register(make_event("Atelier").id, applicant(1, first_name="Cam", last_name="M."))

    response = admin_client.get(
        f"{PEOPLE}{person_id('personne1@adherent.example.org')}/donnees.json"
    )

    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["personne"]["adresse"] == "personne1@adherent.example.org"
    assert data["personne"]["structure"] == "ACI Garonne"
    registration, other = sorted(data["inscriptions"], key=lambda r: r["evenement"], reverse=True)
    assert (other["prenom"], other["nom"]) == ("Cam", "M.")
    assert registration["evenement"] == "L'Instant Coorace de mai"
    assert registration["statut"] == "confirmed" and registration["besoins"] == "Boucle magnétique"
    assert [mail["etat"] for mail in data["courriels"]] == ["pending", "pending"]
    assert data["presences"] == [] and data["series_suivies"] == []
    assert data["desabonne_le"] is None


def test_the_export_and_the_erasure_cover_attendance_following_and_invitations(admin_client):
    series = Series(name="Matinales", slug="matinales")
    db.session.add(series)
    db.session.commit()
    event = make_event("Matinale", series_id=series.id)
    receipt = services.register(event.id, applicant(1))
    db.session.add(SeriesFollower(series_id=series.id, person_id=person_id(EMAIL)))
    db.session.commit()
    with write_transaction():
        record(
            [
                Observation(
                    receipt.registration_id,
                    event.sessions[0].id,
                    AttendanceStatus.PRESENT,
                    AttendanceSource.CHECK_IN,
                )
            ]
        )
    campaigns.send(
        make_event("Atelier").id,
        campaigns.Draft("Invitation", "Bonjour", Selection(pasted=(EMAIL,))),
        "cle-export",
        None,
    )
    db.session.add(Unsubscription(email=EMAIL, from_purpose="campaign_invitation"))
    db.session.commit()
    url = f"{PEOPLE}{person_id(EMAIL)}/donnees.json"

    data = json.loads(admin_client.get(url).get_data(as_text=True))
    assert [row["statut"] for row in data["presences"]] == ["present"]
    assert [row["serie"] for row in data["series_suivies"]] == ["Matinales"]
    assert [row["objet"] for row in data["invitations"]] == ["Invitation"]
    assert data["desabonne_le"] is not None

    retention.anonymise([person_id(EMAIL)])
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SeriesFollower)) == 0
    invited = db.session.scalars(select(CampaignRecipient)).one()
    assert invited.email.endswith("@anonyme.invalid") and invited.last_name == "anonymisée"
    assert db.session.scalar(select(func.count()).select_from(SessionAttendance)) == 1


def test_erasing_someone_keeps_the_figures_and_nothing_that_identifies_them(admin_client):
    structure = make_structure("ACI Garonne")
    identified = past_registration(
        1, structure=structure, first_name="Surnom", job_title="Directrice", needs="Fauteuil"
    )
    registrations_before = db.session.scalar(select(func.count()).select_from(Registration))

    response = admin_client.post(f"{PEOPLE}{identified}/effacer")

    assert response.location == PEOPLE
    assert "Les données de cette personne sont effacées" in text(admin_client.get(PEOPLE))
    db.session.expire_all()
    person = db.session.get(Person, identified)
    assert person.email.endswith("@anonyme.invalid") and person.full_name == "Personne anonymisée"
    assert db.session.scalar(select(func.count()).select_from(Registration)) == registrations_before
    registration = db.session.scalars(select(Registration)).one()
    assert (registration.needs, registration.job_title) == ("", "")
    assert registration.full_name == "Personne anonymisée"
    assert registration.structure_id == structure.id
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0
    assert "personne1@adherent.example.org" not in text(admin_client.get(PEOPLE + "?q=personne1"))


def test_someone_expected_at_an_upcoming_event_is_cancelled_before_being_erased(admin_client):
    services.register(make_event().id, applicant(1))
    identified = person_id("personne1@adherent.example.org")

    page = text(admin_client.get(f"{PEOPLE}{identified}"))
    response = admin_client.post(f"{PEOPLE}{identified}/effacer")

    assert "Annulez d'abord ces inscriptions" in page
    assert "Effacer les données de" not in page
    assert response.location == f"{PEOPLE}{identified}"
    assert "encore inscrite à un événement à venir" in text(admin_client.get(response.location))
    db.session.expire_all()
    assert db.session.get(Person, identified).anonymised_at is None

    registration = db.session.scalars(select(Registration)).one()
    services.cancel(registration.id)
    admin_client.post(f"{PEOPLE}{identified}/effacer")
    db.session.expire_all()
    assert db.session.get(Person, identified).anonymised_at is not None
    assert db.session.get(Registration, registration.id).status is RegistrationStatus.CANCELLED
