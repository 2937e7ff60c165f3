"""The statements that place one applicant, under the event's lock.

Every registration waits for the one before it to commit, so the time between
taking the lock and committing bounds how many registrations an event takes per
second. That section therefore holds only what needs the lock, as Core
statements built once with bound parameters (building a statement, or flushing
ORM objects, costs more than running it):

1. one read (``read_situation``): the seats taken and the end of the waiting
   list, and whether this address already holds a registration here;
2. at most three writes: the person (created if unknown, never changed: see
   ``person_id_for``), the registration with what was given for it (a new
   row, or the reused row of an earlier cancellation) and the pending mail
   (``mail/outbox.py``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlalchemy import Insert, ScalarSelect, Select, bindparam, case, func, select, update

from instant_coorace.database import bound, per_dialect
from instant_coorace.extensions import db
from instant_coorace.locking import EventTerms
from instant_coorace.members.models import Person
from instant_coorace.registrations.models import Registration, RegistrationStatus


@dataclasses.dataclass(frozen=True)
class Situation:
    """What deciding one applicant's place needs to know, read in one statement."""

    confirmed: int
    confirmed_for_structure: int
    last_waitlist_position: int
    #: This address's registration at this event (any status), if there is one.
    registration_id: int | None
    registration_status: RegistrationStatus | None

    def has_seat(self, event: EventTerms, for_structure: bool) -> bool:
        if event.capacity is not None and self.confirmed >= event.capacity:
            return False
        return not self.structure_seats_taken(event, for_structure)

    def structure_seats_taken(self, event: EventTerms, for_structure: bool) -> bool:
        """Whether the applicant's structure has used the seats it may take."""
        return (
            for_structure
            and event.seats_per_structure is not None
            and self.confirmed_for_structure >= event.seats_per_structure
        )


def _of_status(status: RegistrationStatus, *criteria) -> Select:
    return select(Registration.id).where(
        Registration.event_id == bindparam("event_id"), Registration.status == status, *criteria
    )


def _count(query: Select) -> ScalarSelect:
    return query.with_only_columns(func.count()).scalar_subquery()


def _of_address(column) -> ScalarSelect:
    """``column`` of this address's registration at this event, if any.

    Read among the person's own registrations (a handful), the event picked in
    the aggregate: with ``event_id`` in the WHERE clause, PostgreSQL without
    statistics (a new database's first rush) walked the whole event instead.
    """
    person_id = select(Person.id).where(Person.email == bindparam("email")).scalar_subquery()
    return (
        select(func.max(case((Registration.event_id == bindparam("event_id"), column))))
        .where(Registration.person_id == person_id)
        .scalar_subquery()
    )


# Five subqueries, each answered from one index (see the Registration model):
# the count and the end of the line (an index lookup, spelled ORDER BY … LIMIT 1
# rather than max(), which PostgreSQL turns into one only with statistics) from
# ``(event_id, status, waitlist_position)``; the structure's seats from
# ``(structure_id, event_id, status)`` (without a structure, ``structure_id =
# NULL`` counts 0); the address's registration from the unique ``person.email``
# then ``(person_id, event_id)`` (see ``_of_address``).
_SITUATION = select(
    _count(_of_status(RegistrationStatus.CONFIRMED)),
    _count(
        _of_status(
            RegistrationStatus.CONFIRMED, Registration.structure_id == bindparam("structure_id")
        )
    ),
    func.coalesce(
        _of_status(RegistrationStatus.WAITLISTED, Registration.waitlist_position.is_not(None))
        .with_only_columns(Registration.waitlist_position)
        .order_by(Registration.waitlist_position.desc())
        .limit(1)
        .scalar_subquery(),
        0,
    ),
    _of_address(Registration.id),
    _of_address(Registration.status),
)


def read_situation(event_id: int, email: str, structure_id: int | None) -> Situation:
    """``email`` as stored: stripped and lower-cased."""
    row = (
        db.session.connection()
        .execute(_SITUATION, {"event_id": event_id, "email": email, "structure_id": structure_id})
        .one()
    )
    return Situation(*row)


#: What a new person's record starts with: what they declared when first registering.
PERSON_DECLARATION = (
    "first_name",
    "last_name",
    "job_title",
    "structure_id",
    "other_structure_name",
)


def _person_insert(insert: Callable) -> Insert:
    """Insert the person, or change nothing of the one known by that address.

    ``DO NOTHING`` would return no row for a known address and cost a second
    query; an update that sets the address to itself returns the id in the same
    statement while leaving the record as it was.
    """
    table = Person.__table__
    statement = insert(table).values(bound(("email", *PERSON_DECLARATION)))
    return statement.on_conflict_do_update(
        index_elements=[table.c.email], set_={"email": statement.excluded.email}
    ).returning(table.c.id)


_PERSON_INSERTS = per_dialect(_person_insert)


def person_id_for(email: str, declaration: dict[str, object]) -> int:
    """The id of the person of ``email`` (stored form), created with ``declaration``
    if unknown; a known person's record is never changed from here."""
    connection = db.session.connection()
    return connection.scalar(
        _PERSON_INSERTS[connection.dialect.name], {"email": email} | declaration
    )


#: The columns a placement writes on a registration (new or reused).
REGISTRATION_PLACEMENT = (
    "person_id",
    "source",
    "first_name",
    "last_name",
    "structure_id",
    "structure_name",
    "job_title",
    "needs",
    "status",
    "waitlist_position",
    "token_nonce",
    "token_hash",
    "confirmed_at",
    "cancelled_at",
)

_PLACEMENT_VALUES = bound(REGISTRATION_PLACEMENT)
_NEW_REGISTRATION = (
    Registration.__table__.insert()
    .values(event_id=bindparam("event_id"), **_PLACEMENT_VALUES)
    .returning(Registration.__table__.c.id)
)
_REUSED_REGISTRATION = (
    update(Registration.__table__)
    .where(Registration.__table__.c.id == bindparam("registration_id"))
    .values(**_PLACEMENT_VALUES)
)


def save_registration(event_id: int, reused_id: int | None, placement: dict[str, object]) -> int:
    """Write a placement: a new registration, or the row ``reused_id`` (an earlier,
    cancelled registration of the same person). Returns the registration's id."""
    connection = db.session.connection()
    if reused_id is None:
        return connection.scalar(_NEW_REGISTRATION, {"event_id": event_id} | placement)
    connection.execute(_REUSED_REGISTRATION, {"registration_id": reused_id} | placement)
    return reused_id


def structure_seats_taken(registration: Registration) -> bool:
    """Whether the registrant's structure holds all the seats it may: then they
    wait for one of their structure's seats, not for any seat."""
    quota = registration.event.seats_per_structure
    if quota is None or registration.structure_id is None:
        return False
    taken = db.session.scalar(
        select(func.count()).where(
            Registration.event_id == registration.event_id,
            Registration.structure_id == registration.structure_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    return taken >= quota
