"""`flask demo`, which `make run` calls on an empty database."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import time_machine
from sqlalchemy import func, select

from instant_coorace.database import utcnow
from instant_coorace.demo import reminders as reminder_demo
from instant_coorace.demo.upcoming import PROGRAMME, is_working_day
from instant_coorace.events.models import Event, EventKind, EventStatus
from instant_coorace.extensions import db
from instant_coorace.formatting import PARIS
from instant_coorace.invitations.models import CampaignRecipient
from instant_coorace.members.models import Person, Structure
from instant_coorace.registrations.models import Registration, RegistrationStatus


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_fills_an_empty_database_once_with_a_living_programme(runner):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "equipe@example.org" in result.output
    assert count(Structure) == 48  # 49 rows in the export, one listed twice
    now = utcnow()
    assert count(Event, Event.starts_at < now) == 23
    upcoming = db.session.scalars(select(Event).where(Event.starts_at >= now)).all()
    assert len(upcoming) == 11  # the programme, and the webinar reminded minutes after loading
    assert all(event.status is EventStatus.PUBLISHED for event in upcoming)
    training = next(e for e in upcoming if len(e.sessions) == 4)
    assert training.ends_at - training.starts_at < dt.timedelta(days=2)
    assert count(Registration, Registration.status == RegistrationStatus.WAITLISTED) > 0
    # One campaign sent, with follow-up figures to look at.
    assert count(CampaignRecipient, CampaignRecipient.opened_at.is_not(None)) > 0
    assert count(CampaignRecipient, CampaignRecipient.registration_id.is_not(None)) > 0
    emails = db.session.scalars(select(Person.email)).all()
    assert all(email.endswith("@example.org") for email in emails)

    before = count(Registration)
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0
    assert "déjà" in again.output
    assert count(Registration) == before
    assert runner.invoke(args=["demo"]).exit_code != 0


# Upcoming dates fall on working days, whatever day the demo is loaded ---------

MONDAY = dt.date(2027, 3, 1)
START_DAYS = [MONDAY + dt.timedelta(days=n) for n in range(7)]


@pytest.mark.parametrize("today", START_DAYS, ids=lambda day: day.strftime("%A"))
def test_upcoming_events_land_on_working_days_from_any_start_day(today):
    for spec in PROGRAMME:
        days = spec.days(today)
        assert all(is_working_day(day) for day in days), (spec.title, days)
        assert days[0] > today
        if spec.kind in (
            EventKind.INSTANT_COORACE,
            EventKind.WEBINAIRE,
            EventKind.ATELIER_COLLECTIF,
        ):
            assert days[0].isoweekday() in (2, 3, 4), (spec.title, days[0])
        assert sorted(set(days)) == [days[0] + dt.timedelta(days=n) for n in range(len(set(days)))]


def test_public_holidays_are_skipped():
    assert not is_working_day(dt.date(2027, 5, 6))  # Ascension Thursday
    assert not is_working_day(dt.date(2027, 7, 14))
    assert not is_working_day(dt.date(2027, 3, 29))  # Easter Monday
    assert is_working_day(dt.date(2027, 3, 30))
    workshop = next(spec for spec in PROGRAMME if spec.kind is EventKind.ATELIER_COLLECTIF)
    ascension = dataclasses.replace(workshop, days_from_today=0)
    assert ascension.days(dt.date(2027, 5, 6)) == [dt.date(2027, 5, 11)]  # next Tuesday


def test_demo_started_on_a_saturday_schedules_no_weekend_session(runner):
    with time_machine.travel(dt.datetime(2027, 3, 6, 11, tzinfo=PARIS), tick=False):
        assert runner.invoke(args=["demo"]).exit_code == 0
        upcoming = db.session.scalars(
            select(Event).where(Event.starts_at >= utcnow(), Event.title != reminder_demo.TITLE)
        ).all()
    assert len(upcoming) == 10
    for event in upcoming:
        for session in event.sessions:
            assert is_working_day(session.starts_at.astimezone(PARIS).date()), event.title
