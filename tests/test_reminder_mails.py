"""What a reminder and the follow-up say, as the worker writes them to .eml
files: the join link or the way in, the calendar invitation again, and the
follow-up only to those who came and did not unsubscribe."""

from __future__ import annotations

import datetime as dt
import re
from email import message_from_bytes, policy
from pathlib import Path

import time_machine

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.events.drafts import ProgrammeDraft
from instant_coorace.events.models import Event, EventFormat
from instant_coorace.extensions import db
from instant_coorace.invitations.models import Unsubscription
from instant_coorace.registrations import services
from instant_coorace.reminders import services as reminder_services
from instant_coorace.reminders.schedule import FOLLOW_UP, follow_up_due
from tests.builders import applicant
from tests.calendar_parsers import read_everywhere
from tests.reminder_helpers import event_on, kept, move, paris, scan

A, B, C = (f"personne{n}@adherent.example.org" for n in (1, 2, 3))


def emls(app, purpose: str) -> list:
    folder = Path(app.instance_path) / "mail"
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted(folder.glob(f"*{purpose}.eml"))
    ]


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def calendar_of(message) -> bytes:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    return part.get_payload(decode=True)


def test_the_day_before_reminder_of_a_webinar_carries_the_join_link_and_the_invitation(app, runner):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10)
        services.register(event_id, applicant(1))
        assert runner.invoke(args=["worker", "--once"]).exit_code == 0
        clock.move_to(paris(2031, 3, 25, 12))
        move(event_id, dt.date(2031, 4, 3), 10)  # a new end: SEQUENCE 1
        clock.move_to(paris(2031, 4, 2, 10))
        assert runner.invoke(args=["worker", "--once"]).exit_code == 0

    [confirmation] = emls(app, "registration_confirmed")
    [reminder] = emls(app, "reminder_day_before")
    assert reminder["Subject"].startswith("C'est demain : L'Instant Coorace d'avril")
    text = text_of(reminder)
    assert "jeudi 3 avril 2031 à 10 h" in text
    # The personal tracked join link, made real at delivery; never the raw visio URL.
    assert re.search(r"En visio : http://localhost/j/[A-Za-z0-9_-]{40,}", text)
    assert "https://visio.example.org/instant" not in text
    assert "http://localhost/inscription/" in text  # the personal link, made real
    [invitation] = read_everywhere(calendar_of(reminder)).events
    [first] = read_everywhere(calendar_of(confirmation)).events
    assert invitation.uid == first.uid
    assert invitation.start == paris(2031, 4, 3, 10)
    assert invitation.attendees == (f"mailto:{A}",)
    assert invitation.sequence == db.session.get(Event, event_id).calendar_sequence == 1


def test_an_in_person_reminder_gives_the_place_the_access_and_the_programme(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(
            dt.date(2031, 4, 3),
            10,
            event_format=EventFormat.IN_PERSON,
            visio_url="",
            venue_name="Maison de l'ESS",
            venue_address="12 rue des Tanneurs, Toulouse",
            programme=(ProgrammeDraft("Accueil café", "9 h 45"), ProgrammeDraft("Atelier")),
        )
        reminder_services.save_plan(
            event_id,
            reminder_services.PlanValues(
                week_before=False,
                day_before=True,
                hour_before=False,
                access_info="Tram B, arrêt Compans. Interphone « Coorace ».",
            ),
        )
        services.register(event_id, applicant(1))
        clock.move_to(paris(2031, 4, 2, 10))
        scan()
    [reminder] = emls(app, "reminder_day_before")
    text = text_of(reminder)
    assert "Maison de l'ESS, 12 rue des Tanneurs, Toulouse" in text
    assert "Tram B, arrêt Compans" in text
    assert "9 h 45 — Accueil café" in text
    assert "visio" not in text.lower()
    html = reminder.get_body(preferencelist=("html",)).get_content()
    assert "montrez ce QR code" in html
    assert re.search(r'<img src="http://localhost/presence/qr/[^"]+\.png"', html)


def test_a_reminder_turned_off_by_the_team_is_not_sent(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10)
        services.register(event_id, applicant(1))
        reminder_services.save_plan(
            event_id,
            reminder_services.PlanValues(week_before=True, day_before=False, hour_before=True),
        )
        clock.move_to(paris(2031, 4, 2, 10))
        scan()
        clock.move_to(paris(2031, 4, 3, 9))
        scan()
    assert [purpose for purpose, _ in kept(event_id)] == ["reminder_hour_before"]


def test_the_follow_up_waits_for_the_next_working_day_at_9_h():
    thursday_end = paris(2031, 4, 3, 11, 30)
    assert follow_up_due(thursday_end, None) == paris(2031, 4, 4, 9)
    good_friday_end = paris(2031, 4, 11, 17)  # Easter Monday is 14 April 2031
    assert follow_up_due(good_friday_end, None) == paris(2031, 4, 15, 9)
    assert follow_up_due(thursday_end, 2) == paris(2031, 4, 3, 13, 30)


def test_the_follow_up_goes_to_confirmed_registrants_except_the_unsubscribed(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10, capacity=3)
        for number in (1, 2, 3, 4):  # the fourth waits in line
            services.register(event_id, applicant(number))
        db.session.add(Unsubscription(email=C))
        db.session.commit()
        clock.move_to(paris(2031, 4, 4, 8, 59))
        scan()
        assert [p for p, _ in kept(event_id) if p == FOLLOW_UP] == []
        clock.move_to(paris(2031, 4, 4, 9))
        scan()
        scan()
    assert sorted(email for purpose, email in kept(event_id) if purpose == FOLLOW_UP) == [A, B]


def test_once_attendance_was_taken_the_follow_up_goes_to_those_present(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10)
        ids = [services.register(event_id, applicant(n)).registration_id for n in (1, 2, 3)]
        reminder_services.save_plan(
            event_id,
            reminder_services.PlanValues(
                week_before=False,
                day_before=False,
                hour_before=False,
                follow_up_message="Merci **à toutes et à tous** !",
                replay_url="https://replay.example.org/avril",
                survey_url="https://sondage.example.org/avril",
                follow_up_delay_hours=2,
            ),
        )
        [session] = db.session.get(Event, event_id).sessions
        for registration_id, status in zip(
            ids[:2], (AttendanceStatus.PRESENT, AttendanceStatus.ABSENT), strict=True
        ):
            db.session.add(
                SessionAttendance(
                    registration_id=registration_id,
                    session_id=session.id,
                    status=status,
                    source=AttendanceSource.STAFF,
                )
            )
        db.session.commit()
        clock.move_to(paris(2031, 4, 3, 13, 30))
        scan()
    assert [email for purpose, email in kept(event_id) if purpose == FOLLOW_UP] == [A]
    [follow_up] = emls(app, FOLLOW_UP)
    text = text_of(follow_up)
    assert "Merci **à toutes et à tous** !" in text
    assert "https://replay.example.org/avril" in text
    assert "https://sondage.example.org/avril" in text
    html = follow_up.get_body(preferencelist=("html",)).get_content()
    assert "<strong>à toutes et à tous</strong>" in html
    assert not any(p.get_content_type() == "text/calendar" for p in follow_up.walk())


def test_a_follow_up_turned_off_by_the_team_is_not_sent(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10)
        services.register(event_id, applicant(1))
        reminder_services.save_plan(
            event_id,
            reminder_services.PlanValues(
                week_before=False, day_before=False, hour_before=False, follow_up_enabled=False
            ),
        )
        clock.move_to(paris(2031, 4, 4, 9))
        scan()
    assert kept(event_id) == []


def test_a_title_with_markup_is_shown_as_text_in_the_reminder(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10, title="Atelier <b>RSE</b> & co")
        services.register(event_id, applicant(1))
        clock.move_to(paris(2031, 4, 2, 10))
        scan()
    [reminder] = emls(app, "reminder_day_before")
    html = reminder.get_body(preferencelist=("html",)).get_content()
    assert "<b>RSE</b>" not in html
    assert "Atelier &lt;b&gt;RSE&lt;/b&gt; &amp; co" in html
    assert "« Atelier <b>RSE</b> & co »" in text_of(reminder)


def test_the_follow_up_carries_a_one_click_unsubscribe_that_works(app, client):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10)
        services.register(event_id, applicant(1))
        clock.move_to(paris(2031, 4, 4, 9))
        scan()
    [follow_up] = emls(app, FOLLOW_UP)
    assert follow_up["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header = follow_up["List-Unsubscribe"].strip()
    link = re.fullmatch(r"<(http://localhost(/desabonnement/[^>]+))>", header)
    assert link and link.group(1) in text_of(follow_up)

    assert client.post(link.group(2), data={"List-Unsubscribe": "One-Click"}).status_code < 400
    db.session.expire_all()
    assert db.session.get(Unsubscription, 1).email == A
