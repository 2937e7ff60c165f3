"""Campaigns: inviting a chosen audience to an event, following up on it, and
« relancer » those who did not answer.

Sending writes the campaign, its recipients and one pending mail each in one
transaction, in batched inserts (a campaign of thousands costs a few dozen
statements); the worker renders each mail just before delivery
(``invitations/mails.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum

from flask import current_app
from sqlalchemy import case, exists, func, insert, select
from sqlalchemy.exc import IntegrityError

from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventStatus
from instant_coorace.extensions import db
from instant_coorace.formatting import french_datetime
from instant_coorace.invitations import placeholders
from instant_coorace.invitations.audience import Audience, Selection, audience
from instant_coorace.invitations.models import Campaign, CampaignRecipient, Unsubscription
from instant_coorace.invitations.tokens import new_nonce
from instant_coorace.mail.outbox import PendingMail, Recipient, enqueue_pending_many
from instant_coorace.members.models import Person
from instant_coorace.registrations.models import ACTIVE_STATUSES, Registration
from instant_coorace.transactions import write_transaction

INVITATION = "campaign_invitation"
REMINDER = "campaign_reminder"


class CampaignError(Exception):
    """A refusal with a French message; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclasses.dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    selection: Selection
    #: The team's words for the selection, kept with the campaign.
    described: str = ""


def check_draft(draft: Draft) -> None:
    """Raise ``CampaignError`` for a placeholder the mail could not fill."""
    try:
        placeholders.check(draft.subject, allow_link=False)
    except placeholders.PlaceholderError as error:
        raise CampaignError(str(error), "subject") from None
    try:
        placeholders.check(draft.body)
    except placeholders.PlaceholderError as error:
        raise CampaignError(str(error), "body") from None


def _event(event_id: int) -> Event:
    event = db.session.get(Event, event_id)
    if event is None:
        raise CampaignError("Cet événement n'existe pas.")
    return event


def preview(event_id: int, selection: Selection) -> Audience:
    event = _event(event_id)
    return audience(event.id, event.series_id, selection)


@dataclasses.dataclass(frozen=True)
class Sent:
    campaign_id: int
    queued: int
    #: The form had been submitted already: nothing more was sent.
    already: bool = False


def send(event_id: int, draft: Draft, send_key: str, staff_id: int | None) -> Sent:
    """Create the campaign and queue one invitation per recipient, once per ``send_key``."""
    check_draft(draft)
    with write_transaction():
        existing = _by_send_key(send_key)
        if existing is not None:
            return Sent(existing.id, 0, already=True)
        event = _event(event_id)
        if event.status is not EventStatus.PUBLISHED:
            raise CampaignError(
                "Publiez l'événement avant d'y inviter : sa page d'inscription doit être ouverte."
            )
        reached = audience(event.id, event.series_id, draft.selection).included
        if not reached:
            raise CampaignError("Aucun destinataire : élargissez la sélection.", "selection")
        campaign = Campaign(
            event_id=event.id,
            subject=draft.subject.strip(),
            body=draft.body,
            selection=draft.described[:1000],
            send_key=send_key,
            sent_by_id=staff_id,
            sent_at=utcnow(),
        )
        try:
            with db.session.begin_nested():
                db.session.add(campaign)
        except IntegrityError:  # the same form, submitted at the same moment
            return Sent(_by_send_key(send_key).id, 0, already=True)
        ids = _insert_recipients(campaign.id, reached)
        enqueue_pending_many(
            INVITATION,
            [
                PendingMail(
                    f"{INVITATION}:{ids[c.email]}",
                    Recipient(c.email, _name(c)),
                    _args(ids[c.email]),
                )
                for c in reached
            ],
            event_id=event.id,
            unsubscribable=True,
        )
    return Sent(campaign.id, len(reached))


def _by_send_key(send_key: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.send_key == send_key))


def _name(candidate) -> str:
    return f"{candidate.first_name} {candidate.last_name}".strip()


def _args(recipient_id: int, reminder: int = 0) -> dict:
    return {"recipient_id": recipient_id, "reminder": reminder}


def _insert_recipients(campaign_id: int, reached) -> dict[str, int]:
    rows = []
    for candidate in reached:
        nonce, token_hash = new_nonce()
        rows.append(
            {
                "campaign_id": campaign_id,
                "email": candidate.email,
                "person_id": candidate.person_id,
                "first_name": candidate.first_name,
                "last_name": candidate.last_name,
                "structure_id": candidate.structure_id,
                "structure_name": candidate.structure_name,
                "job_title": candidate.job_title,
                "token_nonce": nonce,
                "token_hash": token_hash,
                "reminders": 0,
            }
        )
    # A plain executemany, then one read of the ids: several times faster on
    # PostgreSQL than a multi-row INSERT … RETURNING of the same rows.
    db.session.execute(insert(CampaignRecipient.__table__), rows)
    inserted = db.session.execute(
        select(CampaignRecipient.email, CampaignRecipient.id).where(
            CampaignRecipient.campaign_id == campaign_id
        )
    )
    return dict(inserted.all())


class Answer(enum.StrEnum):
    """What came of one invitation, the first that applies."""

    REGISTERED_THROUGH_LINK = "link"
    REGISTERED_OTHERWISE = "other"
    UNSUBSCRIBED = "unsubscribed"
    OPENED = "opened"
    NO_ANSWER = "none"


ANSWER_LABELS = {
    Answer.REGISTERED_THROUGH_LINK: "Inscrit·e par son lien",
    Answer.REGISTERED_OTHERWISE: "Inscrit·e autrement",
    Answer.UNSUBSCRIBED: "Désabonné·e",
    Answer.OPENED: "A ouvert le formulaire",
    Answer.NO_ANSWER: "Sans réponse",
}

#: Whom « relancer » writes to: they neither registered nor unsubscribed.
NOT_ANSWERED = (Answer.OPENED, Answer.NO_ANSWER)


def _answer():
    """The ``Answer`` of a ``CampaignRecipient`` row, as an SQL expression."""
    recipient = CampaignRecipient
    through_link = exists().where(
        Registration.id == recipient.registration_id, Registration.status.in_(ACTIVE_STATUSES)
    )
    otherwise = exists().where(
        Person.email == recipient.email,
        Registration.person_id == Person.id,
        Registration.event_id == Campaign.event_id,
        Registration.status.in_(ACTIVE_STATUSES),
    )
    unsubscribed = exists().where(Unsubscription.email == recipient.email)
    return case(
        (through_link, Answer.REGISTERED_THROUGH_LINK.value),
        (otherwise, Answer.REGISTERED_OTHERWISE.value),
        (unsubscribed, Answer.UNSUBSCRIBED.value),
        (recipient.opened_at.is_not(None), Answer.OPENED.value),
        else_=Answer.NO_ANSWER.value,
    ).label("answer")


@dataclasses.dataclass(frozen=True)
class Figures:
    invited: int
    by_answer: dict[Answer, int]
    #: Opened the form through their link (registered since or not).
    opened: int

    @property
    def registered(self) -> int:
        return (
            self.by_answer[Answer.REGISTERED_THROUGH_LINK]
            + self.by_answer[Answer.REGISTERED_OTHERWISE]
        )

    @property
    def not_answered(self) -> int:
        return sum(self.by_answer[answer] for answer in NOT_ANSWERED)


def figures(campaign_ids: list[int]) -> dict[int, Figures]:
    """The follow-up figures of these campaigns, in one query."""
    answer = _answer()
    rows = db.session.execute(
        select(
            CampaignRecipient.campaign_id,
            answer,
            func.count(),
            func.count(CampaignRecipient.opened_at),
        )
        .join(Campaign, Campaign.id == CampaignRecipient.campaign_id)
        .where(CampaignRecipient.campaign_id.in_(campaign_ids))
        .group_by(CampaignRecipient.campaign_id, answer)
    ).all()
    counts: dict[int, dict[Answer, int]] = {cid: dict.fromkeys(Answer, 0) for cid in campaign_ids}
    opened = dict.fromkeys(campaign_ids, 0)
    for campaign_id, value, count, opened_count in rows:
        counts[campaign_id][Answer(value)] = count
        opened[campaign_id] += opened_count
    return {
        cid: Figures(sum(counts[cid].values()), counts[cid], opened[cid]) for cid in campaign_ids
    }


@dataclasses.dataclass(frozen=True)
class FollowUp:
    campaign: Campaign
    figures: Figures
    lines: list[tuple[CampaignRecipient, Answer]]
    #: When « relancer » is possible again (``None``: now).
    next_reminder_at: dt.datetime | None


def get_campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError("Cette campagne n'existe pas.")
    return campaign


def follow_up(campaign_id: int) -> FollowUp:
    campaign = get_campaign(campaign_id)
    lines = [
        (recipient, Answer(answer))
        for recipient, answer in db.session.execute(
            select(CampaignRecipient, _answer())
            .join(Campaign, Campaign.id == CampaignRecipient.campaign_id)
            .where(CampaignRecipient.campaign_id == campaign.id)
            .order_by(
                CampaignRecipient.structure_name,
                CampaignRecipient.last_name,
                CampaignRecipient.email,
            )
        )
    ]
    return FollowUp(campaign, figures([campaign.id])[campaign.id], lines, _next_reminder(campaign))


def _next_reminder(campaign: Campaign) -> dt.datetime | None:
    days = current_app.config["CAMPAIGN_RESEND_DAYS"]
    allowed = campaign.last_sent_at + dt.timedelta(days=days)
    return allowed if utcnow() < allowed else None


def _not_answered(campaign: Campaign) -> list[CampaignRecipient]:
    answer = _answer()
    return list(
        db.session.scalars(
            select(CampaignRecipient)
            .join(Campaign, Campaign.id == CampaignRecipient.campaign_id)
            .where(
                CampaignRecipient.campaign_id == campaign.id,
                answer.in_([value.value for value in NOT_ANSWERED]),
            )
            .order_by(CampaignRecipient.id)
        )
    )


def remind(campaign_id: int) -> int:
    """« Relancer »: one more mail to each recipient who did not answer; refused
    within ``CAMPAIGN_RESEND_DAYS`` of the last sending. Returns how many were queued."""
    with write_transaction():
        campaign = db.session.scalar(
            select(Campaign).where(Campaign.id == campaign_id).with_for_update()
        )
        if campaign is None:
            raise CampaignError("Cette campagne n'existe pas.")
        allowed = _next_reminder(campaign)
        if allowed is not None:
            raise CampaignError(
                "Une relance a déjà été envoyée récemment : la prochaine est possible "
                f"à partir du {french_datetime(allowed)}."
            )
        if campaign.event.status is not EventStatus.PUBLISHED:
            raise CampaignError("L'événement n'est plus ouvert aux inscriptions.")
        targets = _not_answered(campaign)
        if not targets:
            raise CampaignError("Tout le monde a répondu : personne à relancer.")
        number = campaign.reminder_count + 1
        enqueue_pending_many(
            REMINDER,
            [
                PendingMail(
                    f"{REMINDER}:{recipient.id}:{number}",
                    Recipient(recipient.email, f"{recipient.first_name} {recipient.last_name}"),
                    _args(recipient.id, number),
                )
                for recipient in targets
            ],
            event_id=campaign.event_id,
            unsubscribable=True,
        )
        for recipient in targets:
            recipient.reminders += 1
        campaign.reminder_count = number
        campaign.reminded_at = utcnow()
    return len(targets)


def reminder_count(campaign_id: int) -> int:
    """How many « relancer » would write to now."""
    return len(_not_answered(get_campaign(campaign_id)))


def list_campaigns(event_id: int | None = None) -> list[tuple[Campaign, Figures]]:
    """Newest first, of one event or all, with their figures."""
    query = select(Campaign).order_by(Campaign.sent_at.desc(), Campaign.id.desc()).limit(200)
    if event_id is not None:
        query = query.where(Campaign.event_id == event_id)
    campaigns = db.session.scalars(query).all()
    counted = figures([campaign.id for campaign in campaigns])
    return [(campaign, counted[campaign.id]) for campaign in campaigns]


def record_opened(recipient: CampaignRecipient) -> None:
    """The registration form was opened through the personal link (first time kept)."""
    if recipient.opened_at is not None:
        return
    with write_transaction():
        db.session.execute(
            CampaignRecipient.__table__.update()
            .where(CampaignRecipient.id == recipient.id, CampaignRecipient.opened_at.is_(None))
            .values(opened_at=utcnow())
        )


def record_registration(recipient_id: int, registration_id: int) -> None:
    with write_transaction():
        db.session.execute(
            CampaignRecipient.__table__.update()
            .where(CampaignRecipient.id == recipient_id)
            .values(registration_id=registration_id)
        )
