"""What the team needs to answer someone who exercises their rights (the
registration form tells them to write to the federation): find them, give them
their data, and erase it.

Erasing is anonymising at once (``retention.anonymise``): the figures keep the
registration, nobody can tell whose it was. Someone still expected at an
upcoming event is cancelled first, by the team, through the usual path, so
that their seat goes to the waiting list and they are told.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from instant_coorace.addresses import stored_email
from instant_coorace.attendance.models import SessionAttendance
from instant_coorace.audit import services as audit
from instant_coorace.audit.models import AuditAction
from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventSession, Series
from instant_coorace.extensions import db
from instant_coorace.invitations.models import (
    Campaign,
    CampaignRecipient,
    SeriesFollower,
    Unsubscription,
)
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.members.models import Person
from instant_coorace.privacy import retention
from instant_coorace.registrations.models import ACTIVE_STATUSES, Registration
from instant_coorace.transactions import write_transaction

#: At most this many people answer a search: it looks for one person.
SEARCH_LIMIT = 50


class PrivacyRequestError(Exception):
    """A request on someone's data that cannot be done; ``message`` is in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclasses.dataclass(frozen=True)
class PersonRecord:
    """Everything held about one person."""

    person: Person
    registrations: list[Registration]
    mails: list[OutgoingMail]
    #: Confirmed or waitlisted for an event still to come: to cancel before erasing.
    upcoming: list[Registration]


def find_people(query: str) -> list[Person]:
    """People whose address or name contains ``query`` (anonymised ones excluded)."""
    query = query.strip()
    if not query:
        return []
    return list(
        db.session.scalars(
            select(Person)
            .where(
                Person.anonymised_at.is_(None),
                or_(
                    Person.email.contains(stored_email(query), autoescape=True),
                    Person.last_name.icontains(query, autoescape=True),
                    Person.first_name.icontains(query, autoescape=True),
                ),
            )
            .order_by(Person.email)
            .limit(SEARCH_LIMIT)
        )
    )


def person_record(person_id: int, now: dt.datetime | None = None) -> PersonRecord:
    person = db.session.get(Person, person_id)
    if person is None:
        raise PrivacyRequestError("Cette personne n'existe pas.")
    now = now or utcnow()
    registrations = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.person_id == person_id)
            .options(selectinload(Registration.event), selectinload(Registration.structure))
            .join(Event)
            .order_by(Event.starts_at.desc().nulls_first(), Registration.id)
        )
    )
    mails = list(
        db.session.scalars(
            select(OutgoingMail)
            .where(OutgoingMail.to_email == person.email)
            .order_by(OutgoingMail.created_at.desc(), OutgoingMail.id.desc())
        )
    )
    upcoming = [
        registration
        for registration in registrations
        if registration.status in ACTIVE_STATUSES
        and (registration.event.ends_at is None or registration.event.ends_at >= now)
    ]
    return PersonRecord(person, registrations, mails, upcoming)


def export_json(person_id: int) -> str:
    """The person's data as they can be handed to them (right of access)."""
    record = person_record(person_id)
    person = record.person
    data = {
        "personne": {
            "adresse": person.email,
            "prenom": person.first_name,
            "nom": person.last_name,
            "fonction": person.job_title,
            "structure": person.structure.name if person.structure else "",
            "autre_structure": person.other_structure_name,
            "connue_depuis": person.created_at.isoformat(),
        },
        "inscriptions": [
            {
                "evenement": registration.event.title,
                "debut": _iso(registration.event.starts_at),
                "fin": _iso(registration.event.ends_at),
                "statut": registration.status.value,
                "prenom": registration.first_name,
                "nom": registration.last_name,
                "structure": registration.structure_name
                or (registration.structure.name if registration.structure else ""),
                "fonction": registration.job_title,
                "besoins": registration.needs,
                "inscrit_le": registration.created_at.isoformat(),
                "confirme_le": _iso(registration.confirmed_at),
                "annule_le": _iso(registration.cancelled_at),
            }
            for registration in record.registrations
        ],
        **_what_else_is_held(person_id, person.email),
        "courriels": [
            {
                "objet": mail.subject,
                "cree_le": mail.created_at.isoformat(),
                "etat": mail.status.value,
            }
            for mail in record.mails
        ],
    }
    with write_transaction():
        audit.record(AuditAction.PERSON_EXPORTED, f"Personne n° {person_id}")
    return json.dumps(data, ensure_ascii=False, indent=2)


def _what_else_is_held(person_id: int, email: str) -> dict:
    """Attendance, series followed, invitations and an unsubscription."""
    attendance = db.session.execute(
        select(Event.title, EventSession.starts_at, SessionAttendance.status)
        .select_from(SessionAttendance)
        .join(Registration, Registration.id == SessionAttendance.registration_id)
        .join(EventSession, EventSession.id == SessionAttendance.session_id)
        .join(Event, Event.id == EventSession.event_id)
        .where(Registration.person_id == person_id)
        .order_by(EventSession.starts_at)
    )
    followed = db.session.execute(
        select(Series.name, SeriesFollower.confirmed_at)
        .select_from(SeriesFollower)
        .join(Series, Series.id == SeriesFollower.series_id)
        .where(SeriesFollower.person_id == person_id)
    )
    invited = db.session.execute(
        select(Campaign.subject, Campaign.sent_at)
        .select_from(CampaignRecipient)
        .join(Campaign, Campaign.id == CampaignRecipient.campaign_id)
        .where(CampaignRecipient.email == email)
    )
    unsubscribed = db.session.scalar(
        select(Unsubscription.created_at).where(Unsubscription.email == email.lower())
    )
    return {
        "presences": [
            {"evenement": title, "session": _iso(starts), "statut": status.value}
            for title, starts, status in attendance
        ],
        "series_suivies": [
            {"serie": name, "confirme_le": _iso(confirmed)} for name, confirmed in followed
        ],
        "invitations": [{"objet": subject, "le": _iso(at)} for subject, at in invited],
        "desabonne_le": _iso(unsubscribed),
    }


def erase(person_id: int) -> retention.Outcome:
    """Anonymise the person now (right to erasure); refused while they are still
    expected at an upcoming event."""
    with write_transaction():
        record = person_record(person_id)
        if record.person.anonymised_at is not None:
            raise PrivacyRequestError("Les données de cette personne sont déjà effacées.")
        if record.upcoming:
            raise PrivacyRequestError(
                "Cette personne est encore inscrite à un événement à venir : annulez d'abord "
                "ses inscriptions (la place ira à la liste d'attente), puis effacez ses données."
            )
        audit.record(AuditAction.PERSON_ERASED, f"Personne n° {person_id}")
        return retention.anonymise([person_id])


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None
