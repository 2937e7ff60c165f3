"""A webinar tomorrow, a few minutes later than the demo was loaded: its J-1
reminder falls due minutes after ``make run``, so a newcomer sees the worker
write its ``.eml`` (with the join link and the calendar invitation)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from instant_coorace.database import utcnow
from instant_coorace.events import services as event_services
from instant_coorace.events.drafts import EventDraft, ProgrammeDraft, SessionDraft
from instant_coorace.events.models import Audience, EventFormat, EventKind
from instant_coorace.extensions import db
from instant_coorace.formatting import to_paris
from instant_coorace.members.models import Person
from instant_coorace.registrations import services as registration_services

TITLE = "Webinaire express : l'offre modulaire en 30 minutes"
MINUTES_AHEAD = 3
"""How long after the demo is loaded the J-1 reminder is due."""
REGISTRANTS = 5


def add_webinar_reminded_soon(visio_url: str) -> int:
    """Publish the webinar and register a few people of the directory to it."""
    start = (to_paris(utcnow()) + dt.timedelta(minutes=MINUTES_AHEAD + 1)).replace(
        second=0, microsecond=0
    )
    day = start.date() + dt.timedelta(days=1)
    end = min(start + dt.timedelta(minutes=30), start.replace(hour=23, minute=59))
    event_id = event_services.create_event(
        EventDraft(
            kind=EventKind.WEBINAIRE,
            title=TITLE,
            description="Les deux jours d'accompagnement individuel auxquels chaque "
            "structure adhérente a droit : pour qui, pour quoi, comment les demander.",
            sessions=(SessionDraft(day=day, starts=start.time(), ends=end.time()),),
            programme=(ProgrammeDraft("L'offre modulaire, questions et réponses"),),
            audience=Audience.MEMBERS_AND_PARTNERS,
            format=EventFormat.ONLINE,
            visio_url=visio_url,
            capacity=50,
        )
    )
    event_services.publish(event_id)
    people = db.session.scalars(
        select(Person)
        .where(Person.structure_id.is_not(None))
        .order_by(Person.id)
        .limit(REGISTRANTS)
    ).all()
    applicants = [
        registration_services.Applicant(
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            job_title=person.job_title,
            structure_id=person.structure_id,
        )
        for person in people
    ]
    for applicant in applicants:
        registration_services.register(event_id, applicant)
    return event_id
