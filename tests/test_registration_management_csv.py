"""The registrant export opens correctly in French Excel."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io

from instant_coorace.extensions import db
from instant_coorace.members.models import Person, StructureKind
from instant_coorace.registrations import services
from instant_coorace.registrations.export import HEADERS
from instant_coorace.registrations.models import (
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from instant_coorace.spreadsheets import neutralise
from tests.builders import applicant, make_event, make_structure


def export(staff_client, event_id: int, query: str = ""):
    return staff_client.get(f"/gestion/evenements/{event_id}/inscrits.csv{query}")


def parse(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def registered_at(registration_id: int, moment: dt.datetime) -> None:
    db.session.get(Registration, registration_id).created_at = moment
    db.session.commit()


def test_export_is_excel_ready_csv_with_french_headers_and_accents(app, staff_client):
    structure = make_structure(
        "Régie de quartier Ségala", department="12", kinds=(StructureKind.ACI, StructureKind.EI)
    )
    event = make_event("Atelier collectif « RSE »", slug="atelier-rse", capacity=1)
    first = services.register(
        event.id,
        applicant(
            1, structure=structure, first_name="Hélène", last_name="Château", needs="Fauteuil"
        ),
    ).registration_id
    second = services.register(
        event.id, applicant(2, other_structure_name="Mairie d'Albi", last_name="Ødegård")
    ).registration_id
    registered_at(first, dt.datetime(2025, 7, 3, 8, 0, tzinfo=dt.UTC))
    registered_at(second, dt.datetime(2025, 1, 15, 9, 30, tzinfo=dt.UTC))

    response = export(staff_client, event.id)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename="inscrits-atelier-rse.csv"' in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(codecs.BOM_UTF8)
    assert b"\r\n" in body and body.count(b"\n") == body.count(b"\r\n")
    header, hélène, ødegård = parse(body)
    assert header == list(HEADERS)
    assert header[9] == "Inscrit·e le"
    assert hélène == [
        "Château",
        "Hélène",
        "personne1@adherent.example.org",
        "Régie de quartier Ségala",
        "12 – Aveyron",
        "ACI, EI",
        "Chargée d'insertion",
        "Inscrit·e",
        "",
        "03/07/2025 10:00",  # summer: UTC+2
        "Formulaire public",
        "Fauteuil",
    ]
    assert ødegård[:5] == [
        "Ødegård",
        "Camille",
        "personne2@adherent.example.org",
        "Mairie d'Albi",
        "",
    ]
    assert ødegård[7:10] == ["Liste d'attente", "1", "15/01/2025 10:30"]  # winter: UTC+1


def test_export_neutralises_cells_that_excel_would_run_as_formulas(app, staff_client):
    event = make_event()
    services.register(
        event.id,
        applicant(
            1,
            first_name='=HYPERLINK("http://evil.example")',
            last_name="+33 6 12",
            job_title="-Directrice",
            other_structure_name="@SUM(A1)",
            needs="=1+1",
        ),
    )

    _, row = parse(export(staff_client, event.id).get_data())

    assert row[0] == "'+33 6 12"
    assert row[1] == '\'=HYPERLINK("http://evil.example")'
    assert row[3] == "'@SUM(A1)"
    assert row[6] == "'-Directrice"
    assert row[11] == "'=1+1"
    assert [neutralise("\tx"), neutralise("\rx"), neutralise("Jean-Marie")] == [
        "'\tx",
        "'\rx",
        "Jean-Marie",
    ]


def test_export_keeps_only_the_status_asked_for_with_places_in_line(app, staff_client):
    event = make_event(capacity=1)
    ids = [services.register(event.id, applicant(number)).registration_id for number in range(4)]
    services.promote(ids[1])

    rows = parse(export(staff_client, event.id, "?statut=waitlisted").get_data())[1:]

    assert [row[2] for row in rows] == [
        "personne2@adherent.example.org",
        "personne3@adherent.example.org",
    ]
    assert [row[8] for row in rows] == ["1", "2"]


def test_export_of_a_large_event_is_streamed_in_chunks(app, staff_client):
    event = make_event(capacity=None)
    for number in range(1203):
        db.session.add(
            Registration(
                event_id=event.id,
                person=applicant_person(number),
                status=RegistrationStatus.CONFIRMED,
                token_nonce=f"{number:032d}",
                token_hash=f"{number:064d}",
                source=RegistrationSource.STAFF,
            )
        )
    db.session.commit()

    response = export(staff_client, event.id)

    assert response.is_streamed
    chunks = list(response.response)
    assert len(chunks) > 2
    assert len(parse(b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks))) == 1204


def applicant_person(number: int) -> Person:
    return Person(
        email=f"p{number}@example.org", first_name="Prénom", last_name=f"Nom {number:04d}"
    )


def test_export_of_an_unknown_event_is_a_french_404(app, staff_client):
    response = export(staff_client, 4242)
    assert response.status_code == 404
    assert "Événement introuvable" in response.get_data(as_text=True)


def test_export_is_for_staff_only(app, client):
    event = make_event()
    services.register(event.id, applicant(1))
    response = client.get(f"/gestion/evenements/{event.id}/inscrits.csv")
    assert response.status_code in (302, 401)
    assert b"personne1@" not in response.get_data()
