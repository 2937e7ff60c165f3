"""`flask demo`, which `make run` calls on an empty database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventStatus
from instant_coorace.extensions import db
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
    assert len(upcoming) == 10
    assert all(event.status is EventStatus.PUBLISHED for event in upcoming)
    training = next(e for e in upcoming if len(e.sessions) == 4)
    assert training.ends_at - training.starts_at < dt.timedelta(days=2)
    assert count(Registration, Registration.status == RegistrationStatus.WAITLISTED) > 0
    emails = db.session.scalars(select(Person.email)).all()
    assert all(email.endswith("@example.org") for email in emails)

    before = count(Registration)
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0
    assert "déjà" in again.output
    assert count(Registration) == before
    assert runner.invoke(args=["demo"]).exit_code != 0
