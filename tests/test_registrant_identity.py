"""Nobody rewrites someone else's identity: a registration keeps the name,
structure and job title given for it, and a form anyone can fill in with a
known address never changes what is shown of that person elsewhere."""

from __future__ import annotations

import csv
import io
from html import unescape

from icalendar import Calendar
from sqlalchemy import select

from instant_coorace.events import services as event_services
from instant_coorace.extensions import db
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.mail.rendering import render_all_pending
from instant_coorace.mail.worker import deliver_due_mail
from instant_coorace.members.models import Person
from instant_coorace.registrations import services
from tests.builders import applicant, make_event, make_structure
from tests.live_server import form_values, registration_path

ADDRESS = "camille.martin@adherent.example.org"


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def csv_rows(staff_client, event_id: int) -> list[list[str]]:
    body = staff_client.get(f"/gestion/evenements/{event_id}/inscrits.csv").get_data()
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))[1:]


def mails_about(event_id: int) -> list[OutgoingMail]:
    render_all_pending()
    return list(
        db.session.scalars(
            select(OutgoingMail).where(OutgoingMail.event_id == event_id).order_by(OutgoingMail.id)
        )
    )


def attendee_name(mail: OutgoingMail) -> str:
    [vevent] = Calendar.from_ical(mail.calendar_text).walk("VEVENT")
    return str(vevent["ATTENDEE"].params["CN"])


def test_registering_elsewhere_with_a_known_address_renames_nobody(client, staff_client):
    """Someone registers to another event with Camille's address and another name:
    Camille's registration, her record and the mails about it still say Camille."""
    aci, other = make_structure("ACI Garonne"), make_structure("Autre ACI")
    first, second = make_event("Atelier RSE"), make_event("Instant Coorace")
    client.post(
        registration_path(first.slug),
        data=form_values(
            1,
            aci.id,
            email=ADDRESS,
            first_name="Camille",
            last_name="Martin",
            job_title="Directrice",
        ),
    )
    response = client.post(
        registration_path(second.slug),
        data=form_values(
            2,
            other.id,
            email=ADDRESS.upper(),
            first_name="Yannick",
            last_name="Usurpateur",
            job_title="Stagiaire",
        ),
    )
    assert response.status_code == 303

    roster = text(staff_client.get(f"/gestion/evenements/{first.id}/inscrits"))
    assert "Martin Camille" in roster and "Directrice" in roster and "ACI Garonne" in roster
    assert "Usurpateur" not in roster and "Stagiaire" not in roster
    [row] = csv_rows(staff_client, first.id)
    assert row[:4] == ["Martin", "Camille", ADDRESS, "ACI Garonne"] and row[6] == "Directrice"
    # The other registration keeps what was given for it.
    [other_row] = csv_rows(staff_client, second.id)
    assert other_row[:4] == ["Usurpateur", "Yannick", ADDRESS, "Autre ACI"]
    person = db.session.scalars(select(Person)).one()
    db.session.refresh(person)
    assert (person.first_name, person.last_name, person.job_title, person.structure_id) == (
        "Camille",
        "Martin",
        "Directrice",
        aci.id,
    )

    [confirmation] = mails_about(first.id)  # rendered now, after the other registration
    deliver_due_mail()  # in her calendar: the cancellation removes it
    event_services.cancel_event(first.id)
    [_, cancellation] = mails_about(first.id)
    for mail in (confirmation, cancellation):
        assert mail.to_name == "Camille Martin"
        assert mail.text_body.startswith("Bonjour Camille,")
        assert attendee_name(mail) == "Camille Martin"


def test_searching_the_roster_finds_the_name_given_for_the_registration(app, staff_client):
    event = make_event()
    services.register(make_event().id, applicant(1, first_name="Camille", last_name="Martin"))
    services.register(event.id, applicant(1, first_name="Cam", last_name="Martin-Roux"))

    html = text(staff_client.get(f"/gestion/evenements/{event.id}/inscrits?q=Roux"))

    assert "Martin-Roux Cam" in html


def test_handing_over_to_a_known_colleague_keeps_their_record(app):
    """The holder of a link types a colleague's address and any name: the seat
    goes to the colleague under that name, their own record stays as it was."""
    structure = make_structure()
    event = make_event()
    services.register(make_event().id, applicant(2, structure, first_name="Sacha"))
    receipt = services.register(event.id, applicant(1, structure))

    token = services.hand_over(
        receipt.registration_id, applicant(2, structure, first_name="Surnom", job_title="Autre")
    )

    registration = services.find_by_token(token)
    assert (registration.first_name, registration.job_title) == ("Surnom", "Autre")
    person = registration.person
    db.session.refresh(person)
    assert (person.first_name, person.job_title) == ("Sacha", "Chargée d'insertion")
    received = [m for m in mails_about(event.id) if m.purpose == "seat_received"]
    assert received[0].text_body.startswith("Bonjour Surnom,")


def test_a_known_address_costs_the_registration_no_extra_statement(app):
    """The person is read back in the statement that would have created them:
    registering under a known address runs as many statements as a new one."""
    from sqlalchemy import event as sa_event

    first, second = make_event(), make_event()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    services.register(make_event().id, applicant(1))
    db.session.expire_all()  # nothing loaded by the earlier call helps the next ones
    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        services.register(first.id, applicant(2))
        new_person = len(statements)
        statements.clear()
        services.register(second.id, applicant(1, first_name="Autre"))
        known_person = len(statements)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)

    assert known_person == new_person
