"""Putting mail in the outbox: in the caller's transaction, once per key."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from instant_coorace.extensions import db
from instant_coorace.locking import event_transaction
from instant_coorace.mail import outbox
from instant_coorace.mail.models import CalendarMethod, MailStatus, OutgoingMail
from instant_coorace.members.models import Person
from tests.builders import SAMPLE_CALENDAR, make_event, queue_mail


def mail_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutgoingMail))


def test_mail_exists_only_if_the_change_that_causes_it_commits(app):
    event = make_event()
    with pytest.raises(RuntimeError), event_transaction(event.id):
        db.session.add(Person(email="camille@adherent.example.org", first_name="C", last_name="M"))
        queue_mail(1, commit=False, event_id=event.id)
        raise RuntimeError("the registration fails after the mail was queued")
    assert mail_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0

    with event_transaction(event.id):
        queue_mail(2, commit=False, event_id=event.id)
    assert mail_count() == 1


def test_enqueue_leaves_the_commit_to_the_caller(app):
    queue_mail(1, commit=False)
    db.session.rollback()
    assert mail_count() == 0


def test_a_second_enqueue_with_the_same_key_is_a_no_op(app):
    first = queue_mail(1)
    assert first is not None
    assert queue_mail(1, subject="Autre objet") is None
    mails = db.session.scalars(select(OutgoingMail)).all()
    assert [mail.subject for mail in mails] == ["Inscription confirmée : L'Instant Coorace"]


def test_a_duplicate_caught_by_the_unique_key_keeps_the_callers_change(app, monkeypatch):
    """Two transactions may both see the key free; the constraint decides, and the
    loser's own change (the registration) still commits without a second mail."""
    queue_mail(1)
    real_scalar = db.session.scalar
    monkeypatch.setattr(db.session, "scalar", lambda query: None)  # the check saw nothing
    db.session.add(Person(email="camille@adherent.example.org", first_name="C", last_name="M"))
    assert queue_mail(1, commit=False) is None
    db.session.commit()
    monkeypatch.setattr(db.session, "scalar", real_scalar)
    assert mail_count() == 1
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_queued_mail_is_frozen_with_its_calendar_method(app):
    mail = queue_mail(1, registration_id=None)
    assert mail.status is MailStatus.QUEUED
    assert mail.attempts == 0
    assert mail.calendar_text == SAMPLE_CALENDAR
    assert mail.calendar_method is CalendarMethod.REQUEST
    assert mail.attachment_filename == "invitation.ics"


def test_a_calendar_without_method_is_refused(app):
    with pytest.raises(ValueError):
        queue_mail(
            1, calendar=outbox.CalendarAttachment(SAMPLE_CALENDAR.replace("METHOD:REQUEST\r\n", ""))
        )


def test_mail_keys_tell_purposes_registrations_and_versions_apart():
    keys = {
        outbox.mail_key("registration_confirmed", 7, 0),
        outbox.mail_key("registration_confirmed", 8, 0),
        outbox.mail_key("event_changed", 7, 0),
        outbox.mail_key("event_changed", 7, 1),
    }
    assert len(keys) == 4
