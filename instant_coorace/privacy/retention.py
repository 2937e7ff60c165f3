"""Anonymising people once the retention period announced on the registration
form has passed (``DATA_RETENTION_YEARS`` after their last event), or at once
when they ask for their data to be erased (``privacy/requests.py``).

What identifies someone goes: their name and job title (on their record, on
each registration and on each campaign invitation), address, needs, calendar
feed, personal links, drawn signatures, the series they follow and the mails
sent to them. What the year's figures count
stays: each registration's event, status, dates and structure (from the
directory, or the name typed for « autre structure »).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import time

from flask import current_app
from sqlalchemy import delete, exists, or_, select, update

from instant_coorace.attendance.join_links import JoinLink
from instant_coorace.attendance.sign_in_models import SessionSignature
from instant_coorace.audit import services as audit
from instant_coorace.database import utcnow
from instant_coorace.events.models import Event
from instant_coorace.extensions import db
from instant_coorace.invitations.models import CampaignRecipient, SeriesFollower
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.members.models import Person
from instant_coorace.registrations.models import Registration
from instant_coorace.registrations.tokens import hash_token
from instant_coorace.transactions import write_transaction

#: The domain of anonymised addresses: ``.invalid`` is reserved (RFC 2606), so no
#: mail can ever reach one, and the address stays unique.
ANONYMOUS_DOMAIN = "anonyme.invalid"
ANONYMOUS_FIRST_NAME = "Personne"
ANONYMOUS_LAST_NAME = "anonymisée"

#: The worker looks for people to anonymise at most this often (seconds).
CHECK_INTERVAL = 3600.0


@dataclasses.dataclass
class _Schedule:
    """When this process's worker looks next (``time.monotonic()``)."""

    next_check: float = 0.0


_schedule = _Schedule()


@dataclasses.dataclass(frozen=True)
class Outcome:
    people: int
    registrations: int
    mails: int


def retention_cutoff(now: dt.datetime, years: int) -> dt.datetime:
    """``now`` minus ``years`` calendar years (29 February becomes the 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def anonymise_expired(now: dt.datetime | None = None) -> Outcome:
    """Anonymise, in one transaction, everyone whose every event ended before the
    retention cutoff (and who has been known for that long); the audit log's
    older entries go too."""
    now = now or utcnow()
    cutoff = retention_cutoff(now, current_app.config["DATA_RETENTION_YEARS"])
    recent = (
        select(Registration.id)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.person_id == Person.id,
            or_(Event.ends_at.is_(None), Event.ends_at >= cutoff),
        )
    )
    expired = select(Person.id).where(
        Person.anonymised_at.is_(None), Person.created_at < cutoff, ~exists(recent)
    )
    with write_transaction():
        audit.purge_before(cutoff)
        return anonymise(list(db.session.scalars(expired)), now)


def anonymise(person_ids: list[int], now: dt.datetime | None = None) -> Outcome:
    """Remove what identifies these people, in one transaction."""
    if not person_ids:
        return Outcome(0, 0, 0)
    with write_transaction():
        now = now or utcnow()
        emails = select(Person.email).where(Person.id.in_(person_ids)).scalar_subquery()
        registration_ids = list(
            db.session.scalars(
                select(Registration.id).where(Registration.person_id.in_(person_ids))
            )
        )
        mails = db.session.execute(
            delete(OutgoingMail).where(
                or_(
                    OutgoingMail.registration_id.in_(registration_ids),
                    OutgoingMail.to_email.in_(emails),
                )
            )
        ).rowcount
        _forget_invitations(person_ids, emails)
        db.session.execute(delete(JoinLink).where(JoinLink.person_id.in_(person_ids)))
        if registration_ids:
            # A drawn signature identifies its author: the attendance it proved stays.
            db.session.execute(
                delete(SessionSignature).where(
                    SessionSignature.registration_id.in_(registration_ids)
                )
            )
            # A fresh nonce and the hash of a token nobody holds: every link sent dies.
            db.session.execute(
                update(Registration),
                [
                    {
                        "id": registration_id,
                        "first_name": ANONYMOUS_FIRST_NAME,
                        "last_name": ANONYMOUS_LAST_NAME,
                        "job_title": "",
                        "needs": "",
                        "token_nonce": secrets.token_hex(16),
                        "token_hash": hash_token(secrets.token_urlsafe(32)),
                    }
                    for registration_id in registration_ids
                ],
            )
        db.session.execute(
            update(Person),
            [
                {
                    "id": person_id,
                    "email": f"anonyme-{person_id}@{ANONYMOUS_DOMAIN}",
                    "first_name": ANONYMOUS_FIRST_NAME,
                    "last_name": ANONYMOUS_LAST_NAME,
                    "job_title": "",
                    "feed_token_hash": None,
                    "anonymised_at": now,
                }
                for person_id in person_ids
            ],
        )
    return Outcome(len(person_ids), len(registration_ids), mails)


def _forget_invitations(person_ids: list[int], emails) -> None:
    """Campaigns keep that someone was invited, opened and registered (their
    figures), not who; following a series ends. An address that unsubscribed
    stays on that list, which holds nothing else: without it, the address could
    be typed into a campaign and invited again."""
    db.session.execute(delete(SeriesFollower).where(SeriesFollower.person_id.in_(person_ids)))
    invited = list(
        db.session.scalars(
            select(CampaignRecipient.id).where(
                or_(
                    CampaignRecipient.person_id.in_(person_ids),
                    CampaignRecipient.email.in_(emails),
                )
            )
        )
    )
    if invited:
        db.session.execute(
            update(CampaignRecipient),
            [
                {
                    "id": recipient_id,
                    "email": f"anonyme-invitation-{recipient_id}@{ANONYMOUS_DOMAIN}",
                    "first_name": ANONYMOUS_FIRST_NAME,
                    "last_name": ANONYMOUS_LAST_NAME,
                    "job_title": "",
                    "token_nonce": secrets.token_hex(16),
                    "token_hash": hash_token(secrets.token_urlsafe(32)),
                }
                for recipient_id in invited
            ],
        )


def anonymise_when_due() -> None:
    """The worker's periodic job: ``anonymise_expired`` at most every ``CHECK_INTERVAL``."""
    if time.monotonic() < _schedule.next_check:
        return
    outcome = anonymise_expired()
    _schedule.next_check = time.monotonic() + CHECK_INTERVAL
    if outcome.people:
        current_app.logger.info(
            "anonymised %s people (%s registrations, %s mails deleted)",
            outcome.people,
            outcome.registrations,
            outcome.mails,
        )
