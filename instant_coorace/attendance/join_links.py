"""Personal join links of online sessions (``/j/<token>``).

Like the management link (``registrations/tokens.py``), the token is the HMAC
of the registration's nonce under the secret key, and only its SHA-256 is kept:
a ``JoinLink`` row per version of the link, so that the link still says what
became of its registration once the seat was handed over (the nonce then
changes and the new holder gets a link of their own). Mails carry a marker
(``mail/links.py``) made into the link as they leave.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac

from flask import current_app
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column

from instant_coorace.database import UTCDateTime, per_dialect, utcnow
from instant_coorace.extensions import db
from instant_coorace.mail.links import marker, register_link_kind
from instant_coorace.registrations.models import Registration
from instant_coorace.registrations.tokens import hash_token
from instant_coorace.transactions import write_transaction
from instant_coorace.urls import absolute_url

JOIN_LINK = "join"
"""The kind of link (``mail/links.py``) that leads into a registration's online session."""


class JoinLink(db.Model):
    """One version of a registration's join link: the hash of its token, and
    whom the registration was for when it was given."""

    __tablename__ = "join_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), index=True
    )
    #: The registrant the link was given to: another one now means a seat handed over.
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


_KEEP = per_dialect(
    lambda insert: insert(JoinLink.__table__).on_conflict_do_nothing(index_elements=["token_hash"])
)


def join_token(registration: Registration) -> str:
    """The registration's join token as it is now, its hash kept (in the caller's
    transaction) so that the link opens."""
    token = derive(registration.token_nonce)
    db.session.execute(
        _KEEP[db.engine.dialect.name],
        {
            "token_hash": hash_token(token),
            "registration_id": registration.id,
            "person_id": registration.person_id,
            "created_at": utcnow(),
        },
    )
    return token


def registration_join_token(registration: Registration) -> str | None:
    """The join token the registrant's own page shows, if they have one; its
    hash is written the first time only."""
    if not registration.shows_visio_link:
        return None
    token = derive(registration.token_nonce)
    known = db.session.scalar(select(JoinLink.id).where(JoinLink.token_hash == hash_token(token)))
    if known is None:
        registration_id = registration.id
        with write_transaction():
            join_token(db.session.get(Registration, registration_id))
    return token


def registrant_join_url(registration: Registration) -> str | None:
    """The address of the registrant's join link, for their own calendar files."""
    token = registration_join_token(registration)
    return absolute_url("join.join", token=token) if token else None


def join_link(mail_key: str, registration: Registration) -> str:
    """What a mail stores in place of the registration's join link."""
    join_token(registration)
    return marker(mail_key, JOIN_LINK, registration.id, registration.token_nonce)


def join_urls(registration_ids: set[int]) -> dict[int, tuple[str, str]]:
    """The join links of these registrations, with the nonce each derives from."""
    rows = db.session.execute(
        select(Registration.id, Registration.token_nonce).where(
            Registration.id.in_(registration_ids)
        )
    )
    return {
        registration_id: (nonce, absolute_url("join.join", token=derive(nonce)))
        for registration_id, nonce in rows
    }


register_link_kind(JOIN_LINK, join_urls)


def derive(nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"join-link:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
