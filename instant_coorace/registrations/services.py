"""The rules of registering: capacity, seats per structure, waiting list.

Every function that changes registrations runs in one transaction that holds the
event's lock (``lock_event``), so two people can never take the last seat.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import func, or_, select

from instant_coorace.addresses import stored_email
from instant_coorace.database import utcnow
from instant_coorace.events.models import Audience, Event, EventStatus
from instant_coorace.extensions import db
from instant_coorace.locking import EventTerms, event_transaction, placement_transaction
from instant_coorace.members.models import Membership, Person, Structure, full_name
from instant_coorace.registrations import errors, notifications, placement
from instant_coorace.registrations.models import (
    ACTIVE_STATUSES,
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from instant_coorace.registrations.tokens import Link, hash_token, issue_token, new_link
from instant_coorace.registrations.window import availability


@dataclasses.dataclass(frozen=True)
class Applicant:
    """What a person tells about themselves when registering."""

    email: str
    first_name: str
    last_name: str
    job_title: str = ""
    structure_id: int | None = None
    other_structure_name: str = ""
    needs: str = ""


@dataclasses.dataclass(frozen=True)
class Details:
    """Who a person says they are, changed from their personal link."""

    first_name: str
    last_name: str
    job_title: str = ""
    structure_id: int | None = None
    other_structure_name: str = ""


@dataclasses.dataclass(frozen=True)
class Receipt:
    """The outcome of a registration; ``token`` is the only copy of the personal link."""

    registration_id: int
    status: RegistrationStatus
    token: str
    #: Waitlisted because the seats of the applicant's structure are taken.
    structure_seats_taken: bool = False


def register(
    event: int | str,
    applicant: Applicant,
    source: RegistrationSource = RegistrationSource.PUBLIC_FORM,
) -> Receipt:
    """Register ``applicant`` to ``event`` (its id, or the slug of its public page):
    a confirmed seat if one is free, else the waiting list.

    Staff registrations skip the opening window and the audience rule, not capacity;
    walk-ins (``ON_SITE``) skip capacity too, and get no mail: they are in the room.
    Someone already registered through the public form (or an invitation's) gets
    their link again by email (at most hourly) and ``AlreadyRegistered``. The
    registration keeps what the applicant gave; a person already known keeps
    their record as it is (only they, from their personal link, or the team
    change it).
    """
    # Everything that needs no lock comes first: every moment under it delays the
    # next registrant (see placement.py).
    structure = _resolve_structure(applicant.structure_id)
    email = stored_email(applicant.email)
    link = new_link()
    with placement_transaction(event) as locked:
        if locked is None or (
            locked.status is EventStatus.DRAFT and source is not RegistrationSource.STAFF
        ):
            raise errors.EventNotFound()
        if source not in (RegistrationSource.STAFF, RegistrationSource.ON_SITE):
            _check_open(locked)
            _check_audience(locked, structure)
        elif locked.status is EventStatus.CANCELLED:
            raise errors.EventCancelled()
        situation = placement.read_situation(locked.id, email, structure.id if structure else None)
        already = situation.registration_status in ACTIVE_STATUSES
        if not already:
            registration_id, status = _place(
                locked, applicant, email, structure, source, situation, link
            )
            structure_seats_taken = situation.structure_seats_taken(locked, structure is not None)
        elif source in (RegistrationSource.PUBLIC_FORM, RegistrationSource.INVITATION):
            registration = db.session.get(Registration, situation.registration_id)
            notifications.link_resent(registration, utcnow().strftime("%Y%m%d%H"))
    if already:
        raise errors.AlreadyRegistered(situation.registration_id)
    return Receipt(registration_id, status, link.token, structure_seats_taken)


def _place(
    event: EventTerms,
    applicant: Applicant,
    email: str,
    structure: StructureChoice | None,
    source: RegistrationSource,
    situation: placement.Situation,
    link: Link,
) -> tuple[int, RegistrationStatus]:
    """A seat or a place in line for ``applicant`` (an earlier, cancelled
    registration of theirs is reused); returns the registration's id and status."""
    declaration = _declaration(applicant, structure)
    person_id = placement.person_id_for(email, declaration)
    # Someone checked in at the door is in the room: a seat, whatever the capacity.
    has_seat = source is RegistrationSource.ON_SITE or situation.has_seat(
        event, structure is not None
    )
    status = RegistrationStatus.CONFIRMED if has_seat else RegistrationStatus.WAITLISTED
    registration_id = placement.save_registration(
        event.id,
        situation.registration_id,
        {
            "person_id": person_id,
            "source": source,
            "first_name": declaration["first_name"],
            "last_name": declaration["last_name"],
            "structure_id": declaration["structure_id"],
            "structure_name": declaration["other_structure_name"],
            "job_title": declaration["job_title"],
            "needs": applicant.needs.strip(),
            "status": status,
            "waitlist_position": None if has_seat else situation.last_waitlist_position + 1,
            "token_nonce": link.nonce,
            "token_hash": link.token_hash,
            "confirmed_at": utcnow() if has_seat else None,
            "cancelled_at": None,
        },
    )
    # A walk-in is already in the room: no confirmation or invitation to send.
    if source is not RegistrationSource.ON_SITE:
        name = full_name(declaration["first_name"], declaration["last_name"])
        addressee = notifications.Addressee(person_id, email, name)
        notifications.registration_placed(registration_id, event.id, status, link.nonce, addressee)
    return registration_id, status


def find_by_token(token: str) -> Registration:
    registration = db.session.scalars(
        select(Registration).where(Registration.token_hash == hash_token(token))
    ).one_or_none()
    if registration is None:
        raise errors.RegistrationNotFound()
    return registration


def cancel(registration_id: int) -> list[int]:
    """Cancel a registration and give its seat to the first in line.

    Returns the ids of the registrations promoted from the waiting list.
    """
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise errors.RegistrationNotFound()
    with event_transaction(registration.event_id) as event:
        registration = db.session.get(Registration, registration_id, populate_existing=True)
        if registration.status is RegistrationStatus.CANCELLED:
            raise errors.NotCancellable()
        was_confirmed = registration.status is RegistrationStatus.CONFIRMED
        registration.status = RegistrationStatus.CANCELLED
        registration.waitlist_position = None
        registration.cancelled_at = utcnow()
        if was_confirmed:
            # The CANCEL must outrank the REQUEST the person holds (calendar/ics.py).
            event.calendar_sequence += 1
        db.session.flush()
        notifications.cancelled(registration, was_confirmed)
        return [r.id for r in fill_free_seats(event)]


def hand_over(registration_id: int, colleague: Applicant) -> str:
    """Give a registration to a colleague, who becomes the registrant.

    The registration takes what was given of the colleague; a colleague already
    known keeps their own record. Returns the colleague's new personal token;
    the previous link stops working.
    """
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise errors.RegistrationNotFound()
    structure = _resolve_structure(colleague.structure_id)
    with event_transaction(registration.event_id) as event:
        registration = db.session.get(Registration, registration_id, populate_existing=True)
        if registration.status not in ACTIVE_STATUSES:
            raise errors.NotCancellable("Une inscription annulée ne peut pas être transmise.")
        _check_audience(event, structure)
        known = _person_by_email(colleague.email)
        existing = _registration_of(event, known) if known else None
        person = known or _new_person(colleague, structure)
        if existing is not None and existing.status in ACTIVE_STATUSES:
            raise errors.AlreadyRegistered(existing.id)
        if (
            registration.status is RegistrationStatus.CONFIRMED
            and structure is not None
            and structure.id != registration.structure_id
            and not _structure_has_seat(event, structure.id)
        ):
            raise errors.StructureQuotaReached()
        if existing is not None:
            db.session.delete(existing)
            db.session.flush()
        previous = registration.registrant
        token = issue_token(registration)
        registration.person = person
        _give_details(registration, _declaration(colleague, structure))
        registration.needs = colleague.needs.strip()
        if registration.status is RegistrationStatus.CONFIRMED:
            event.calendar_sequence += 1
        db.session.flush()
        notifications.seat_handed_over(registration, previous)
        return token


def update_details(registration_id: int, details: Details) -> None:
    """The registrant corrects who they are, from their personal link.

    Their own record and this registration take ``details``; their other
    registrations to events not over yet take the new name and job title. The
    structure changes here only, under the event's lock (the audience and the
    seats per structure apply): every other registration's seat was counted on
    the structure given for it. Past registrations keep what was given for them.
    """
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise errors.RegistrationNotFound()
    structure = _resolve_structure(details.structure_id)
    declaration = _declaration(details, structure)
    with event_transaction(registration.event_id) as event:
        registration = db.session.get(Registration, registration_id, populate_existing=True)
        if registration.status not in ACTIVE_STATUSES:
            raise errors.NotCancellable("Une inscription annulée ne peut plus être modifiée.")
        _check_audience(event, structure)
        moves = declaration["structure_id"] != registration.structure_id
        if (
            moves
            and registration.status is RegistrationStatus.CONFIRMED
            and structure is not None
            and not _structure_has_seat(event, structure.id)
        ):
            raise errors.StructureQuotaReached()
        for name, value in declaration.items():
            setattr(registration.person, name, value)
        _give_details(registration, declaration)
        for upcoming in _upcoming_registrations(registration):
            upcoming.first_name = registration.first_name
            upcoming.last_name = registration.last_name
            upcoming.job_title = registration.job_title
        db.session.flush()
        if moves:
            fill_free_seats(event)


def _upcoming_registrations(registration: Registration) -> list[Registration]:
    """The person's other active registrations to events not over yet."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(Event, Event.id == Registration.event_id)
            .where(
                Registration.person_id == registration.person_id,
                Registration.id != registration.id,
                Registration.status.in_(ACTIVE_STATUSES),
                or_(Event.ends_at.is_(None), Event.ends_at > utcnow()),
            )
        )
    )


def promote(registration_id: int) -> None:
    """Staff decision: confirm one waitlisted person now, even beyond capacity."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise errors.RegistrationNotFound()
    with event_transaction(registration.event_id):
        registration = db.session.get(Registration, registration_id, populate_existing=True)
        if registration.status is not RegistrationStatus.WAITLISTED:
            raise errors.RegistrationError("Cette personne n'est pas sur la liste d'attente.")
        _confirm(registration)
        notifications.promoted(registration)


def fill_free_seats(event: Event) -> list[Registration]:
    """Confirm waitlisted people in order while seats are free.

    Must run inside a transaction holding ``lock_event(event.id)``. Someone whose
    structure has used its seats keeps their place in line and is skipped.
    """
    if event.status is not EventStatus.PUBLISHED:
        return []
    free = None if event.capacity is None else event.capacity - _confirmed_count(event.id)
    if free is not None and free <= 0:
        return []
    per_structure = _confirmed_per_structure(event.id)
    promoted = []
    for registration in db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(Registration.waitlist_position, Registration.id)
    ):
        if free is not None and free <= 0:
            break
        sid = registration.structure_id
        if event.seats_per_structure is not None and sid is not None:
            if per_structure.get(sid, 0) >= event.seats_per_structure:
                continue
            per_structure[sid] = per_structure.get(sid, 0) + 1
        _confirm(registration)
        notifications.promoted(registration)
        promoted.append(registration)
        if free is not None:
            free -= 1
    return promoted


def seat_counts(event_ids: Iterable[int]) -> dict[int, dict[RegistrationStatus, int]]:
    """Registrations by status for many events, in one query."""
    ids = list(event_ids)
    counts: dict[int, dict[RegistrationStatus, int]] = {i: {} for i in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        select(Registration.event_id, Registration.status, func.count())
        .where(Registration.event_id.in_(ids))
        .group_by(Registration.event_id, Registration.status)
    )
    for event_id, status, count in rows:
        counts[event_id][status] = count
    return counts


def seats_left(event: Event, confirmed: int) -> int | None:
    """Free seats given the confirmed count; ``None`` when unlimited."""
    if event.capacity is None:
        return None
    return max(event.capacity - confirmed, 0)


def _check_open(event: EventTerms) -> None:
    refusal = availability(event, utcnow()).refusal
    if refusal is not None:
        raise refusal()


def _check_audience(event: Event | EventTerms, structure: StructureChoice | None) -> None:
    if event.audience is Audience.MEMBERS and (structure is None or not structure.is_member):
        raise errors.AudienceRestricted()


@dataclasses.dataclass(frozen=True)
class StructureChoice:
    """The directory structure a person named, as plain values (they outlive the
    transaction the event's lock starts)."""

    id: int
    is_member: bool


def _resolve_structure(structure_id: int | None) -> StructureChoice | None:
    if structure_id is None:
        return None
    row = db.session.execute(
        select(Structure.id, Structure.membership).where(
            Structure.id == structure_id, Structure.active
        )
    ).one_or_none()
    if row is None:
        raise errors.UnknownStructure()
    return StructureChoice(row.id, row.membership is Membership.MEMBER)


def _person_by_email(email: str) -> Person | None:
    return db.session.scalars(
        select(Person).where(Person.email == stored_email(email))
    ).one_or_none()


def _declaration(
    applicant: Applicant | Details, structure: StructureChoice | None
) -> dict[str, object]:
    """What a person declares about themselves (``placement.PERSON_DECLARATION``)."""
    return {
        "first_name": applicant.first_name.strip(),
        "last_name": applicant.last_name.strip(),
        "job_title": applicant.job_title.strip(),
        "structure_id": structure.id if structure else None,
        "other_structure_name": "" if structure else applicant.other_structure_name.strip(),
    }


def _new_person(applicant: Applicant, structure: StructureChoice | None) -> Person:
    person = Person(email=stored_email(applicant.email), **_declaration(applicant, structure))
    db.session.add(person)
    return person


def _give_details(registration: Registration, declaration: dict[str, object]) -> None:
    """What was declared, as this registration keeps it."""
    registration.first_name = declaration["first_name"]
    registration.last_name = declaration["last_name"]
    registration.job_title = declaration["job_title"]
    registration.structure_id = declaration["structure_id"]
    registration.structure_name = declaration["other_structure_name"]


def _registration_of(event: Event, person: Person) -> Registration | None:
    if person.id is None:
        return None
    return db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id, Registration.person_id == person.id
        )
    ).one_or_none()


def _structure_has_seat(event: Event, structure_id: int) -> bool:
    if event.seats_per_structure is None:
        return True
    taken = db.session.scalar(
        select(func.count()).where(
            Registration.event_id == event.id,
            Registration.structure_id == structure_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    return taken < event.seats_per_structure


def _confirmed_count(event_id: int) -> int:
    return db.session.scalar(
        select(func.count()).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


def _confirmed_per_structure(event_id: int) -> dict[int, int]:
    rows = db.session.execute(
        select(Registration.structure_id, func.count())
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.structure_id.is_not(None),
        )
        .group_by(Registration.structure_id)
    )
    return {structure_id: count for structure_id, count in rows}


def _confirm(registration: Registration) -> None:
    registration.status = RegistrationStatus.CONFIRMED
    registration.waitlist_position = None
    registration.confirmed_at = utcnow()
