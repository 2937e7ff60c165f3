"""A sent invitation campaign for the demonstration, with follow-up figures: some
invitees opened their link, some registered through it, the rest did not answer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update

from instant_coorace.database import utcnow
from instant_coorace.events.models import Event, EventStatus
from instant_coorace.extensions import db
from instant_coorace.invitations import campaigns
from instant_coorace.invitations.audience import Selection
from instant_coorace.invitations.models import Campaign, CampaignRecipient
from instant_coorace.members.models import StructureKind
from instant_coorace.registrations import errors, services
from instant_coorace.registrations.models import RegistrationSource
from instant_coorace.transactions import write_transaction

BODY = (
    "Bonjour {prenom},\n\n"
    "L'équipe de Coorace Occitanie vous invite à **{evenement}**, le {date} ({lieu}).\n\n"
    "Votre formulaire est déjà rempli au nom de {structure} : {lien_inscription}\n\n"
    "À très bientôt !"
)


def load_demo_campaign() -> int:
    """Invite the ACI of the directory to the next event, two days ago; returns
    how many were invited."""
    event = db.session.scalar(
        select(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.starts_at > utcnow())
        .order_by(Event.starts_at)
    )
    if event is None:
        return 0
    draft = campaigns.Draft(
        "Invitation : {evenement} – {date}",
        BODY,
        Selection(kinds=(StructureKind.ACI,)),
        "types ACI",
    )
    sent = campaigns.send(event.id, draft, "demo", None)
    recipients = db.session.scalars(
        select(CampaignRecipient)
        .where(CampaignRecipient.campaign_id == sent.campaign_id)
        .order_by(CampaignRecipient.id)
    ).all()
    sent_at = utcnow() - dt.timedelta(days=2)
    with write_transaction():
        db.session.execute(
            update(Campaign).where(Campaign.id == sent.campaign_id).values(sent_at=sent_at)
        )
        opened = [r.id for index, r in enumerate(recipients) if index % 3 == 0]
        db.session.execute(
            update(CampaignRecipient)
            .where(CampaignRecipient.id.in_(opened))
            .values(opened_at=sent_at + dt.timedelta(hours=5))
        )
    for index, recipient in enumerate(recipients):
        if index % 6 == 0 and recipient.first_name:
            _register_through_link(event.id, recipient)
    return sent.queued


def _register_through_link(event_id: int, recipient: CampaignRecipient) -> None:
    applicant = services.Applicant(
        email=recipient.email,
        first_name=recipient.first_name,
        last_name=recipient.last_name,
        job_title=recipient.job_title or "Chargé·e d'insertion",
        structure_id=recipient.structure_id,
        other_structure_name="" if recipient.structure_id else recipient.structure_name,
    )
    try:
        receipt = services.register(event_id, applicant, source=RegistrationSource.INVITATION)
    except errors.RegistrationError:
        return
    campaigns.record_registration(recipient.id, receipt.registration_id)
