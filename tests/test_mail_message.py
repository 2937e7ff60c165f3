"""What a recipient's mail client receives: headers, MIME tree, invitation."""

from __future__ import annotations

import email
import email.policy

import pytest

from instant_coorace.mail import outbox
from instant_coorace.mail.message import as_wire_bytes, build_message, calendar_method, parse_sender
from instant_coorace.mail.models import CalendarMethod, OutgoingMail
from tests.builders import SAMPLE_CALENDAR

SENDER = parse_sender("Coorace Occitanie <evenements@coorace-occitanie.example.org>")


def mail(**fields) -> OutgoingMail:
    values = {
        "dedup_key": "registration_confirmed:1:0",
        "to_email": "elodie@adherent.example.org",
        "to_name": "Élodie Dupré 🎉",
        "subject": "Inscription confirmée : « Atelier » à Montpellier 🎉",
        "text_body": "Bonjour Élodie,\nÀ bientôt.\n",
        "html_body": "<p>Bonjour Élodie,</p>",
        "calendar_text": SAMPLE_CALENDAR,
        "attachment_filename": "invitation.ics",
    }
    return OutgoingMail(**(values | fields))


def received(message) -> email.message.EmailMessage:
    """The message as a client parses it from the wire."""
    return email.message_from_bytes(as_wire_bytes(message), policy=email.policy.default)


def tree(part) -> list:
    if part.is_multipart():
        return [part.get_content_type(), [tree(child) for child in part.iter_parts()]]
    return part.get_content_type()


def test_invitation_has_the_mime_tree_calendar_clients_expect():
    message = received(build_message(mail(), SENDER))
    assert tree(message) == [
        "multipart/mixed",
        [
            ["multipart/alternative", ["text/plain", "text/html", "text/calendar"]],
            "application/ics",
        ],
    ]
    inline = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
    assert inline.get_param("method") == "REQUEST"
    assert inline.get_param("charset") == "UTF-8"
    assert inline.get_content() == SAMPLE_CALENDAR
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "invitation.ics"
    assert attachment.get_content() == SAMPLE_CALENDAR.encode()


def test_method_parameter_follows_the_calendar_not_the_caller():
    cancel = SAMPLE_CALENDAR.replace("METHOD:REQUEST", "METHOD:CANCEL")
    message = received(build_message(mail(calendar_text=cancel, calendar_method="REQUEST"), SENDER))
    inline = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
    assert inline.get_param("method") == "CANCEL"


def test_headers_carry_accents_and_emoji_intact():
    message = received(build_message(mail(), SENDER))
    assert message["Subject"] == "Inscription confirmée : « Atelier » à Montpellier 🎉"
    assert message["To"].addresses[0].display_name == "Élodie Dupré 🎉"
    assert message["To"].addresses[0].addr_spec == "elodie@adherent.example.org"
    assert message["From"].addresses[0].display_name == "Coorace Occitanie"
    assert message.get_body(("plain",)).get_content().splitlines() == [
        "Bonjour Élodie,",
        "À bientôt.",
    ]
    assert message["Message-ID"].endswith("@coorace-occitanie.example.org>")


def test_a_line_break_in_a_name_or_subject_cannot_add_a_header_or_recipient():
    message = received(
        build_message(
            mail(
                to_name="Eve\r\nBcc: x@evil.example",
                subject="Bonjour\r\nBcc: y@evil.example\nX-Injected: oui",
            ),
            SENDER,
        )
    )
    assert message["Bcc"] is None
    assert message["X-Injected"] is None
    assert len(message["To"].addresses) == 1
    assert message["To"].addresses[0].addr_spec == "elodie@adherent.example.org"
    assert message["To"].addresses[0].display_name == "Eve Bcc: x@evil.example"
    assert "\n" not in message["Subject"]


def test_a_plain_mail_without_calendar_or_html_is_a_single_text_part():
    message = received(build_message(mail(html_body="", calendar_text=None), SENDER))
    assert tree(message) == "text/plain"


def test_the_same_mail_keeps_its_message_id_across_attempts():
    first, second = build_message(mail(), SENDER), build_message(mail(), SENDER)
    assert first["Message-ID"] == second["Message-ID"]
    other = build_message(mail(dedup_key="registration_confirmed:2:0"), SENDER)
    assert other["Message-ID"] != first["Message-ID"]


@pytest.mark.parametrize(
    ("calendar", "method"),
    [
        (SAMPLE_CALENDAR, CalendarMethod.REQUEST),
        (SAMPLE_CALENDAR.replace("METHOD:REQUEST", "METHOD:cancel"), CalendarMethod.CANCEL),
    ],
)
def test_calendar_method_is_read_from_the_method_line(calendar, method):
    assert calendar_method(calendar) is method


@pytest.mark.parametrize(
    "calendar",
    [
        SAMPLE_CALENDAR.replace("METHOD:REQUEST\r\n", ""),
        SAMPLE_CALENDAR.replace("METHOD:REQUEST", "METHOD:REQUEST\r\nMETHOD:CANCEL"),
        SAMPLE_CALENDAR.replace("METHOD:REQUEST", "METHOD:REPLY"),
    ],
)
def test_calendar_without_one_known_method_is_refused(calendar):
    with pytest.raises(ValueError):
        calendar_method(calendar)


def test_recipient_dataclass_is_what_callers_pass():
    assert outbox.Recipient("a@b.example").name == ""
