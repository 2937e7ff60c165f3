"""Small builders for test data, written straight to the database."""

from __future__ import annotations

import datetime as dt
import itertools

from instant_coorace.database import utcnow
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
