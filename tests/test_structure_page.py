"""The structure page of the directory: one member at a glance."""

from __future__ import annotations

import datetime as dt
import html
import re

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.database import utcnow
from instant_coorace.events.models import EventKind
from instant_coorace.extensions import db
from instant_coorace.formatting import PARIS
from instant_coorace.invitations.models import Unsubscription
from instant_coorace.members.models import Membership, Person
from instant_coorace.registrations import services as registrations
from instant_coorace.registrations.models import Registration
from tests.builders import applicant, make_event, make_structure
from tests.support_builders import make_support, make_theme


def text_of(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", html.unescape(body))


def attend(registration_id: int, session_id: int, status: AttendanceStatus) -> None:
    db.session.add(
        SessionAttendance(
            registration_id=registration_id,
            session_id=session_id,
            status=status,
            source=AttendanceSource.STAFF,
        )
    )
    db.session.commit()


def test_everything_about_a_member_at_a_glance(staff_client):
    lauragais = make_structure("Chantier d'insertion du Lauragais", department="31")
    lauragais.email = "contact@lauragais.example.org"
    other = make_structure("Relais Emploi Tarn", department="81")
    training = make_event("Formation CIP", kind=EventKind.FORMATION, sessions=2)
    webinar = make_event("Webinaire fonds européens", kind=EventKind.WEBINAIRE)
    workshop = make_event("Atelier RSE", kind=EventKind.ATELIER_COLLECTIF)
    camille = registrations.register(training.id, applicant(1, lauragais, first_name="Camille"))
    registrations.register(workshop.id, applicant(1, lauragais, first_name="Camille"))
    moved = registrations.register(webinar.id, applicant(2, lauragais, first_name="Dominique"))
    stranger = registrations.register(workshop.id, applicant(3, other, first_name="Sacha"))
    db.session.get(
        Person, db.session.get(Registration, moved.registration_id).person_id
    ).structure_id = other.id
    db.session.add(
        Person(
            email="x@anonyme.invalid",
            first_name="Personne",
            last_name="anonymisée",
            structure_id=lauragais.id,
            anonymised_at=utcnow(),
        )
    )
    training.starts_at = dt.datetime(2025, 3, 4, 8, tzinfo=dt.UTC)
    db.session.commit()
    first, second = training.sessions
    attend(camille.registration_id, first.id, AttendanceStatus.PRESENT)
    attend(camille.registration_id, second.id, AttendanceStatus.ABSENT)
    attend(stranger.registration_id, workshop.sessions[0].id, AttendanceStatus.PRESENT)
    db.session.add_all(
        [
            Unsubscription(
                email="personne1@adherent.example.org", from_subject="Invitation : Atelier RSE"
            ),
            Unsubscription(email="contact@lauragais.example.org"),
            Unsubscription(email="personne3@adherent.example.org"),
        ]
    )
    this_year = dt.datetime.now(PARIS).year
    make_support(
        lauragais, make_theme("RSE"), dt.date(this_year, 2, 3), 210, note="Plan d'action RSE"
    )
    db.session.commit()

    response = staff_client.get(f"/gestion/annuaire/{lauragais.id}/synthese")
    page = text_of(response)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    # Its people: the directory's, the one who registered for it and moved since, the anonymised.
    assert "Personnes (3)" in page
    assert "Camille Martin 1 personne1@adherent.example.org Chargée d'insertion 2 1" in page
    assert "Dominique Martin 2 Inscription passée personne2@adherent.example.org" in page
    assert "Personne anonymisée" in page and "x@anonyme.invalid" not in page
    assert "Sacha" not in page
    # Registrations and attendance, year by year.
    assert "2025 (1 inscription)" in page
    training_line = "Formation CIP Formation mardi 4 mars 2025 Camille Martin 1 Inscrit·e"
    assert f"{training_line} Présent·e (1 session sur 2)" in page
    assert "Atelier RSE Atelier collectif" in page and "Camille Martin 1 Inscrit·e Absent·e" in page
    assert "Dominique Martin 2 Inscrit·e Non relevée" in page
    # Supports with this year's allowance.
    assert f"Offre modulaire {this_year} — jours utilisés : 0,5 sur 2 (3 h 30 sur 14 h)." in page
    assert "Plan d'action RSE" in page
    # Addresses that unsubscribed.
    assert "Adresses désabonnées des invitations (2)" in page
    assert "personne1@adherent.example.org — depuis le" in page
    assert "à partir de « Invitation : Atelier RSE »" in page
    assert "contact@lauragais.example.org — depuis le" in page
    assert "personne3@adherent.example.org" not in page


def test_a_partner_has_no_allowance_and_an_empty_history_reads_so(staff_client):
    partner = make_structure("CRESS Occitanie", membership=Membership.PARTNER, kinds=())
    page = text_of(staff_client.get(f"/gestion/annuaire/{partner.id}/synthese"))
    assert "Structure partenaire : l'offre modulaire est réservée aux adhérentes." in page
    assert "Enregistrer un accompagnement" not in page
    assert "Aucune inscription pour cette structure." in page
    assert "Aucune adresse de la structure ne s'est désabonnée." in page


def test_the_directory_leads_to_the_page_and_unknown_structures_are_404(staff_client):
    structure = make_structure("Ateliers du Gers", department="32")
    listing = staff_client.get("/gestion/annuaire/").get_data(as_text=True)
    assert f'href="/gestion/annuaire/{structure.id}/synthese">Ateliers du Gers</a>' in listing
    page = staff_client.get(f"/gestion/annuaire/{structure.id}/synthese").get_data(as_text=True)
    assert f'href="/gestion/accompagnements/nouveau?structure={structure.id}"' in page
    assert staff_client.get("/gestion/annuaire/999/synthese").status_code == 404
