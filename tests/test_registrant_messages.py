"""The team writes to an event's registrants, through the outbox."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from instant_coorace.extensions import db
from instant_coorace.mail.links import personalise
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.mail.rendering import render_pending
from instant_coorace.registrations import services
from tests.builders import applicant, make_event


def staff_messages() -> list[OutgoingMail]:
    render_pending()
    return list(
        db.session.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.purpose == "staff_message")
            .order_by(OutgoingMail.id)
        )
    )


def page(staff_client, event) -> str:
    return unescape(
        staff_client.get(f"/gestion/evenements/{event.id}/ecrire").get_data(as_text=True)
    )


def send_key(html: str) -> str:
    return re.search(r'name="send_key"[^>]*value="([0-9a-f]+)"', html).group(1)


def event_with_a_waiting_list():
    event = make_event(capacity=2)
    for number in range(3):
        services.register(event.id, applicant(number))
    return event


def test_writing_to_the_waiting_list_reaches_only_it_with_each_personal_link(app, staff_client):
    event = event_with_a_waiting_list()
    html = page(staff_client, event)
    assert "La liste d'attente (1)" in html
    response = staff_client.post(
        f"/gestion/evenements/{event.id}/ecrire",
        data={
            "recipients": "waitlisted",
            "subject": "Une place pourrait se libérer",
            "body": "Merci de votre **patience**.",
            "send_key": send_key(html),
        },
        follow_redirects=True,
    )
    assert "Message mis en file d'envoi pour 1 personne." in unescape(
        response.get_data(as_text=True)
    )
    [mail] = staff_messages()
    assert mail.to_email == "personne2@adherent.example.org"
    assert mail.subject == "Une place pourrait se libérer"
    assert "<strong>patience</strong>" in mail.html_body
    assert "http://localhost/inscription/" not in mail.text_body
    assert "http://localhost/inscription/" in personalise([mail])[0].text_body


def test_the_same_form_sent_twice_is_sent_once(app, staff_client):
    event = event_with_a_waiting_list()
    data = {
        "recipients": "all",
        "subject": "Programme",
        "body": "Le programme est en ligne.",
        "send_key": send_key(page(staff_client, event)),
    }
    staff_client.post(f"/gestion/evenements/{event.id}/ecrire", data=data)
    again = staff_client.post(
        f"/gestion/evenements/{event.id}/ecrire", data=data, follow_redirects=True
    )
    assert "déjà été envoyé" in again.get_data(as_text=True)
    assert len(staff_messages()) == 3


def test_a_subject_on_two_lines_is_sent_on_one_line(app, staff_client):
    """No line break reaches the mail's headers: the subject is one line at the form."""
    event = event_with_a_waiting_list()
    response = staff_client.post(
        f"/gestion/evenements/{event.id}/ecrire",
        data={
            "recipients": "all",
            "subject": "Objet\r\nBcc: x@evil.example",
            "body": "Texte conservé",
            "send_key": "abc123",
        },
    )
    assert response.status_code == 302
    subjects = [mail.subject for mail in staff_messages()]
    assert len(subjects) == 3
    assert all("Objet Bcc: x@evil.example" in subject for subject in subjects)
    assert not any("\r" in subject or "\n" in subject for subject in subjects)


def test_writing_to_registrants_is_for_the_team_only(client, app):
    event = make_event()
    response = client.get(f"/gestion/evenements/{event.id}/ecrire")
    assert response.status_code == 302
    assert "/gestion/connexion" in response.headers["Location"]
