"""What registrants receive, put in the outbox by the same transaction as the
change: confirmations, waiting list, promotion, cancellation, hand-over, event
changes and cancellations, each with the calendar update it implies."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from icalendar import Calendar
from sqlalchemy import select

from instant_coorace.events import services as event_services
from instant_coorace.events.drafts import SessionDraft
from instant_coorace.events.models import Audience, EventFormat
from instant_coorace.extensions import db
from instant_coorace.mail.links import personalise
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.mail.rendering import render_all_pending, render_pending
from instant_coorace.mail.worker import deliver_due_mail
from instant_coorace.registrations import errors, services
from instant_coorace.registrations.models import Registration
from tests.builders import applicant, make_event, make_structure, webinar_draft
from tests.calendar_parsers import read_everywhere

LINK = re.compile(r"http://localhost/inscription/([A-Za-z0-9_-]{40,})")


def mails() -> list[OutgoingMail]:
    """The outbox once the worker has rendered and delivered what was due."""
    render_all_pending()
    deliver_due_mail()
    db.session.expire_all()
    return list(db.session.scalars(select(OutgoingMail).order_by(OutgoingMail.id)))


def as_sent(mail: OutgoingMail):
    """What the recipient gets: the stored mail with its links made real."""
    [sent] = personalise([mail])
    return sent


def calendar_of(mail: OutgoingMail) -> Calendar:
    return Calendar.from_ical(mail.calendar_text)


def attendees(mail: OutgoingMail) -> set[str]:
    return {
        str(vevent["ATTENDEE"]).lower().removeprefix("mailto:")
        for vevent in calendar_of(mail).walk("VEVENT")
    }


def sequence_of(mail: OutgoingMail) -> int:
    return int(calendar_of(mail).walk("VEVENT")[0]["SEQUENCE"])


def test_a_confirmed_registration_sends_an_invitation_with_a_working_link(app):
    event = make_event(event_format=EventFormat.ONLINE, visio_url="https://visio.example.org/x")
    receipt = services.register(event.id, applicant(1))
    [mail] = mails()
    assert mail.purpose == "registration_confirmed"
    assert mail.to_email == "personne1@adherent.example.org"
    assert mail.subject.startswith("Inscription confirmée : L'Instant Coorace")
    assert calendar_of(mail)["METHOD"] == "REQUEST"
    assert attendees(mail) == {"personne1@adherent.example.org"}
    # The mail's card carries the personal tracked join link, not the raw visio URL.
    assert "https://visio.example.org/x" not in mail.text_body
    assert "/j/" in as_sent(mail).text_body
    assert not LINK.search(mail.text_body + mail.html_body + mail.calendar_text)
    token = LINK.search(as_sent(mail).text_body).group(1)
    assert token == receipt.token
    assert LINK.search(as_sent(mail).html_body).group(1) == token


def test_the_waiting_list_is_told_its_place_without_an_invitation(app):
    event = make_event(
        capacity=1, event_format=EventFormat.ONLINE, visio_url="https://v.example.org"
    )
    services.register(event.id, applicant(1))
    services.register(event.id, applicant(2))
    waiting = mails()[1]
    assert waiting.purpose == "registration_waitlisted"
    assert waiting.calendar_text is None
    assert "position 1" in waiting.text_body
    assert "https://v.example.org" not in waiting.text_body


def test_cancelling_removes_the_entry_and_promotes_the_first_in_line(app):
    event = make_event(capacity=1)
    first = services.register(event.id, applicant(1))
    services.register(event.id, applicant(2))
    confirmed, _waiting = mails()  # delivered before the change, as the worker would
    services.cancel(first.registration_id)
    _, _, cancelled, promoted = mails()
    assert cancelled.purpose == "registration_cancelled"
    assert calendar_of(cancelled)["METHOD"] == "CANCEL"
    assert sequence_of(cancelled) > sequence_of(confirmed)
    assert (
        calendar_of(cancelled).walk("VEVENT")[0]["UID"]
        == (calendar_of(confirmed).walk("VEVENT")[0]["UID"])
    )
    assert promoted.purpose == "registration_promoted"
    assert promoted.to_email == "personne2@adherent.example.org"
    assert calendar_of(promoted)["METHOD"] == "REQUEST"


def test_a_seat_handed_over_moves_the_calendar_entry_to_the_colleague(app):
    event = make_event()
    structure = make_structure()
    receipt = services.register(event.id, applicant(1, structure))
    mails()  # the invitation is delivered before the hand-over
    new_token = services.hand_over(receipt.registration_id, applicant(2, structure))
    _confirmed, handed_over, received = mails()
    assert handed_over.to_email == "personne1@adherent.example.org"
    assert calendar_of(handed_over)["METHOD"] == "CANCEL"
    assert attendees(handed_over) == {"personne1@adherent.example.org"}
    assert "Martin 2" in handed_over.text_body
    assert not LINK.search(as_sent(handed_over).text_body)
    assert received.to_email == "personne2@adherent.example.org"
    assert calendar_of(received)["METHOD"] == "REQUEST"
    assert LINK.search(as_sent(received).text_body).group(1) == new_token


def test_a_new_time_updates_every_calendar_in_place(app):
    event_id = event_services.create_event(webinar_draft())
    event_services.publish(event_id)
    services.register(event_id, applicant(1))
    services.register(event_id, applicant(2))
    invitation, _waiting = mails()  # delivered before the change, as the worker would
    session_id = db.session.scalars(select(Registration)).first().event.sessions[0].id
    moved = (SessionDraft(dt.date(2031, 4, 3), dt.time(14), dt.time(15, 30), "", session_id),)
    event_services.update_event(event_id, webinar_draft(sessions=moved))

    _, _, changed_confirmed, changed_waiting = mails()
    assert changed_confirmed.purpose == changed_waiting.purpose == "event_changed"
    old, new = (
        calendar_of(invitation).walk("VEVENT")[0],
        calendar_of(changed_confirmed).walk("VEVENT")[0],
    )
    assert new["UID"] == old["UID"]
    assert new["SEQUENCE"] > old["SEQUENCE"]
    assert new.decoded("DTSTART").hour == 14
    assert changed_waiting.calendar_text is None


def test_a_title_only_change_sends_nothing(app):
    event_id = event_services.create_event(webinar_draft())
    event_services.publish(event_id)
    services.register(event_id, applicant(1))
    session_id = db.session.scalars(select(Registration)).first().event.sessions[0].id
    same = (SessionDraft(dt.date(2031, 4, 3), dt.time(10), dt.time(11, 30), "", session_id),)
    event_services.update_event(event_id, webinar_draft(title="Nouveau titre", sessions=same))
    assert [m.purpose for m in mails()] == ["registration_confirmed"]


def test_cancelling_the_event_tells_everyone_and_clears_calendars(app):
    event = make_event(capacity=1)
    services.register(event.id, applicant(1))
    services.register(event.id, applicant(2))
    mails()  # the invitation is delivered before the cancellation
    event_services.cancel_event(event.id)
    cancelled = [m for m in mails() if m.purpose == "event_cancelled"]
    assert {m.to_email for m in cancelled} == {
        "personne1@adherent.example.org",
        "personne2@adherent.example.org",
    }
    methods = [m.calendar_text and calendar_of(m)["METHOD"] for m in cancelled]
    assert methods == ["CANCEL", None]


def test_a_refused_registration_sends_nothing(app):
    event = make_event(audience=Audience.MEMBERS)
    with pytest.raises(errors.AudienceRestricted):
        services.register(event.id, applicant(1, other_structure_name="Mairie"))
    assert mails() == []


def test_the_link_is_resent_at_most_once_an_hour(app):
    event = make_event()
    services.register(event.id, applicant(1))
    with time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as traveller:
        for _ in range(3):
            with pytest.raises(errors.AlreadyRegistered):
                services.register(event.id, applicant(1))
        traveller.shift(dt.timedelta(hours=1))
        with pytest.raises(errors.AlreadyRegistered):
            services.register(event.id, applicant(1))
    resent = [m for m in mails() if m.purpose == "link_resent"]
    assert len(resent) == 2
    assert LINK.search(as_sent(resent[0]).text_body)


def test_nothing_is_rendered_while_the_event_is_locked(app):
    event = make_event()
    services.register(event.id, applicant(1))
    [pending] = db.session.scalars(select(OutgoingMail)).all()
    assert pending.status is MailStatus.PENDING
    assert pending.subject == "" and pending.calendar_text is None
    assert pending.to_email == "personne1@adherent.example.org"


def test_an_invitation_to_a_seat_given_up_before_delivery_is_not_sent(app):
    event = make_event()
    receipt = services.register(event.id, applicant(1))
    services.cancel(receipt.registration_id)
    confirmed, cancelled = mails()
    assert confirmed.status is MailStatus.CANCELLED
    assert confirmed.calendar_text is None
    assert cancelled.status is MailStatus.SENT
    assert cancelled.calendar_text is None  # nothing to take off a calendar it never reached


def test_the_worker_turns_a_registration_into_an_eml_invitation(app, runner):
    from email import message_from_bytes, policy
    from pathlib import Path

    event = make_event()
    services.register(event.id, applicant(1))
    assert runner.invoke(args=["worker", "--once"]).exit_code == 0
    [eml] = (Path(app.instance_path) / "mail").glob("*registration_confirmed.eml")
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"].addresses[0].addr_spec == "personne1@adherent.example.org"
    calendar_part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert calendar_part.get_param("method") == "REQUEST"
    assert "ATTENDEE" in calendar_part.get_content()


def uid_of(mail: OutgoingMail) -> str:
    [vevent] = calendar_of(mail).walk("VEVENT")  # iTIP: one UID per message
    return str(vevent["UID"])


def test_a_training_of_four_half_days_sends_one_invitation_per_session(app):
    """iTIP wants one UID per REQUEST or CANCEL (RFC 5546, 3.2.2 and 3.2.5), and
    clients act on the first VEVENT only otherwise: the confirmation carries the
    first half-day, and each other half-day comes in its own message right after."""
    event = make_event("Formation ESS", sessions=4, event_format=EventFormat.IN_PERSON)
    receipt = services.register(event.id, applicant(1))

    confirmed, *others = mails()
    assert confirmed.purpose == "registration_confirmed"
    assert "celle-ci porte sur la première" in confirmed.text_body
    assert "3 autres suivent" in confirmed.text_body
    assert [mail.purpose for mail in others] == ["session_invitation"] * 3
    assert [mail.subject[:16] for mail in others] == ["Invitation 2/4 :"] + [
        f"Invitation {n}/4 :" for n in (3, 4)
    ]
    assert all(LINK.search(as_sent(mail).text_body) for mail in others)
    sessions = sorted(event.sessions, key=lambda session: session.starts_at)
    for mail, session in zip([confirmed, *others], sessions, strict=True):
        read = read_everywhere(mail.calendar_text.encode())
        assert read.method == "REQUEST"
        (entry,) = read.events
        assert entry.start == session.starts_at
        assert entry.attendees == ("mailto:personne1@adherent.example.org",)
    invited = [uid_of(mail) for mail in (confirmed, *others)]
    assert len(set(invited)) == 4

    services.cancel(receipt.registration_id)
    cancellations = mails()[4:]
    assert [mail.purpose for mail in cancellations] == ["registration_cancelled"] + [
        "session_invitation"
    ] * 3
    assert [calendar_of(mail)["METHOD"] for mail in cancellations] == ["CANCEL"] * 4
    assert [uid_of(mail) for mail in cancellations] == invited
    assert cancellations[1].subject.startswith("Retrait de l'agenda 2/4 : Formation ESS")


def test_an_invitation_to_a_session_deleted_before_sending_is_not_sent(app):
    event = make_event(sessions=2)
    services.register(event.id, applicant(1))
    render_pending()  # the confirmation is rendered; the second session's invitation waits
    _first, second = sorted(event.sessions, key=lambda session: session.starts_at)
    db.session.delete(second)
    db.session.commit()
    render_all_pending()
    db.session.expire_all()
    statuses = [mail.status for mail in db.session.scalars(select(OutgoingMail))]
    assert statuses == [MailStatus.QUEUED, MailStatus.CANCELLED]


def test_a_session_removed_from_an_event_is_cancelled_in_every_calendar(app):
    two_days = (
        SessionDraft(dt.date(2031, 4, 3), dt.time(9), dt.time(17), "Jour 1"),
        SessionDraft(dt.date(2031, 4, 4), dt.time(9), dt.time(17), "Jour 2"),
    )
    event_id = event_services.create_event(webinar_draft(sessions=two_days))
    event_services.publish(event_id)
    services.register(event_id, applicant(1))
    invitations = mails()
    first, _second = db.session.scalars(select(Registration)).one().event.sessions
    kept = (SessionDraft(dt.date(2031, 4, 3), dt.time(9), dt.time(17), "Jour 1", first.id),)
    event_services.update_event(event_id, webinar_draft(sessions=kept))

    [removed] = mails()[len(invitations) :]  # the day kept is unchanged: nothing to update
    uids = [uid_of(invitation) for invitation in invitations]
    [cancelled] = calendar_of(removed).walk("VEVENT")
    assert removed.purpose == "sessions_removed"
    assert calendar_of(removed)["METHOD"] == "CANCEL"
    assert str(cancelled["UID"]) == uids[1]
    assert cancelled["SEQUENCE"] > calendar_of(invitations[1]).walk("VEVENT")[0]["SEQUENCE"]
    assert cancelled.decoded("DTSTART").day == 4
    assert "vendredi 4 avril 2031" in removed.text_body
    read = read_everywhere(removed.calendar_text.encode())
    assert read.method == "CANCEL"
    assert [e.status for e in read.events] == ["CANCELLED"]
    assert read.events[0].attendees == ("mailto:personne1@adherent.example.org",)


def test_rendering_a_batch_reads_the_same_for_5_or_25_mails(app):
    """Each mail's rendered text is one UPDATE; what rendering reads must not grow."""
    from sqlalchemy import event as sa_event

    def statements_to_render(count: int) -> int:
        event = make_event(capacity=None, sessions=2)
        for number in range(count):
            services.register(event.id, applicant(f"{count}-{number}"))
        seen = []

        def note(_connection, _cursor, statement, *_):
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append(statement)

        sa_event.listen(db.engine, "before_cursor_execute", note)
        try:
            assert render_pending() == count
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", note)
        render_all_pending()  # the second sessions' invitations, queued by that pass
        return len(seen)

    assert statements_to_render(5) == statements_to_render(25)
