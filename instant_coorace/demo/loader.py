"""Loading the demonstration data: the 2026 member directory, the 2025 events
with plausible registrations, and an upcoming programme.

Everything goes through the same services as real use, except the history of
2025, which is written as it happened (past dates, people who came).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from importlib import resources

from sqlalchemy import func, select

from instant_coorace.database import utcnow
from instant_coorace.demo import reminders
from instant_coorace.demo.attendance_2025 import record_attendance_2025
from instant_coorace.demo.calendar_2025 import PastEvent, read_calendar
from instant_coorace.demo.campaigns import load_demo_campaign
from instant_coorace.demo.people import DemoPerson, staff_of_structures
from instant_coorace.demo.series_followers import load_series_followers
from instant_coorace.demo.supports import load_demo_supports
from instant_coorace.demo.upcoming import PROGRAMME, UpcomingEvent
from instant_coorace.events import services as event_services
from instant_coorace.events.drafts import EventDraft, ProgrammeDraft, SessionDraft
from instant_coorace.events.models import Event, EventFormat, EventKind
from instant_coorace.extensions import db
from instant_coorace.formatting import PARIS
from instant_coorace.members import services as member_services
from instant_coorace.members.models import Person, Structure
from instant_coorace.registrations import services as registration_services
from instant_coorace.registrations.models import (
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from instant_coorace.registrations.tokens import issue_token
from instant_coorace.transactions import write_transaction

DEMO_VISIO_URL = "https://visio.example.org/instant-coorace"
#: Default hours of calendar rows that give none.
DEFAULT_HOURS = {
    EventFormat.ONLINE: ((dt.time(10), dt.time(11, 30)),),
    EventKind.FORMATION: ((dt.time(9), dt.time(12, 30)), (dt.time(13, 30), dt.time(17))),
}
FULL_DAY = ((dt.time(9, 30), dt.time(17)),)


@dataclasses.dataclass(frozen=True)
class DemoSummary:
    structures: int
    past_events: int
    upcoming_events: int
    registrations: int


def database_is_empty() -> bool:
    return not any(
        db.session.scalar(select(func.count()).select_from(model)) for model in (Structure, Event)
    )


def load_demo(today: dt.date | None = None, seed: int = 2025) -> DemoSummary:
    today = today or utcnow().astimezone(PARIS).date()
    rng = random.Random(seed)
    directory = resources.files("instant_coorace.demo").joinpath("data/adherents-2026.csv")
    member_services.import_structures_from_csv(directory.read_text(encoding="utf-8"))
    people = _create_people(rng)
    past = [_load_past_event(row, people, rng) for row in read_calendar()]
    upcoming = [_load_upcoming_event(spec, today, people, rng) for spec in PROGRAMME]
    record_attendance_2025(utcnow(), rng)
    load_series_followers(rng)
    load_demo_supports(today, seed)
    # Before the webinar reminded tomorrow, which keeps its own few registrants.
    load_demo_campaign()
    upcoming.append(reminders.add_webinar_reminded_soon(DEMO_VISIO_URL))
    return DemoSummary(
        structures=db.session.scalar(select(func.count()).select_from(Structure)),
        past_events=len(past),
        upcoming_events=len(upcoming),
        registrations=db.session.scalar(select(func.count()).select_from(Registration)),
    )


@dataclasses.dataclass(frozen=True)
class _Member:
    """A demo person as plain values: ORM objects expire at every commit of the
    registration service, and reloading them one by one would slow the load."""

    person_id: int
    structure_id: int
    demo: DemoPerson

    def applicant(self) -> registration_services.Applicant:
        return registration_services.Applicant(
            email=self.demo.email,
            first_name=self.demo.first_name,
            last_name=self.demo.last_name,
            job_title=self.demo.job_title,
            structure_id=self.structure_id,
        )


def _create_people(rng: random.Random) -> list[_Member]:
    structure_ids = list(
        db.session.scalars(select(Structure.id).where(Structure.active).order_by(Structure.id))
    )
    pairs = [
        (demo, structure_id)
        for structure_id, staff in staff_of_structures(structure_ids, rng).items()
        for demo in staff
    ]
    with write_transaction():
        people = [
            Person(
                email=demo.email,
                first_name=demo.first_name,
                last_name=demo.last_name,
                job_title=demo.job_title,
                structure_id=structure_id,
            )
            for demo, structure_id in pairs
        ]
        db.session.add_all(people)
        db.session.flush()
        members = [
            _Member(person.id, structure_id, demo)
            for person, (demo, structure_id) in zip(people, pairs, strict=True)
        ]
    return members


def _load_past_event(row: PastEvent, people: list[_Member], rng: random.Random) -> int:
    hours = DEFAULT_HOURS.get(row.event_format) or DEFAULT_HOURS.get(row.kind) or FULL_DAY
    if row.start_time is not None:
        end = dt.datetime.combine(row.days[0], row.start_time) + dt.timedelta(hours=1, minutes=30)
        hours = ((row.start_time, end.time()),)
    event_id = _create_published(
        EventDraft(
            kind=row.kind,
            title=row.title,
            sessions=tuple(
                SessionDraft(day=day, starts=start, ends=end)
                for day in row.days
                for start, end in hours
            ),
            programme=tuple(ProgrammeDraft(title=item) for item in row.programme),
            audience=row.audience,
            format=row.event_format,
            venue_name=row.venue,
            department=row.department,
            visio_url=DEMO_VISIO_URL if row.event_format is EventFormat.ONLINE else "",
            new_series_name=_series_name(row.kind),
        )
    )
    with write_transaction():
        event = db.session.get(Event, event_id)
        wanted = row.known_participants or rng.randint(8, 40)
        for member in rng.sample(people, min(wanted, len(people))):
            _record_past_registration(event, member, rng)
    return event_id


def _record_past_registration(event: Event, member: _Member, rng: random.Random) -> None:
    registered_at = event.starts_at - dt.timedelta(days=rng.randint(2, 40), hours=rng.randint(0, 9))
    cancelled = rng.random() < 0.08
    registration = Registration(
        event=event,
        person_id=member.person_id,
        first_name=member.demo.first_name,
        last_name=member.demo.last_name,
        structure_id=member.structure_id,
        job_title=member.demo.job_title,
        status=RegistrationStatus.CANCELLED if cancelled else RegistrationStatus.CONFIRMED,
        source=rng.choice((RegistrationSource.PUBLIC_FORM, RegistrationSource.INVITATION)),
        created_at=registered_at,
        updated_at=registered_at,
        confirmed_at=registered_at,
        cancelled_at=registered_at + dt.timedelta(days=1) if cancelled else None,
    )
    issue_token(registration)
    db.session.add(registration)


def _load_upcoming_event(
    spec: UpcomingEvent, today: dt.date, people: list[_Member], rng: random.Random
) -> int:
    event_id = _create_published(
        EventDraft(
            kind=spec.kind,
            title=spec.title,
            sessions=tuple(
                SessionDraft(day=day, starts=slot.start, ends=slot.end, label=slot.label)
                for slot, day in zip(spec.slots, spec.days(today), strict=True)
            ),
            programme=tuple(ProgrammeDraft(title=item) for item in spec.programme),
            description=spec.description,
            audience=spec.audience,
            format=spec.event_format,
            venue_name=spec.venue_name,
            venue_address=spec.venue_address,
            department=spec.department,
            visio_url="" if spec.event_format is EventFormat.IN_PERSON else DEMO_VISIO_URL,
            capacity=spec.capacity,
            seats_per_structure=spec.seats_per_structure,
            new_series_name=_series_name(spec.kind),
        )
    )
    wanted = round((spec.capacity or 40) * spec.fill)
    for member in rng.sample(people, min(wanted, len(people))):
        registration_services.register(event_id, member.applicant())
    return event_id


def _create_published(draft: EventDraft) -> int:
    event_id = event_services.create_event(draft)
    event_services.publish(event_id)
    return event_id


def _series_name(kind: EventKind) -> str:
    return {
        EventKind.INSTANT_COORACE: "L'Instant Coorace",
        EventKind.ATELIER_COLLECTIF: "Ateliers collectifs",
        EventKind.COLLECTIF: "CAP RSE",
    }.get(kind, "")
