"""Read-only queries behind the team's registrant lists and exports.

Every function runs a fixed number of queries whatever the number of
registrations, so the pages stay as fast for 20,000 registrants as for 5.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import contains_eager, lazyload

from instant_coorace.events.models import Event
from instant_coorace.extensions import db
from instant_coorace.members.models import Person, Structure, StructureKind, StructureKindRow
from instant_coorace.pagination import Page, paginate
from instant_coorace.registrations.models import (
    Registration,
    RegistrationSource,
    RegistrationStatus,
)
from instant_coorace.registrations.services import seat_counts
from instant_coorace.search import matches_word

PER_PAGE = 100

_STATUS_ORDER = case(
    (Registration.status == RegistrationStatus.CONFIRMED, 0),
    (Registration.status == RegistrationStatus.WAITLISTED, 1),
    else_=2,
)
"""Confirmed first, then the waiting list in its order, then cancellations."""


@dataclasses.dataclass(frozen=True)
class SeatSummary:
    capacity: int | None
    confirmed: int = 0
    waitlisted: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.confirmed + self.waitlisted + self.cancelled

    @property
    def seats_left(self) -> int | None:
        """Free seats; ``None`` when the event is unlimited."""
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)

    @property
    def over_capacity(self) -> int:
        """How many confirmed people exceed the capacity (staff may overbook)."""
        return 0 if self.capacity is None else max(self.confirmed - self.capacity, 0)

    def count(self, status: RegistrationStatus | None) -> int:
        return {
            None: self.total,
            RegistrationStatus.CONFIRMED: self.confirmed,
            RegistrationStatus.WAITLISTED: self.waitlisted,
            RegistrationStatus.CANCELLED: self.cancelled,
        }[status]


@dataclasses.dataclass(frozen=True)
class RosterFilter:
    status: RegistrationStatus | None = None
    #: Words that must each appear in the name, email or structure.
    search: str = ""

    @property
    def is_empty(self) -> bool:
        return self.status is None and not self.search.strip()


@dataclasses.dataclass(frozen=True)
class RosterRow:
    """A registration as the list shows it: under the details given for it."""

    registration: Registration
    #: Place in line counted from 1, whatever gaps promotions left; ``None`` if not waiting.
    waitlist_rank: int | None


class ExportRow(NamedTuple):
    last_name: str
    first_name: str
    email: str
    structure_id: int | None
    structure_name: str
    department: str
    job_title: str
    status: RegistrationStatus
    created_at: dt.datetime
    source: RegistrationSource
    needs: str
    #: Place in line counted from 1; ``None`` when not waiting.
    waitlist_rank: int | None


def find_event(event_id: int) -> Event | None:
    return db.session.get(Event, event_id)


def seat_summary(event: Event) -> SeatSummary:
    counts = seat_counts([event.id])[event.id]
    return SeatSummary(
        capacity=event.capacity,
        confirmed=counts.get(RegistrationStatus.CONFIRMED, 0),
        waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0),
        cancelled=counts.get(RegistrationStatus.CANCELLED, 0),
    )


def roster_page(
    event_id: int,
    roster_filter: RosterFilter,
    page: int = 1,
    summary: SeatSummary | None = None,
) -> Page[RosterRow]:
    """One page of an event's registrations, with person and structure loaded.

    Given the event's ``summary``, an unsearched list reuses its counts instead
    of counting again.
    """
    base = _filtered(select(Registration), event_id, roster_filter)
    if summary is not None and not roster_filter.search.strip():
        total = summary.count(roster_filter.status)
    else:
        total = db.session.scalar(base.with_only_columns(func.count(Registration.id)))
    query = base.options(
        contains_eager(Registration.person),
        contains_eager(Registration.structure),
        lazyload(Registration.structure, Structure.kind_rows),
    ).order_by(*_roster_order())
    return paginate(query, page, PER_PAGE, total).mapped(
        lambda registrations: _with_ranks(event_id, registrations)
    )


def _with_ranks(event_id: int, registrations: Sequence[Registration]) -> list[RosterRow]:
    ranks = _waitlist_ranks_of(event_id, [registration.id for registration in registrations])
    return [RosterRow(registration, ranks.get(registration.id)) for registration in registrations]


def registration_of_event(event_id: int, registration_id: int) -> Registration | None:
    """The registration, only if it belongs to that event (URLs must agree)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event_id:
        return None
    return registration


def names_of(registration_ids: Sequence[int]) -> list[str]:
    """Names given for these registrations, in list order."""
    if not registration_ids:
        return []
    rows = db.session.execute(
        select(Registration.id, Registration.first_name, Registration.last_name).where(
            Registration.id.in_(registration_ids)
        )
    )
    names = {row.id: f"{row.first_name} {row.last_name}" for row in rows}
    return [names[i] for i in registration_ids if i in names]


def waitlist_rank(event_id: int, registration_id: int) -> int | None:
    return _waitlist_ranks_of(event_id, [registration_id]).get(registration_id)


def structure_choices() -> list[tuple[int, str]]:
    """Active structures of the directory, for a select list: ``(id, "Name (31)")``."""
    rows = db.session.execute(
        select(Structure.id, Structure.name, Structure.department)
        .where(Structure.active.is_(True))
        .order_by(func.ic_fold(Structure.name), Structure.id)
    )
    return [
        (row.id, f"{row.name} ({row.department})" if row.department else row.name) for row in rows
    ]


def export_rows(
    event_id: int, status: RegistrationStatus | None = None, batch_size: int = 1000
) -> Iterator[ExportRow]:
    """Flat rows for the CSV export, streamed in batches rather than as ORM objects.

    The waiting list comes in line order, so its rows are numbered as they pass.
    """
    columns = select(
        Registration.last_name,
        Registration.first_name,
        Person.email,
        Registration.structure_id,
        func.coalesce(Structure.name, Registration.structure_name).label("structure_name"),
        func.coalesce(Structure.department, "").label("department"),
        Registration.job_title,
        Registration.status,
        Registration.created_at,
        Registration.source,
        Registration.needs,
    ).select_from(Registration)
    statement = _filtered(columns, event_id, RosterFilter(status=status)).order_by(*_roster_order())
    rank = 0
    for row in db.session.execute(statement.execution_options(yield_per=batch_size)):
        waiting = row.status is RegistrationStatus.WAITLISTED
        rank += waiting
        yield ExportRow(*row, waitlist_rank=rank if waiting else None)


def structure_kinds_of_event(event_id: int) -> dict[int, list[StructureKind]]:
    """Legal forms of every structure registered to the event, in one query."""
    registered = select(Registration.structure_id).where(Registration.event_id == event_id)
    kinds: dict[int, list[StructureKind]] = {}
    for structure_id, kind in db.session.execute(
        select(StructureKindRow.structure_id, StructureKindRow.kind)
        .where(StructureKindRow.structure_id.in_(registered))
        .order_by(StructureKindRow.structure_id, StructureKindRow.kind)
    ):
        kinds.setdefault(structure_id, []).append(kind)
    return kinds


def _filtered(statement: Select, event_id: int, roster_filter: RosterFilter) -> Select:
    statement = (
        statement.join(Registration.person)
        .outerjoin(Registration.structure)
        .where(Registration.event_id == event_id)
    )
    if roster_filter.status is not None:
        statement = statement.where(Registration.status == roster_filter.status)
    for word in roster_filter.search.split():
        statement = statement.where(
            matches_word(
                word,
                Registration.first_name,
                Registration.last_name,
                Person.email,
                Structure.name,
                Registration.structure_name,
            )
        )
    return statement


def _waitlist_ranks_of(event_id: int, registration_ids: list[int]) -> dict[int, int]:
    """Places in line (1, 2, 3…) of these registrations, in one query: stored
    positions keep the order but leave gaps when someone ahead is promoted or leaves."""
    ranks = (
        select(
            Registration.id.label("registration_id"),
            func.row_number()
            .over(order_by=(Registration.waitlist_position, Registration.id))
            .label("rank"),
        )
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .subquery()
    )
    rows = db.session.execute(
        select(ranks.c.registration_id, ranks.c.rank).where(
            ranks.c.registration_id.in_(registration_ids)
        )
    )
    return {registration_id: rank for registration_id, rank in rows}


def _roster_order() -> tuple:
    return (
        _STATUS_ORDER,
        Registration.waitlist_position,
        func.ic_fold(Registration.last_name),
        func.ic_fold(Registration.first_name),
        Registration.id,
    )
