"""Mail one can unsubscribe from, and unsubscribing (RFC 8058).

Every mail that is not transactional (a campaign's invitation and relance, a
series' announcement, the follow-up after an event) is written with
``enqueue_optional`` and rendered by a renderer wrapped in
``optional_renderer``::

    enqueue_optional(purpose="event_follow_up", dedup_key=..., recipient=...,
                     render_args={...}, registration_id=..., event_id=...)
    register_renderer("event_follow_up", optional_renderer(render_follow_up), preload)

where ``render_follow_up(mail, unsubscribe_url)`` puts ``unsubscribe_url`` (a
marker the worker turns into the link at delivery, ``mail/links.py``) at the
foot of the mail. Then:

- an address that unsubscribed gets no such mail (checked when it is queued,
  and again when the worker renders it);
- the worker gives the mail the ``List-Unsubscribe`` and
  ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` headers, whose link,
  like the one in the body, is made at delivery and never stored;
- that link's page shows a button (a GET never unsubscribes: mail scanners
  follow links); a POST to it, the button's or a mail client's one-click one,
  unsubscribes without session or CSRF token.

Transactional mail (a confirmation, a reminder of an event one registered to)
does not go through here and still reaches an unsubscribed address.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlalchemy import exists, select

from instant_coorace.extensions import db
from instant_coorace.invitations.models import Unsubscription
from instant_coorace.invitations.tokens import mail_to_unsubscribe, unsubscribe_marker
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.mail.outbox import Recipient, enqueue_pending, withdraw
from instant_coorace.mail.rendering import Rendered, Renderer
from instant_coorace.pagination import Page, paginate
from instant_coorace.transactions import write_transaction

PAGE_SIZE = 50

#: What the team reads in « désabonné·e depuis » for the purposes it knows.
PURPOSE_LABELS = {
    "campaign_invitation": "Invitation",
    "campaign_reminder": "Relance d'invitation",
    "follow_up": "Suivi après un événement",
}


def is_unsubscribed(email: str) -> bool:
    return bool(
        db.session.scalar(select(exists().where(Unsubscription.email == email.strip().lower())))
    )


def enqueue_optional(
    *,
    purpose: str,
    dedup_key: str,
    recipient: Recipient,
    render_args: dict,
    registration_id: int | None = None,
    event_id: int | None = None,
) -> int | None:
    """Queue a mail that is not transactional, in the caller's transaction, like
    ``outbox.enqueue_pending``: nothing for an address that unsubscribed
    (returns ``None``, as for a key already used), otherwise a mail the worker
    sends with the one-click unsubscribe headers. Its renderer must be
    registered through ``optional_renderer``."""
    if is_unsubscribed(recipient.email):
        return None
    return enqueue_pending(
        purpose=purpose,
        dedup_key=dedup_key,
        recipient=recipient,
        render_args=render_args,
        registration_id=registration_id,
        event_id=event_id,
        unsubscribable=True,
    )


def optional_renderer(render: Callable[[OutgoingMail, str], Rendered | None]) -> Renderer:
    """A renderer for ``register_renderer`` from ``render(mail, unsubscribe_url)``:
    the mail is dropped if its address unsubscribed since it was queued."""

    def renderer(mail: OutgoingMail) -> Rendered | None:
        if is_unsubscribed(mail.to_email):
            return None
        return render(mail, unsubscribe_marker(mail))

    return renderer


class LinkInvalid(Exception):
    """A forged link, or one whose mail is no longer kept."""


@dataclasses.dataclass(frozen=True)
class Unsubscribed:
    email: str
    #: Whether the address had unsubscribed before (nothing changed).
    already: bool


def check_link(mail_id: int, token: str) -> str:
    """The address a genuine link unsubscribes; ``LinkInvalid`` otherwise."""
    mail = mail_to_unsubscribe(mail_id, token)
    if mail is None:
        raise LinkInvalid()
    return mail.to_email.strip().lower()


def unsubscribe(mail_id: int, token: str) -> Unsubscribed:
    """Record that the address of the mail ``mail_id`` wants no more optional
    mail, and withdraw those of its mails still waiting. Doing it twice is harmless."""
    with write_transaction():
        mail = mail_to_unsubscribe(mail_id, token)
        if mail is None:
            raise LinkInvalid()
        email = mail.to_email.strip().lower()
        if is_unsubscribed(email):
            return Unsubscribed(email, already=True)
        with db.session.begin_nested():
            db.session.add(
                Unsubscription(email=email, from_purpose=mail.purpose, from_subject=mail.subject)
            )
        waiting = db.session.scalars(
            select(OutgoingMail.id).where(
                OutgoingMail.to_email == mail.to_email,
                OutgoingMail.unsubscribable.is_(True),
                OutgoingMail.status.in_((MailStatus.PENDING, MailStatus.QUEUED)),
            )
        ).all()
        if waiting:
            withdraw(list(waiting), "Désabonné·e : non envoyé.")
    return Unsubscribed(email, already=False)


def list_unsubscriptions(page: int = 1) -> Page[Unsubscription]:
    """Newest first, for the team (who cannot undo them)."""
    query = select(Unsubscription).order_by(
        Unsubscription.created_at.desc(), Unsubscription.id.desc()
    )
    return paginate(query, page, PAGE_SIZE)
