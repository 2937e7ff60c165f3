"""Small builders for test data, written straight to the database."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

from instant_coorace.database import utcnow
from instant_coorace.events.drafts import EventDraft, SessionDraft
from instant_coorace.events.models import (
    Audience,
    Event,
    EventFormat,
    EventKind,
    EventSession,
    EventStatus,
)
from instant_coorace.extensions import db
from instant_coorace.members.models import Membership, Structure, StructureKind
from instant_coorace.registrations.services import Applicant
from instant_coorace.staff.models import StaffRole, StaffUser

_counter = itertools.count(1)


def make_structure(
    name: str | None = None,
    *,
    membership: Membership = Membership.MEMBER,
    department: str = "31",
    kinds: tuple[StructureKind, ...] = (StructureKind.ACI,),
    active: bool = True,
) -> Structure:
    structure = Structure(
        name=name or f"Structure {next(_counter)}",
        membership=membership,
        department=department,
        active=active,
    )
    structure.kinds = list(kinds)
    db.session.add(structure)
    db.session.commit()
    return structure


def make_event(
    title: str = "L'Instant Coorace",
    *,
    kind: EventKind = EventKind.INSTANT_COORACE,
    capacity: int | None = 50,
    seats_per_structure: int | None = None,
    audience: Audience = Audience.MEMBERS_AND_PARTNERS,
    event_format: EventFormat = EventFormat.ONLINE,
    status: EventStatus = EventStatus.PUBLISHED,
    starts_in: dt.timedelta = dt.timedelta(days=14),
    duration: dt.timedelta = dt.timedelta(hours=1, minutes=30),
    sessions: int = 1,
    department: str = "",
    **fields,
) -> Event:
    number = next(_counter)
    event = Event(
        kind=kind,
        title=title,
        slug=fields.pop("slug", f"evenement-{number}"),
        capacity=capacity,
        seats_per_structure=seats_per_structure,
        audience=audience,
        format=event_format,
        status=status,
        department=department,
        **fields,
    )
    start = (utcnow() + starts_in).replace(minute=0, second=0, microsecond=0)
    for index in range(sessions):
        session_start = start + dt.timedelta(days=index // 2, hours=4 * (index % 2))
        event.sessions.append(
            EventSession(starts_at=session_start, ends_at=session_start + duration)
        )
    event.refresh_time_span()
    db.session.add(event)
    db.session.commit()
    return event


def applicant(number: int | str = 1, structure: Structure | None = None, **fields) -> Applicant:
    values = {
        "email": f"personne{number}@adherent.example.org",
        "first_name": "Camille",
        "last_name": f"Martin {number}",
        "job_title": "Chargée d'insertion",
        "structure_id": structure.id if structure else None,
    }
    return Applicant(**(values | fields))


def make_staff(email: str, password: str, role: StaffRole = StaffRole.TEAM) -> StaffUser:
    user = StaffUser(email=email, role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    return user


SAMPLE_CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Coorace Occitanie//Instant Coorace//FR\r\n"
    "METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:session-1@coorace-occitanie.example.org\r\n"
    "DTSTAMP:20260101T090000Z\r\nDTSTART:20260115T090000Z\r\nDTEND:20260115T103000Z\r\n"
    "SEQUENCE:0\r\nSUMMARY:L'Instant Coorace\\, édition d'hiver ☕\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)
"""A minimal invitation, enough for the outbox and the MIME tree."""


def queue_mail(number: int | str = 1, *, commit: bool = True, **fields):
    """Put one mail in the outbox (with an invitation unless ``calendar=None``)."""
    from instant_coorace.mail import outbox

    values = {
        "purpose": "registration_confirmed",
        "dedup_key": f"registration_confirmed:{number}:0",
        "recipient": outbox.Recipient(f"personne{number}@adherent.example.org", "Élodie Dupré"),
        "subject": "Inscription confirmée : L'Instant Coorace",
        "text_body": "Bonjour Élodie,\n\nVotre inscription est confirmée. À bientôt !\n",
        "html_body": "<p>Bonjour Élodie,</p><p>Votre inscription est confirmée. À bientôt !</p>",
        "calendar": outbox.CalendarAttachment(SAMPLE_CALENDAR),
    }
    mail = outbox.enqueue(**(values | fields))
    if commit:
        db.session.commit()
    return mail


def make_events_in_bulk(count: int, *, series_ids: list[int] | None = None) -> list[Event]:
    """``count`` published upcoming events, one per day, every third one with two
    sessions and a programme, every other one in a series (taken in turn from
    ``series_ids``), all written in one commit."""
    from instant_coorace.events.models import ProgrammeItem

    events = []
    for index in range(count):
        number = next(_counter)
        start = (utcnow() + dt.timedelta(days=2 + index)).replace(
            hour=8, minute=0, second=0, microsecond=0
        )
        event = Event(
            kind=list(EventKind)[index % len(EventKind)],
            title=f"Événement {number}",
            slug=f"evenement-en-nombre-{number}",
            capacity=40,
            audience=Audience.MEMBERS_AND_PARTNERS,
            format=list(EventFormat)[index % len(EventFormat)],
            status=EventStatus.PUBLISHED,
            department=("31", "34", "")[index % 3],
            series_id=series_ids[index // 2 % len(series_ids)]
            if series_ids and index % 2
            else None,
        )
        for half_day in range(2 if index % 3 == 0 else 1):
            session_start = start + dt.timedelta(hours=5 * half_day)
            event.sessions.append(
                EventSession(starts_at=session_start, ends_at=session_start + dt.timedelta(hours=3))
            )
        if index % 3 == 0:
            event.programme = [
                ProgrammeItem(position=1, time_label="9 h", title="Accueil"),
                ProgrammeItem(position=2, time_label="9 h 30", title="Échanges"),
            ]
        event.refresh_time_span()
        events.append(event)
    db.session.add_all(events)
    db.session.commit()
    return events


def register_in_bulk(event_ids: list[int], count: int, structure_ids: list[int]) -> None:
    """``count`` registrations spread evenly over ``event_ids``, each by a new person
    (some without a structure), 70 % confirmed, 20 % waitlisted, 10 % cancelled.

    Two bulk INSERTs, bypassing the service's rules: for volume tests only.
    """
    import secrets

    from sqlalchemy import select

    from instant_coorace.members.models import Person
    from instant_coorace.registrations.models import (
        Registration,
        RegistrationSource,
        RegistrationStatus,
    )

    people = []
    for index in range(count):
        number = next(_counter)
        structure_id = structure_ids[index % len(structure_ids)] if index % 7 else None
        people.append(
            {
                "email": f"foule{number}@adherent.example.org",
                "first_name": "Alex",
                "last_name": f"Durand {number}",
                "job_title": "Accompagnatrice socioprofessionnelle",
                "structure_id": structure_id,
                "other_structure_name": "" if structure_id else f"Partenaire {number}",
            }
        )
    _insert_rows(Person, people)
    id_by_email = {email: id_ for email, id_ in db.session.execute(select(Person.email, Person.id))}
    person_ids = [id_by_email[person["email"]] for person in people]
    rows, per_event = [], dict.fromkeys(event_ids, 0)
    for index, (person, person_id) in enumerate(zip(people, person_ids, strict=True)):
        event_id = event_ids[index % len(event_ids)]
        rank = per_event[event_id] = per_event[event_id] + 1
        status = (
            RegistrationStatus.CONFIRMED
            if rank % 10 < 7
            else RegistrationStatus.WAITLISTED
            if rank % 10 < 9
            else RegistrationStatus.CANCELLED
        )
        rows.append(
            {
                "event_id": event_id,
                "person_id": person_id,
                "first_name": person["first_name"],
                "last_name": person["last_name"],
                "structure_id": person["structure_id"],
                "structure_name": person["other_structure_name"],
                "job_title": person["job_title"],
                "status": status,
                "waitlist_position": rank if status is RegistrationStatus.WAITLISTED else None,
                "token_nonce": secrets.token_hex(16),
                "token_hash": secrets.token_hex(32),
                "source": RegistrationSource.PUBLIC_FORM,
                "confirmed_at": utcnow() if status is RegistrationStatus.CONFIRMED else None,
                "cancelled_at": utcnow() if status is RegistrationStatus.CANCELLED else None,
            }
        )
    _insert_rows(Registration, rows)
    db.session.commit()


def _insert_rows(model, rows: list[dict]) -> None:
    """One Core executemany: much faster than the ORM's bulk path on psycopg."""
    from sqlalchemy import insert

    db.session.execute(insert(model.__table__), rows)


def webinar_draft(**changes) -> EventDraft:
    """An online, public « Instant Coorace » of one seat on 3 April 2031, 10:00 to 11:30."""
    draft = EventDraft(
        kind=EventKind.INSTANT_COORACE,
        title="L'Instant Coorace d'avril",
        audience=Audience.PUBLIC,
        format=EventFormat.ONLINE,
        visio_url="https://visio.example.org/instant",
        capacity=1,
        sessions=(SessionDraft(dt.date(2031, 4, 3), dt.time(10), dt.time(11, 30)),),
    )
    return dataclasses.replace(draft, **changes)
