"""The team writes to the people registered to an event; every message goes
through the outbox, with the recipient's personal link."""

from __future__ import annotations

import enum

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from instant_coorace.events.models import Event
from instant_coorace.extensions import db
from instant_coorace.registrations import errors, notifications
from instant_coorace.registrations.models import (
    ACTIVE_STATUSES,
    Registration,
    RegistrationStatus,
)
from instant_coorace.transactions import write_transaction


class Recipients(enum.StrEnum):
    ALL = "all"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"

    @property
    def statuses(self) -> tuple[RegistrationStatus, ...]:
        if self is Recipients.ALL:
            return ACTIVE_STATUSES
        return (RegistrationStatus(self.value),)


def recipient_counts(event_id: int) -> dict[Recipients, int]:
    counts = dict(
        db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event_id, Registration.status.in_(ACTIVE_STATUSES))
            .group_by(Registration.status)
        ).all()
    )
    return {
        recipients: sum(counts.get(status, 0) for status in recipients.statuses)
        for recipients in Recipients
    }


def write_to_registrants(
    event_id: int, recipients: Recipients, subject: str, markdown: str, send_key: str
) -> int:
    """Queue one mail per recipient; returns how many were queued now (a form
    submitted twice with the same ``send_key`` queues nothing the second time)."""
    with write_transaction():
        if db.session.get(Event, event_id) is None:
            raise errors.EventNotFound()
        registrations = db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id, Registration.status.in_(recipients.statuses))
            .options(selectinload(Registration.person), selectinload(Registration.event))
            .order_by(Registration.id)
        ).all()
        return sum(
            notifications.staff_message(registration, subject.strip(), markdown, send_key)
            for registration in registrations
        )
