"""Rendering pending mail just before delivery.

The domain that writes ``pending`` mail registers, for each purpose, a renderer:
a function turning the pending row into what is sent, or returning ``None``
when the mail no longer applies (an invitation to a seat given up since), in
which case the mail is cancelled, not sent. The mail package never imports the
domains that write mail; they register here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from flask import current_app
from sqlalchemy import select

from instant_coorace.database import utcnow
from instant_coorace.extensions import db
from instant_coorace.mail.message import calendar_method
from instant_coorace.mail.models import MailStatus, OutgoingMail
from instant_coorace.mail.outbox import CalendarAttachment
from instant_coorace.transactions import write_transaction


@dataclasses.dataclass(frozen=True)
class Rendered:
    subject: str
    text_body: str
    html_body: str = ""
    calendar: CalendarAttachment | None = None


Renderer = Callable[[OutgoingMail], Rendered | None]
Preloader = Callable[[list[OutgoingMail]], list[object]]
"""Loads what a batch's renderers read, in a few queries rather than a few per mail;
returns the loaded objects, which are kept alive while the batch renders."""

_renderers: dict[str, Renderer] = {}
_preloaders: dict[str, Preloader] = {}


def register_renderer(purpose: str, renderer: Renderer, preload: Preloader | None = None) -> None:
    _renderers[purpose] = renderer
    if preload is not None:
        _preloaders[purpose] = preload


def render_all_pending() -> int:
    """Render every pending mail, a batch per transaction; returns how many were handled."""
    handled = 0
    while batch := render_pending():
        handled += batch
    return handled


def render_pending(limit: int = 200) -> int:
    """Render up to ``limit`` pending mails in one transaction; returns how many
    were handled (queued, or dropped as no longer applying). Two workers never
    render the same mail: PostgreSQL skips the rows another one locked, SQLite
    runs one writer at a time."""
    query = (
        select(OutgoingMail)
        .where(OutgoingMail.status == MailStatus.PENDING)
        .order_by(OutgoingMail.id)
        .limit(limit)
    )
    if db.engine.dialect.name != "sqlite":
        query = query.with_for_update(skip_locked=True)
    with write_transaction() as session:
        mails = session.scalars(query).all()
        loaded = _preload(mails)  # noqa: F841 - held so the identity map keeps them
        for mail in mails:
            _render(mail)
    return len(mails)


def _preload(mails: list[OutgoingMail]) -> list[object]:
    loaded: list[object] = []
    for preload in set(filter(None, (_preloaders.get(mail.purpose) for mail in mails))):
        loaded += preload([mail for mail in mails if _preloaders.get(mail.purpose) is preload])
    return loaded


def _render(mail: OutgoingMail) -> None:
    renderer = _renderers.get(mail.purpose)
    try:
        if renderer is None:
            raise LookupError(f"aucun rendu pour « {mail.purpose} »")
        with db.session.begin_nested():
            rendered = renderer(mail)
    except Exception as error:
        current_app.logger.exception("Rendering mail %s failed", mail.id)
        mail.status = MailStatus.FAILED
        mail.last_error = f"Rendu impossible : {error}"
        return
    if rendered is None:
        mail.status = MailStatus.CANCELLED
        mail.last_error = "Sans objet au moment de l'envoi : non envoyé."
        return
    mail.subject = rendered.subject
    mail.text_body = rendered.text_body
    mail.html_body = rendered.html_body
    if rendered.calendar is not None:
        mail.calendar_text = rendered.calendar.text
        mail.calendar_method = calendar_method(rendered.calendar.text)
        mail.attachment_filename = rendered.calendar.filename
    mail.status = MailStatus.QUEUED
    mail.next_attempt_at = utcnow()
