"""Delivery through a real SMTP server (aiosmtpd), and to files without one."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
import time
from pathlib import Path

import time_machine
from sqlalchemy import select

from instant_coorace.database import utcnow
from instant_coorace.extensions import db
from instant_coorace.extensions import mail as mail_extension
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.mail.worker import deliver_due_mail
from tests.builders import SAMPLE_CALENDAR, queue_mail

pytest_plugins = ("tests.smtp_server",)


def reload(mail_id: int) -> OutgoingMail:
    db.session.rollback()  # a fresh read: outcomes are written on their own connection
    return db.session.get(OutgoingMail, mail_id)


def test_queued_mail_reaches_the_smtp_server_with_its_invitation(smtp_app, smtp_server):
    mail = queue_mail(1)
    assert deliver_due_mail() == 1

    [delivered] = smtp_server.received
    assert delivered.rcpt_tos == ["personne1@adherent.example.org"]
    assert delivered.mail_from == "evenements@coorace-occitanie.example.org"
    message = delivered.message
    assert message["Subject"] == "Inscription confirmée : L'Instant Coorace"
    assert message["To"].addresses[0].display_name == "Élodie Dupré"
    assert message.get_content_type() == "multipart/mixed"
    alternative = next(message.iter_parts())
    assert [part.get_content_type() for part in alternative.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    calendar = list(alternative.iter_parts())[-1]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content() == SAMPLE_CALENDAR
    assert "À bientôt" in message.get_body(("html",)).get_content()

    sent = reload(mail.id)
    assert sent.status is MailStatus.SENT
    assert sent.attempts == 1
    assert sent.sent_at is not None
    assert sent.leased_until is None


def test_one_connection_carries_a_whole_batch(smtp_app, smtp_server):
    for number in range(5):
        queue_mail(number)
    assert deliver_due_mail() == 5
    assert len(smtp_server.received) == 5
    assert smtp_server.sessions == 1


def test_mail_waits_while_smtp_is_down_then_goes_once(smtp_app, smtp_server):
    mail = queue_mail(1)
    smtp_server.stop()
    deliver_due_mail()

    waiting = reload(mail.id)
    assert waiting.status is MailStatus.QUEUED
    assert waiting.attempts == 1
    assert waiting.next_attempt_at > utcnow()
    assert "injoignable" in waiting.last_error
    assert deliver_due_mail() == 0  # not due yet

    smtp_server.start()
    with time_machine.travel(waiting.next_attempt_at + dt.timedelta(seconds=1)):
        assert deliver_due_mail() == 1
        assert deliver_due_mail() == 0
    assert len(smtp_server.received) == 1
    assert reload(mail.id).status is MailStatus.SENT
    assert reload(mail.id).attempts == 2


def test_a_server_that_accepts_and_never_greets_times_out_and_mail_waits(smtp_app):
    """A blackholed SMTP server (the TCP connection opens, no greeting ever comes)
    costs one timeout, not the worker: the mail waits for its next attempt."""
    silent = socket.create_server(("127.0.0.1", 0))
    smtp_app.config.update(MAIL_PORT=silent.getsockname()[1], MAIL_TIMEOUT_SECONDS=1)
    mail_extension.init_app(smtp_app)
    mail = queue_mail(1)
    try:
        started = time.monotonic()
        deliver_due_mail()
        waited = time.monotonic() - started
    finally:
        silent.close()

    assert waited < 5
    waiting = reload(mail.id)
    assert waiting.status is MailStatus.QUEUED
    assert waiting.attempts == 1
    assert waiting.last_error


def test_a_451_reply_is_retried_later_with_growing_delays(smtp_app, smtp_server):
    mail = queue_mail(1)
    smtp_server.fail_temporarily()
    deliver_due_mail()
    first = reload(mail.id)
    assert first.status is MailStatus.QUEUED
    assert first.last_error.startswith("451")
    first_delay = first.next_attempt_at - utcnow()

    with time_machine.travel(first.next_attempt_at + dt.timedelta(seconds=1), tick=False):
        deliver_due_mail()
        second = reload(mail.id)
        assert second.attempts == 2
        assert second.next_attempt_at - utcnow() > first_delay
    assert smtp_server.received == []


def test_temporary_failures_end_in_failure_after_the_attempt_limit(smtp_app, smtp_server):
    smtp_app.config["MAIL_MAX_ATTEMPTS"] = 3
    mail = queue_mail(1)
    smtp_server.fail_temporarily()
    for _ in range(3):
        with time_machine.travel(reload(mail.id).next_attempt_at + dt.timedelta(seconds=1)):
            deliver_due_mail()
    failed = reload(mail.id)
    assert failed.status is MailStatus.FAILED
    assert failed.attempts == 3
    assert "abandon après 3 tentatives" in failed.last_error


def test_a_refused_recipient_fails_at_once_with_the_servers_words(smtp_app, smtp_server):
    refused = queue_mail(1)
    accepted = queue_mail(2)
    smtp_server.refuse("personne1@adherent.example.org")
    assert deliver_due_mail() == 2

    failed = reload(refused.id)
    assert failed.status is MailStatus.FAILED
    assert failed.attempts == 1
    assert failed.last_error.startswith("550 5.1.1")
    assert "Recipient address rejected" in failed.last_error
    assert reload(accepted.id).status is MailStatus.SENT
    assert [m.rcpt_tos for m in smtp_server.received] == [["personne2@adherent.example.org"]]


def test_an_injection_attempt_reaches_only_its_one_recipient(smtp_app, smtp_server):
    from instant_coorace.mail.outbox import Recipient

    queue_mail(
        1,
        recipient=Recipient("eve@adherent.example.org", "Eve\r\nBcc: x@evil.example"),
        subject="Salut\r\nBcc: y@evil.example",
    )
    deliver_due_mail()
    [delivered] = smtp_server.received
    assert delivered.rcpt_tos == ["eve@adherent.example.org"]
    assert delivered.message["Bcc"] is None
    assert b"\r\nBcc:" not in delivered.data


def test_without_mail_server_mail_lands_as_eml_files(app):
    mail = queue_mail(1)
    queue_mail(2, calendar=None, html_body="")
    assert deliver_due_mail() == 2

    files = sorted((Path(app.instance_path) / "mail").iterdir())
    assert [p.suffix for p in files] == [".eml", ".eml"]
    assert files[0].name.endswith(f"-{mail.id}-registration_confirmed.eml")
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"].addresses[0].addr_spec == "personne1@adherent.example.org"
    assert next(message.iter_attachments()).get_filename() == "invitation.ics"
    assert all(m.status is MailStatus.SENT for m in db.session.scalars(select(OutgoingMail)))


def test_an_unusable_address_fails_without_reaching_the_server(smtp_app, smtp_server):
    from instant_coorace.mail.outbox import Recipient

    broken = queue_mail(1, recipient=Recipient("eve@x.example>, bcc@evil.example", "Eve"))
    fine = queue_mail(2)
    assert deliver_due_mail() == 2  # both handled, one sent
    failed = reload(broken.id)
    assert failed.status is MailStatus.FAILED
    assert failed.last_error.startswith("Message invalide")
    assert reload(fine.id).status is MailStatus.SENT
    assert [m.rcpt_tos for m in smtp_server.received] == [["personne2@adherent.example.org"]]
