"""A campaign's mails as they are sent: rendered by the worker right before
delivery from the campaign and its recipient as they are then, so the 5,000
rows a campaign writes cost no template. Nothing is sent for an event no
longer published, nor a relance to someone who registered since it was queued
(an invitation still goes: its audience left out those registered already)."""

from __future__ import annotations

import dataclasses

from flask import current_app, render_template
from markupsafe import Markup, escape
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from instant_coorace.events.models import Event, EventFormat, EventStatus
from instant_coorace.extensions import db
from instant_coorace.formatting import french_date
from instant_coorace.invitations import placeholders
from instant_coorace.invitations.campaigns import INVITATION, REMINDER
from instant_coorace.invitations.following import stop_following_link
from instant_coorace.invitations.models import Campaign, CampaignRecipient, SeriesFollower
from instant_coorace.invitations.tokens import campaign_marker
from instant_coorace.invitations.unsubscribe import optional_renderer
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.mail.rendering import Rendered, register_renderer
from instant_coorace.markdown import render_markdown
from instant_coorace.members.models import Person
from instant_coorace.registrations.models import ACTIVE_STATUSES, Registration

# Survives Markdown untouched; becomes the link once the body is HTML.
_LINK_SENTINEL = "LIENPERSONNELINSCRIPTION"


@dataclasses.dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: Markup


def compose(campaign_subject: str, body: str, event: Event, person: dict, link: str) -> Message:
    """The subject and message of one recipient's mail; ``person`` has
    ``first_name``, ``last_name`` and ``structure_name``; ``link`` is what stands
    for the personal link (a marker, or « [lien personnel] » in a preview)."""
    values = {
        "prenom": person["first_name"],
        "nom": person["last_name"],
        "structure": person["structure_name"],
        "evenement": event.title,
        "date": french_date(event.starts_at) if event.starts_at else "",
        "lieu": place(event),
    }
    subject = placeholders.fill(campaign_subject, values | {placeholders.LINK: ""})
    text = placeholders.fill(body, values | {placeholders.LINK: link})
    markdown = placeholders.fill(
        body,
        {name: placeholders.markdown_literal(value) for name, value in values.items()}
        | {placeholders.LINK: _LINK_SENTINEL},
    )
    html = str(render_markdown(markdown))
    html = html.replace(f'href="{_LINK_SENTINEL}"', f'href="{escape(link)}"')
    html = html.replace(_LINK_SENTINEL, f'<a href="{escape(link)}">{escape(link)}</a>')
    return Message(subject, text, Markup(html))  # noqa: S704 - sanitised, then our link


def place(event: Event) -> str:
    if event.format is EventFormat.ONLINE:
        return "en visio"
    where = ", ".join(part for part in (event.venue_name, event.venue_address) if part)
    if event.format is EventFormat.HYBRID:
        return f"{where} ou en visio" if where else "en visio"
    return where or "lieu à préciser"


def render(mail: OutgoingMail, unsubscribe_url: str) -> Rendered | None:
    recipient = db.session.get(CampaignRecipient, mail.render_args["recipient_id"])
    if recipient is None:
        return None
    campaign = recipient.campaign
    event = campaign.event
    if event.status is not EventStatus.PUBLISHED:
        return None
    if mail.purpose == REMINDER and _registered(recipient, event.id):
        return None
    link = campaign_marker(mail.dedup_key, recipient)
    person = {
        "first_name": recipient.first_name,
        "last_name": recipient.last_name,
        "structure_name": recipient.structure_name,
    }
    message = compose(campaign.subject, campaign.body, event, person, link)
    subject = f"Relance : {message.subject}" if mail.purpose == REMINDER else message.subject
    context = {
        "subject": subject,
        "event": event,
        "recipient": recipient,
        "message": message,
        "link": link,
        "unsubscribe_url": unsubscribe_url,
        "stop_following_url": _stop_following_url(mail.dedup_key, recipient, event),
        "show_visio_link": False,
        "organisation": current_app.config["ORGANISATION_NAME"],
        "contact_email": current_app.config["CONTACT_EMAIL"],
    }
    return Rendered(
        subject=subject,
        text_body=render_template("invitations/campaign_mail.txt", **context),
        html_body=render_template("invitations/campaign_mail.html", **context),
    )


def _stop_following_url(mail_key: str, recipient: CampaignRecipient, event: Event) -> str | None:
    """For a follower of the event's series: the link to stop following it,
    which every announcement of the series carries."""
    if event.series_id is None:
        return None
    follower = db.session.scalar(
        select(SeriesFollower)
        .join(Person, Person.id == SeriesFollower.person_id)
        .where(
            SeriesFollower.series_id == event.series_id,
            SeriesFollower.confirmed_at.is_not(None),
            Person.email == recipient.email,
        )
    )
    return stop_following_link(mail_key, follower) if follower else None


def _registered(recipient: CampaignRecipient, event_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Person.email == recipient.email,
                    Registration.person_id == Person.id,
                    Registration.event_id == event_id,
                    Registration.status.in_(ACTIVE_STATUSES),
                )
            )
        )
    )


def preload(mails: list[OutgoingMail]) -> list[object]:
    """The batch's recipients, campaigns and events, in three queries."""
    recipients = db.session.scalars(
        select(CampaignRecipient)
        .where(CampaignRecipient.id.in_({mail.render_args["recipient_id"] for mail in mails}))
        .options(
            selectinload(CampaignRecipient.campaign)
            .selectinload(Campaign.event)
            .selectinload(Event.sessions)
        )
    ).all()
    return list(recipients)


for _purpose in (INVITATION, REMINDER):
    register_renderer(_purpose, optional_renderer(render), preload)
