"""Anonymisation once the retention period announced on the form has passed:
what identifies someone goes, what the year's figures count stays."""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import func, select

from instant_coorace.extensions import db
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.mail.worker import run_jobs
from instant_coorace.members.models import Person
from instant_coorace.privacy import retention
from instant_coorace.registrations import services
from instant_coorace.registrations.models import Registration, RegistrationStatus
from tests.builders import applicant, make_event, make_structure

YEARS = 3  # the default DATA_RETENTION_YEARS


def after_retention(event, days: int = 1) -> dt.datetime:
    return retention.retention_cutoff(event.ends_at, -YEARS) + dt.timedelta(days=days)


def figures() -> list[tuple]:
    """What the yearly figures count: registrations by event, status and structure."""
    rows = db.session.execute(
        select(
            Registration.event_id,
            Registration.status,
            Registration.structure_id,
            Registration.structure_name,
            func.count(),
        ).group_by(
            Registration.event_id,
            Registration.status,
            Registration.structure_id,
            Registration.structure_name,
        )
    )
    return sorted(tuple(row) for row in rows)


def test_people_are_anonymised_once_their_last_event_is_past_the_period(client):
    structure = make_structure("ACI Garonne")
    event = make_event(capacity=1)
    first = services.register(event.id, applicant(1, structure, needs="Fauteuil roulant"))
    services.register(event.id, applicant(2, other_structure_name="Asso du Lot"))
    figures_before = figures()
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 2

    outcome = retention.anonymise_expired(after_retention(event))

    assert (outcome.people, outcome.registrations, outcome.mails) == (2, 2, 2)
    db.session.expire_all()
    people = db.session.scalars(select(Person).order_by(Person.id)).all()
    for person in people:
        assert person.email == f"anonyme-{person.id}@anonyme.invalid"
        assert person.full_name == "Personne anonymisée"
        assert person.job_title == "" and person.anonymised_at is not None
    registration = db.session.get(Registration, first.registration_id)
    assert registration.status is RegistrationStatus.CONFIRMED
    assert registration.needs == "" and registration.job_title == ""
    assert figures() == figures_before
    assert db.session.scalar(select(func.count()).select_from(OutgoingMail)) == 0
    assert client.get(f"/inscription/{first.token}").status_code == 404
    assert retention.anonymise_expired(after_retention(event, days=30)).people == 0


def test_nobody_is_anonymised_before_the_period_ends(app):
    event = make_event()
    receipt = services.register(event.id, applicant(1))

    outcome = retention.anonymise_expired(after_retention(event, days=-1))

    assert outcome.people == 0
    person = db.session.scalars(select(Person)).one()
    assert person.email == "personne1@adherent.example.org" and person.anonymised_at is None
    assert db.session.get(Registration, receipt.registration_id).job_title == "Chargée d'insertion"


def test_a_later_event_keeps_the_person(app):
    old = make_event("Atelier de rentrée")
    later = make_event("Journée régionale", starts_in=dt.timedelta(days=800))
    services.register(old.id, applicant(1))
    services.register(later.id, applicant(1))

    assert retention.anonymise_expired(after_retention(old)).people == 0
    assert retention.anonymise_expired(after_retention(later)).people == 1


def test_an_anonymised_address_can_register_again_as_someone_new(app):
    old = make_event("Atelier de rentrée")
    services.register(old.id, applicant(1))
    retention.anonymise_expired(after_retention(old))
    new = make_event("Atelier suivant")

    receipt = services.register(new.id, applicant(1))

    assert receipt.status is RegistrationStatus.CONFIRMED
    emails = db.session.scalars(select(Person.email).order_by(Person.id)).all()
    assert emails[1] == "personne1@adherent.example.org"
    assert emails[0].endswith("@anonyme.invalid")


def test_the_worker_anonymises_at_most_hourly(app, monkeypatch):
    early = make_event("Atelier de rentrée")
    later = make_event("Journée régionale", starts_in=dt.timedelta(days=400))
    services.register(early.id, applicant(1))
    services.register(later.id, applicant(2))
    monkeypatch.setattr(retention, "_schedule", retention._Schedule())

    def anonymised() -> int:
        return db.session.scalar(select(func.count(Person.anonymised_at)))

    with time_machine.travel(after_retention(early), tick=False):
        run_jobs()
        assert anonymised() == 1
        # A shorter period makes the later event's registrant due at once...
        app.config["DATA_RETENTION_YEARS"] = 1
        run_jobs()
        assert anonymised() == 1  # ... but the worker looked less than an hour ago
        retention._schedule.next_check = 0  # the hour has passed
        run_jobs()
        assert anonymised() == 2


def test_the_command_anonymises_on_demand(app, runner):
    services.register(make_event().id, applicant(1))
    result = runner.invoke(args=["privacy", "anonymise"])
    assert result.exit_code == 0, result.output
    assert "Conservation : 3 ans après le dernier événement." in result.output
    assert "0 personne(s) anonymisée(s)" in result.output
