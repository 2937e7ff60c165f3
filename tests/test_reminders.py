"""Automatic reminders: J-7, J-1 and H-1 at the right moment, whatever the clocks
do, only to confirmed seats held by then, once per schedule, never late."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from instant_coorace.events import services as event_services
from instant_coorace.events.models import EventFormat
from instant_coorace.extensions import db
from instant_coorace.formatting import PARIS
from instant_coorace.invitations.models import Unsubscription
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration
from instant_coorace.reminders.scan import queue_due_reminders
from instant_coorace.reminders.schedule import ReminderKind, reminder_due
from tests.builders import applicant
from tests.reminder_helpers import event_on, kept, move, paris, reminders, scan

J7, J1, H1 = (kind.value for kind in ReminderKind)
A, B = "personne1@adherent.example.org", "personne2@adherent.example.org"

# The last Sundays of March and October 2025 and 2026, when clocks change.
CLOCK_CHANGES = [
    dt.date(2025, 3, 30),
    dt.date(2025, 10, 26),
    dt.date(2026, 3, 29),
    dt.date(2026, 10, 25),
]


@pytest.mark.parametrize("day", CLOCK_CHANGES, ids=str)
def test_reminders_keep_the_paris_time_of_the_start_across_a_clock_change(day):
    start = paris(day.year, day.month, day.day, 10)
    before = day - dt.timedelta(days=1)
    week = day - dt.timedelta(days=7)

    assert reminder_due(ReminderKind.DAY_BEFORE, start) == paris(
        before.year, before.month, before.day, 10
    )
    assert reminder_due(ReminderKind.WEEK_BEFORE, start) == paris(
        week.year, week.month, week.day, 10
    )
    assert reminder_due(ReminderKind.HOUR_BEFORE, start).astimezone(PARIS).hour == 9
    # The day before is 23 or 25 hours before: a fixed 24 h would be wrong.
    assert start - reminder_due(ReminderKind.DAY_BEFORE, start) != dt.timedelta(hours=24)


@pytest.mark.parametrize("day", CLOCK_CHANGES, ids=str)
def test_the_day_before_reminder_leaves_at_10_h_paris_time_the_day_before(app, day):
    before = day - dt.timedelta(days=1)
    with time_machine.travel(paris(day.year, day.month, day.day - 10, 12), tick=False) as clock:
        event_id = event_on(day, 10)
        services.register(event_id, applicant(1))
        clock.move_to(paris(before.year, before.month, before.day, 9, 59))
        scan()
        assert (J1, A) not in kept(event_id)
        clock.move_to(paris(before.year, before.month, before.day, 10))
        scan()
        assert kept(event_id).count((J1, A)) == 1


def test_every_kind_is_sent_once_at_its_time(app):
    day = dt.date(2031, 4, 3)
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(day, 10)
        services.register(event_id, applicant(1))
        for moment in (paris(2031, 3, 27, 10), paris(2031, 4, 2, 10), paris(2031, 4, 3, 9)):
            clock.move_to(moment)
            scan()
            scan()
            clock.shift(dt.timedelta(minutes=5))
            scan()
    assert kept(event_id) == [(J7, A), (J1, A), (H1, A)]


def test_an_in_person_event_has_no_hour_before_reminder(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(
            dt.date(2031, 4, 3), 10, event_format=EventFormat.IN_PERSON, venue_name="Salle 1"
        )
        services.register(event_id, applicant(1))
        clock.move_to(paris(2031, 4, 2, 10))
        scan()
        clock.move_to(paris(2031, 4, 3, 9, 5))
        scan()
    assert [sent.purpose for sent in reminders(event_id)] == [J1]


def test_moving_the_event_reschedules_its_reminders(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10)
        services.register(event_id, applicant(1))
        clock.move_to(paris(2031, 3, 31, 12))
        move(event_id, dt.date(2031, 4, 10), 14)
        clock.move_to(paris(2031, 4, 2, 10, 5))
        scan()
        assert kept(event_id) == []  # the old J-1 is not sent
        clock.move_to(paris(2031, 4, 9, 14))
        scan()
        assert kept(event_id) == [(J1, A)]
        # Moved again once its J-1 left: the new schedule has a J-1 of its own.
        clock.move_to(paris(2031, 4, 9, 15))
        move(event_id, dt.date(2031, 4, 17), 14)
        clock.move_to(paris(2031, 4, 16, 14))
        scan()
        assert kept(event_id) == [(J1, A), (J1, A)]


def test_a_change_of_place_only_does_not_send_a_reminder_again(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10, event_format=EventFormat.HYBRID)
        services.register(event_id, applicant(1))
        clock.move_to(paris(2031, 4, 2, 10))
        scan()
        clock.shift(dt.timedelta(minutes=2))
        move(event_id, dt.date(2031, 4, 3), 10)  # same start, a new end: a new SEQUENCE
        clock.shift(dt.timedelta(minutes=2))
        scan()
    assert kept(event_id) == [(J1, A)]


def test_an_event_moved_twice_in_a_minute_sends_for_its_final_schedule_only(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 10), 10)
        services.register(event_id, applicant(1))
        clock.move_to(paris(2031, 4, 2, 10))
        move(event_id, dt.date(2031, 4, 3), 10)  # a slip: its J-1 is due right now
        clock.shift(dt.timedelta(seconds=10))
        scan()
        clock.shift(dt.timedelta(seconds=30))
        move(event_id, dt.date(2031, 4, 3), 11)  # corrected within the minute
        for _ in range(4):
            clock.shift(dt.timedelta(seconds=20))
            scan()
        assert kept(event_id) == []
        clock.move_to(paris(2031, 4, 2, 11))
        scan()
    [sent] = [s for s in reminders(event_id) if s.status != "cancelled"]
    assert (sent.purpose, sent.email) == (J1, A)
    keys = db.session.scalars(db.select(OutgoingMail.dedup_key).where(OutgoingMail.purpose == J1))
    assert [key.rsplit(":", 1)[1] for key in keys] == ["20310402T0900Z"]  # 11 h, Paris


def test_someone_who_registers_after_a_reminder_gets_only_those_ahead(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10)
        services.register(event_id, applicant(1))
        clock.move_to(paris(2031, 4, 2, 10))
        scan()
        clock.move_to(paris(2031, 4, 2, 10, 10))  # within the grace window of J-1
        services.register(event_id, applicant(2))
        scan()
        clock.move_to(paris(2031, 4, 3, 9))
        scan()
    assert sorted(kept(event_id)) == sorted([(J1, A), (H1, A), (H1, B)])


def test_no_reminder_goes_to_a_cancelled_seat_or_a_cancelled_event(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10)
        services.register(event_id, applicant(1))
        services.register(event_id, applicant(2))
        second = db.session.scalar(db.select(Registration.id).order_by(Registration.id.desc()))
        clock.move_to(paris(2031, 3, 30, 12))
        services.cancel(second)
        clock.move_to(paris(2031, 4, 2, 10))
        scan()
        assert kept(event_id) == [(J1, A)]
        clock.move_to(paris(2031, 4, 2, 12))
        event_services.cancel_event(event_id)
        clock.move_to(paris(2031, 4, 3, 9))
        scan()
    assert kept(event_id) == [(J1, A)]


def test_a_reminder_queued_for_a_seat_given_up_before_sending_is_not_sent(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10)
        registration_id = services.register(event_id, applicant(1)).registration_id
        clock.move_to(paris(2031, 4, 2, 10))
        assert queue_due_reminders() == 1
        services.cancel(registration_id)
        scan()
    [sent] = reminders(event_id)
    assert sent.status == "cancelled"


def test_the_waiting_list_gets_nothing_and_a_promoted_person_gets_what_is_ahead(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10, capacity=1)
        first = services.register(event_id, applicant(1)).registration_id
        services.register(event_id, applicant(2))  # waiting list
        clock.move_to(paris(2031, 3, 27, 10))
        scan()
        assert kept(event_id) == [(J7, A)]
        clock.move_to(paris(2031, 3, 30, 12))
        services.cancel(first)  # B is promoted
        clock.move_to(paris(2031, 4, 2, 10))
        scan()
    assert kept(event_id) == [(J7, A), (J1, B)]


def test_a_reminder_found_after_the_grace_window_is_dropped_and_shown_as_such(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10)
        services.register(event_id, applicant(1))
        services.register(event_id, applicant(2))
        clock.move_to(paris(2031, 4, 2, 10, 31))  # the worker was down for 31 minutes
        scan()
        scan()
        clock.move_to(paris(2031, 4, 3, 9, 30))  # H-1 is 30 minutes late: still sent
        scan()
    j1 = [sent for sent in reminders(event_id) if sent.purpose == J1]
    assert [sent.status for sent in j1] == ["cancelled", "cancelled"]
    assert all(sent.reason.startswith("Abandonné") for sent in j1)
    assert "31 min" in j1[0].reason
    assert sorted(kept(event_id)) == [(H1, A), (H1, B)]


def test_the_grace_window_is_a_setting(make_app):
    app = make_app(REMINDER_GRACE_MINUTES=60)
    with app.app_context():
        from tests.conftest import _reset_schema

        _reset_schema()
        with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
            event_id = event_on(dt.date(2031, 4, 3), 10)
            services.register(event_id, applicant(1))
            clock.move_to(paris(2031, 4, 2, 10, 45))
            scan()
        assert kept(event_id) == [(J1, A)]
        db.session.remove()
        db.engine.dispose()


def test_reminders_are_transactional_and_reach_unsubscribed_addresses(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 3), 10)
        services.register(event_id, applicant(1))
        db.session.add(Unsubscription(email=A))
        db.session.commit()
        clock.move_to(paris(2031, 4, 2, 10))
        scan()
    assert kept(event_id) == [(J1, A)]


def test_an_event_moved_to_tomorrow_reports_no_missed_reminder(app):
    with time_machine.travel(paris(2031, 3, 20, 12), tick=False) as clock:
        event_id = event_on(dt.date(2031, 4, 10), 10)
        services.register(event_id, applicant(1))
        clock.move_to(paris(2031, 4, 2, 15))
        move(event_id, dt.date(2031, 4, 3), 10)  # its J-1 would have been 5 hours ago
        clock.shift(dt.timedelta(minutes=2))
        scan()
        clock.move_to(paris(2031, 4, 3, 9))
        scan()
    assert [(s.purpose, s.status) for s in reminders(event_id)] == [(H1, "sent")]
