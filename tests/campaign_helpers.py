"""Building a directory to invite from, and reading back the mails a campaign sent."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path

from instant_coorace.extensions import db
from instant_coorace.invitations import campaigns
from instant_coorace.invitations.audience import Selection
from instant_coorace.mail.rendering import render_all_pending
from instant_coorace.mail.worker import deliver_due_mail
from instant_coorace.members.models import Person, Structure

INVITATION_LINK = re.compile(r"http://localhost(/invitation/[A-Za-z0-9_-]{43})")
UNSUBSCRIBE_LINK = re.compile(r"http://localhost(/desabonnement/\d+/[A-Za-z0-9_-]{43})")


def add_people(structure: Structure, count: int, prefix: str) -> list[Person]:
    domain = re.sub(r"[^a-z0-9]+", "-", structure.name.lower())
    people = [
        Person(
            email=f"{prefix}{number}@{domain}.example.org",
            first_name=f"Prénom{number}",
            last_name=f"{prefix.capitalize()} {number}",
            job_title="Encadrant·e technique",
            structure_id=structure.id,
        )
        for number in range(1, count + 1)
    ]
    db.session.add_all(people)
    db.session.commit()
    return people


def deliver(app) -> None:
    """What the worker does: render the pending mail, then write the ``.eml`` files."""
    render_all_pending()
    deliver_due_mail()


def delivered(app, purpose: str) -> list[EmailMessage]:
    return [
        message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in sorted((Path(app.instance_path) / "mail").glob(f"*-{purpose}.eml"))
    ]


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def invitation_path(message: EmailMessage) -> str:
    return INVITATION_LINK.search(text_of(message)).group(1)


def unsubscribe_path(message: EmailMessage) -> str:
    return UNSUBSCRIBE_LINK.search(message["List-Unsubscribe"]).group(1)


def make_campaign(app, event_id: int, *addresses: str) -> tuple[int, str, str]:
    """A campaign to ``addresses`` sent and delivered: its id, and the invitation
    and unsubscribe paths of its first mail."""
    draft = campaigns.Draft(
        "Invitation : {evenement}", "Bonjour {prenom},", Selection(pasted=addresses)
    )
    sent = campaigns.send(event_id, draft, f"cle{event_id}x{len(addresses)}", None)
    deliver(app)
    first = delivered(app, "campaign_invitation")[-1]
    return sent.campaign_id, invitation_path(first), unsubscribe_path(first)


class _FilledForm(HTMLParser):
    """What a browser would submit of a page's form as it stands (inputs, selects)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        fields = dict(attrs)
        if tag == "input" and fields.get("name") and fields.get("type") != "checkbox":
            self.values[fields["name"]] = fields.get("value") or ""
        elif tag == "select":
            self._select = fields.get("name")
        elif tag == "option" and self._select and "selected" in fields:
            self.values[self._select] = fields.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def filled_form(page: str) -> dict[str, str]:
    parser = _FilledForm()
    parser.feed(page)
    return parser.values
