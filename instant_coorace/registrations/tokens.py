"""Personal management links.

A registration keeps a random nonce and the SHA-256 of its token; the token
itself is never stored. It is the HMAC of the nonce under the application's
secret key, so every later email (promotion, change, reminder) can carry the
link again, while a copy of the database alone gives no working link: the
outbox stores a marker in its place, made into the link only as the mail
leaves (``mail/links.py``). Re-issuing a link (new nonce) invalidates the
previous one.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select

from instant_coorace.extensions import db
from instant_coorace.mail.links import marker, register_link_kind
from instant_coorace.registrations.models import Registration
from instant_coorace.urls import absolute_url

MANAGE_LINK = "manage"
"""The kind of link (``mail/links.py``) that leads to a registration's own page."""


@dataclasses.dataclass(frozen=True)
class Link:
    """A new personal link: ``nonce`` and ``token_hash`` are stored, ``token`` is given."""

    nonce: str
    token: str
    token_hash: str


def new_link() -> Link:
    nonce = secrets.token_hex(16)
    token = derive_token(nonce)
    return Link(nonce, token, hash_token(token))


def issue_token(registration: Registration) -> str:
    """Give ``registration`` a new link; any previous one stops working."""
    link = new_link()
    registration.token_nonce = link.nonce
    registration.token_hash = link.token_hash
    return link.token


def management_token(registration: Registration) -> str:
    """The registration's current link, re-issued if the secret key changed since."""
    token = derive_token(registration.token_nonce)
    if not hmac.compare_digest(hash_token(token), registration.token_hash):
        return issue_token(registration)
    return token


def manage_link(mail_key: str, registration: Registration) -> str:
    """What a mail stores in place of the registration's link (see ``mail/links.py``)."""
    management_token(registration)  # re-issued first if the secret key changed
    return marker(mail_key, MANAGE_LINK, registration.id, registration.token_nonce)


def manage_urls(registration_ids: set[int]) -> dict[int, tuple[str, str]]:
    """The links of these registrations as they work now, with the nonce each
    derives from; a registration whose link no longer works is left out."""
    return {
        registration_id: (nonce, absolute_url("registrations.manage", token=token))
        for registration_id, (nonce, token) in working_tokens(registration_ids).items()
    }


def working_tokens(registration_ids: set[int]) -> dict[int, tuple[str, str]]:
    """``{id: (nonce, token)}`` of these registrations' links that work now, for
    the pages other domains open with the registrant's link (following a series)."""
    rows = db.session.execute(
        select(Registration.id, Registration.token_nonce, Registration.token_hash).where(
            Registration.id.in_(registration_ids)
        )
    )
    tokens = {}
    for registration_id, nonce, token_hash in rows:
        token = derive_token(nonce)
        if hmac.compare_digest(hash_token(token), token_hash):
            tokens[registration_id] = (nonce, token)
    return tokens


register_link_kind(MANAGE_LINK, manage_urls)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def derive_token(nonce: str, purpose: str = "registration-link") -> str:
    """The token ``nonce`` gives under the secret key; another kind of personal
    link (a series follower's) derives its own under another ``purpose``."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"{purpose}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
