"""A small year whose figures are known by hand, for the figures tests.

2025 (and one 2024 webinar, to compare with):

- Formation « Marchés publics », in person, 10 March, two sessions of 3.5 h;
  attendance taken: Alice (for ACI Toulouse) at both, Bob (ACI Toulouse) at
  the first only, Chloé (Lozère) marked absent; Dan waitlisted, Fay cancelled.
- Webinar, online, 5 June, 1.5 h, attendance NOT taken: Alice, now for the
  GES in Ariège; Eve (no structure in the directory); Fay, on site.
- Regional day, in person, 20 November, 7 h; attendance taken: Dan (partner,
  Paris), Chloé (Lozère), Gil (Tarn, department only in the postcode), present.
- Not counted: a cancelled workshop with Chloé registered, a draft, an event
  without any session.
- Bob is anonymised after the year.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from instant_coorace.attendance.models import AttendanceSource, AttendanceStatus, SessionAttendance
from instant_coorace.events.models import (
    Event,
    EventFormat,
    EventKind,
    EventSession,
    EventStatus,
)
from instant_coorace.extensions import db
from instant_coorace.formatting import paris_datetime
from instant_coorace.members import services as member_services
from instant_coorace.members.models import Membership, Person, Structure, StructureKind
from instant_coorace.privacy.retention import anonymise
from instant_coorace.registrations.models import (
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from instant_coorace.registrations.tokens import issue_token
from tests.builders import make_structure

LOZERE_IMPORT = (
    "nom;types;departement;adresse;code_postal;ville;telephone;email;remarque\r\n"
    "Les Ateliers de Mende;ETTI;48;1 boulevard Théophile Roussel;4800;MENDE;;;\r\n"
)


@dataclasses.dataclass
class Year:
    structures: dict[str, Structure]
    people: dict[str, Person]
    events: dict[str, Event]


def _event(title, kind, fmt, day, slots, status=EventStatus.PUBLISHED) -> Event:
    event = Event(
        kind=kind,
        title=title,
        slug=title.lower().replace(" ", "-"),
        format=fmt,
        status=status,
    )
    for (start_h, start_m), (end_h, end_m) in slots:
        event.sessions.append(
            EventSession(
                starts_at=paris_datetime(day, start_h, start_m),
                ends_at=paris_datetime(day, end_h, end_m),
            )
        )
    event.refresh_time_span()
    db.session.add(event)
    return event


def _register(event, person, structure, status=RegistrationStatus.CONFIRMED, **fields):
    registration = Registration(
        event=event,
        person=person,
        first_name=person.first_name,
        last_name=person.last_name,
        structure_id=structure.id if structure else None,
        structure_name="" if structure else "Association hors annuaire",
        status=status,
        source=fields.pop("source", RegistrationSource.PUBLIC_FORM),
        waitlist_position=1 if status is RegistrationStatus.WAITLISTED else None,
    )
    issue_token(registration)
    db.session.add(registration)
    return registration


def _attend(registration, session, status=AttendanceStatus.PRESENT):
    db.session.add(
        SessionAttendance(
            registration=registration,
            session=session,
            status=status,
            source=AttendanceSource.SIGNATURE,
        )
    )


def build_year() -> Year:
    member_services.import_structures_from_csv(LOZERE_IMPORT)
    lozere = db.session.query(Structure).filter_by(name="Les Ateliers de Mende").one()
    toulouse = make_structure("ACI Toulouse", department="31")
    ariege = make_structure(
        "GES Ariège",
        department="09",
        kinds=(StructureKind.AI, StructureKind.ACI, StructureKind.GES),
    )
    partner = make_structure("Partenaire parisien", membership=Membership.PARTNER, department="75")
    never = make_structure("Jamais venue", department="34", kinds=(StructureKind.EI,))
    nowhere = make_structure("Sans département", department="", kinds=(StructureKind.AI,))
    tarn = make_structure("EI du Tarn", department="", kinds=(StructureKind.EI,))
    tarn.postcode = "81000"
    make_structure("Fermée", department="31", active=False)

    def person(first, structure):
        p = Person(
            email=f"{first.lower()}@example.org",
            first_name=first,
            last_name="Test",
            structure_id=structure.id if structure else None,
        )
        db.session.add(p)
        return p

    alice, bob = person("Alice", ariege), person("Bob", toulouse)
    chloe, dan = person("Chloe", lozere), person("Dan", partner)
    eve, fay, gil = person("Eve", None), person("Fay", nowhere), person("Gil", tarn)

    training = _event(
        "Marchés publics",
        EventKind.FORMATION,
        EventFormat.IN_PERSON,
        dt.date(2025, 3, 10),
        [((9, 0), (12, 30)), ((13, 30), (17, 0))],
    )
    webinar = _event(
        "Webinaire juin",
        EventKind.WEBINAIRE,
        EventFormat.ONLINE,
        dt.date(2025, 6, 5),
        [((10, 0), (11, 30))],
    )
    day = _event(
        "Journée régionale",
        EventKind.JOURNEE,
        EventFormat.IN_PERSON,
        dt.date(2025, 11, 20),
        [((9, 30), (16, 30))],
    )
    cancelled = _event(
        "Atelier annulé",
        EventKind.ATELIER_COLLECTIF,
        EventFormat.IN_PERSON,
        dt.date(2025, 4, 1),
        [((9, 0), (12, 0))],
        status=EventStatus.CANCELLED,
    )
    _event(
        "Brouillon",
        EventKind.FORMATION,
        EventFormat.IN_PERSON,
        dt.date(2025, 5, 1),
        [((9, 0), (12, 0))],
        status=EventStatus.DRAFT,
    )
    _event("Sans séance", EventKind.COLLECTIF, EventFormat.ONLINE, dt.date(2025, 1, 1), [])
    last_year = _event(
        "Webinaire 2024",
        EventKind.WEBINAIRE,
        EventFormat.ONLINE,
        dt.date(2024, 5, 2),
        [((10, 0), (11, 30))],
    )
    db.session.flush()

    morning, afternoon = training.sessions
    a = _register(training, alice, toulouse)
    _attend(a, morning)
    _attend(a, afternoon)
    b = _register(training, bob, toulouse)
    _attend(b, morning)
    c = _register(training, chloe, lozere)
    _attend(c, morning, AttendanceStatus.ABSENT)
    _register(training, dan, partner, RegistrationStatus.WAITLISTED)
    _register(training, fay, nowhere, RegistrationStatus.CANCELLED)

    _register(webinar, alice, ariege)
    _register(webinar, eve, None)
    _register(webinar, fay, nowhere, source=RegistrationSource.ON_SITE)

    (slot,) = day.sessions
    for someone, structure in ((dan, partner), (chloe, lozere), (gil, tarn)):
        _attend(_register(day, someone, structure), slot)

    _register(cancelled, chloe, lozere)
    _register(last_year, alice, toulouse)
    db.session.commit()
    anonymise([bob.id])
    db.session.expire_all()
    return Year(
        structures={
            "toulouse": toulouse,
            "ariege": ariege,
            "lozere": lozere,
            "partner": partner,
            "never": never,
            "nowhere": nowhere,
            "tarn": tarn,
        },
        people={"alice": alice, "bob": bob},
        events={"training": training, "webinar": webinar, "day": day},
    )
