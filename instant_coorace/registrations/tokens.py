"""Personal management links.

A registration keeps a random nonce and the SHA-256 of its token; the token
itself is never stored. It is the HMAC of the nonce under the application's
secret key, so every later email (promotion, change, reminder) can carry the
link again, while a copy of the database alone gives no working link.
Re-issuing a link (new nonce) invalidates the previous one.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import secrets

from flask import current_app

from instant_coorace.registrations.models import Registration


@dataclasses.dataclass(frozen=True)
class Link:
    """A new personal link: ``nonce`` and ``token_hash`` are stored, ``token`` is given."""

    nonce: str
    token: str
    token_hash: str


def new_link() -> Link:
    nonce = secrets.token_hex(16)
    token = _derive(nonce)
    return Link(nonce, token, hash_token(token))


def issue_token(registration: Registration) -> str:
    """Give ``registration`` a new link; any previous one stops working."""
    link = new_link()
    registration.token_nonce = link.nonce
    registration.token_hash = link.token_hash
    return link.token


def management_token(registration: Registration) -> str:
    """The registration's current link, re-issued if the secret key changed since."""
    token = _derive(registration.token_nonce)
    if not hmac.compare_digest(hash_token(token), registration.token_hash):
        return issue_token(registration)
    return token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _derive(nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"registration-link:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
