"""The rules of registering, through the service layer."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from instant_coorace.database import utcnow
from instant_coorace.events.models import Audience, EventStatus
from instant_coorace.extensions import db
from instant_coorace.members.models import Membership, Person
from instant_coorace.registrations import errors, services
from instant_coorace.registrations.models import (
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from tests.builders import applicant, make_event, make_structure

CONFIRMED = RegistrationStatus.CONFIRMED
WAITLISTED = RegistrationStatus.WAITLISTED


def statuses(event_id: int) -> list[RegistrationStatus]:
    return [
        r.status
        for r in db.session.query(Registration)
        .filter_by(event_id=event_id)
        .order_by(Registration.id)
    ]


def test_registration_confirms_while_seats_are_free(app):
    event = make_event(capacity=2)
    receipts = [services.register(event.id, applicant(n)) for n in range(3)]
    assert [r.status for r in receipts] == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert all(len(r.token) >= 40 for r in receipts)


def test_only_the_token_hash_is_stored(app):
    event = make_event()
    receipt = services.register(event.id, applicant())
    stored = db.session.get(Registration, receipt.registration_id)
    assert receipt.token not in stored.token_hash
    assert services.find_by_token(receipt.token).id == receipt.registration_id


def test_registering_twice_says_already_registered_whatever_the_case(app):
    event = make_event()
    services.register(event.id, applicant(email="Camille@Adherent.example.org"))
    with pytest.raises(errors.AlreadyRegistered):
        services.register(event.id, applicant(email="camille@ADHERENT.example.org "))
    assert statuses(event.id) == [CONFIRMED]


def test_seats_per_structure_send_the_extra_colleague_to_the_waiting_list(app):
    event = make_event(capacity=10, seats_per_structure=2)
    structure = make_structure()
    results = [services.register(event.id, applicant(n, structure)).status for n in range(3)]
    other = services.register(event.id, applicant(9, make_structure())).status
    assert results == [CONFIRMED, CONFIRMED, WAITLISTED]
    assert other is CONFIRMED


def test_cancellation_promotes_the_first_in_line(app):
    event = make_event(capacity=1)
    first = services.register(event.id, applicant(1))
    second = services.register(event.id, applicant(2))
    third = services.register(event.id, applicant(3))
    promoted = services.cancel(first.registration_id)
    assert promoted == [second.registration_id]
    assert statuses(event.id) == [RegistrationStatus.CANCELLED, CONFIRMED, WAITLISTED]
    assert db.session.get(Registration, third.registration_id).waitlist_position is not None


def test_promotion_skips_a_structure_that_used_its_seats(app):
    event = make_event(capacity=2, seats_per_structure=1)
    full_structure = make_structure()
    services.register(event.id, applicant(1, full_structure))
    leaving = services.register(event.id, applicant(2))
    services.register(event.id, applicant(3, full_structure))
    fourth = services.register(event.id, applicant(4))
    assert services.cancel(leaving.registration_id) == [fourth.registration_id]


def test_cancelled_person_may_register_again(app):
    event = make_event()
    receipt = services.register(event.id, applicant())
    services.cancel(receipt.registration_id)
    again = services.register(event.id, applicant())
    assert again.registration_id == receipt.registration_id
    assert again.status is CONFIRMED
    with pytest.raises(errors.RegistrationNotFound):
        services.find_by_token(receipt.token)


def test_registering_again_when_full_rejoins_the_end_of_the_line_as_declared_now(app):
    event = make_event(capacity=1)
    first = services.register(event.id, applicant(1))
    services.register(event.id, applicant(2))
    services.register(event.id, applicant(3))
    services.cancel(first.registration_id)  # 2 takes the seat, 3 stays in line
    structure = make_structure()
    again = services.register(event.id, applicant(1, structure, job_title="Directrice"))
    row = db.session.get(Registration, again.registration_id, populate_existing=True)
    third = db.session.scalars(
        select(Registration).where(Registration.person.has(email="personne3@adherent.example.org"))
    ).one()
    assert again.registration_id == first.registration_id
    assert row.status is WAITLISTED
    assert row.waitlist_position > third.waitlist_position
    assert (row.structure_id, row.job_title, row.cancelled_at) == (structure.id, "Directrice", None)


def test_a_new_registration_keeps_its_own_name_and_never_rewrites_the_person(app):
    first_event, second_event = make_event(), make_event()
    services.register(first_event.id, applicant(1))
    second = services.register(second_event.id, applicant(1, last_name="Martin-Durand"))
    with pytest.raises(errors.AlreadyRegistered):
        services.register(second_event.id, applicant(1, last_name="Quelqu'un d'autre"))
    person = db.session.scalars(
        select(Person).where(Person.email == "personne1@adherent.example.org")
    ).one()
    db.session.refresh(person)
    assert person.last_name == "Martin 1"
    assert db.session.get(Registration, second.registration_id).last_name == "Martin-Durand"
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1


def test_members_only_event_refuses_partners_and_unlisted_structures(app):
    event = make_event(audience=Audience.MEMBERS)
    partner = make_structure(membership=Membership.PARTNER)
    with pytest.raises(errors.AudienceRestricted):
        services.register(event.id, applicant(1, partner))
    with pytest.raises(errors.AudienceRestricted):
        services.register(event.id, applicant(2, other_structure_name="Mairie"))
    assert statuses(event.id) == []


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"status": EventStatus.CANCELLED}, errors.EventCancelled),
        ({"status": EventStatus.DRAFT}, errors.EventNotFound),
        ({"registration_opens_at": utcnow() + dt.timedelta(days=1)}, errors.RegistrationNotOpenYet),
        ({"registration_closes_at": utcnow() - dt.timedelta(hours=1)}, errors.RegistrationClosed),
        ({"starts_in": -dt.timedelta(hours=1)}, errors.RegistrationClosed),
    ],
)
def test_registration_outside_its_window_is_refused(app, fields, error):
    event = make_event(**fields)
    with pytest.raises(error):
        services.register(event.id, applicant())
    assert statuses(event.id) == []


def test_staff_may_add_someone_after_registration_closed(app):
    event = make_event(registration_closes_at=utcnow() - dt.timedelta(days=1))
    receipt = services.register(event.id, applicant(), source=RegistrationSource.STAFF)
    assert receipt.status is CONFIRMED


def test_hand_over_makes_the_colleague_the_registrant(app):
    event = make_event()
    structure = make_structure()
    receipt = services.register(event.id, applicant(1, structure))
    token = services.hand_over(receipt.registration_id, applicant(2, structure))
    registration = services.find_by_token(token)
    assert registration.person.email == "personne2@adherent.example.org"
    assert registration.status is CONFIRMED
    with pytest.raises(errors.RegistrationNotFound):
        services.find_by_token(receipt.token)


def test_hand_over_to_someone_already_registered_is_refused(app):
    event = make_event()
    first = services.register(event.id, applicant(1))
    services.register(event.id, applicant(2))
    with pytest.raises(errors.AlreadyRegistered):
        services.hand_over(first.registration_id, applicant(2))
    assert services.find_by_token(first.token).person.email == "personne1@adherent.example.org"


def test_staff_promotion_confirms_beyond_capacity(app):
    event = make_event(capacity=1)
    services.register(event.id, applicant(1))
    waiting = services.register(event.id, applicant(2))
    services.promote(waiting.registration_id)
    assert statuses(event.id) == [CONFIRMED, CONFIRMED]


def test_seat_counts_group_every_event_in_one_answer(app):
    one, two = make_event(capacity=1), make_event()
    services.register(one.id, applicant(1))
    services.register(one.id, applicant(2))
    counts = services.seat_counts([one.id, two.id])
    assert counts == {one.id: {CONFIRMED: 1, WAITLISTED: 1}, two.id: {}}


def test_the_personal_link_can_be_rebuilt_for_a_later_email(app):
    from instant_coorace.registrations.tokens import management_token

    event = make_event()
    receipt = services.register(event.id, applicant())
    registration = db.session.get(Registration, receipt.registration_id)
    assert management_token(registration) == receipt.token
    assert receipt.token not in (registration.token_nonce, registration.token_hash)


def test_a_new_secret_key_reissues_the_link_instead_of_sending_a_dead_one(app):
    from instant_coorace.registrations.tokens import management_token

    event = make_event()
    receipt = services.register(event.id, applicant())
    registration = db.session.get(Registration, receipt.registration_id)
    app.config["SECRET_KEY"] = "rotated-secret"
    new_token = management_token(registration)
    db.session.commit()
    assert new_token != receipt.token
    assert services.find_by_token(new_token).id == receipt.registration_id
