"""The personal check-in link a registrant's QR code carries.

It leads to the staff check-in page of that one registration, so it must open
nothing without a staff login, and knowing it must not give the registrant's own
management link (a bystander could read the code off a screen). So it is a
different token: the registration's id and an HMAC of its link nonce under the
secret key, with a purpose of its own. Nothing of it is stored; a link
re-issued (a seat handed over) gives the new holder a new code and makes the
old one lead nowhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from flask import current_app
from sqlalchemy import select

from instant_coorace.extensions import db
from instant_coorace.mail.links import marker, register_link_kind
from instant_coorace.registrations.models import Registration
from instant_coorace.urls import absolute_url

QR_IMAGE_LINK = "check_in_qr"
"""The kind of link (``mail/links.py``) of the QR code image a mail shows."""

_TOKEN = re.compile(r"(\d{1,18})\.([A-Za-z0-9_-]{22})")
#: A check-in address or a bare token, as a USB scanner types it into the search.
_SCANNED = re.compile(r"(?:^|/)accueil/(" + _TOKEN.pattern + r")/?$|^(" + _TOKEN.pattern + r")$")


def check_in_token(registration: Registration) -> str:
    return f"{registration.id}.{_signature(registration.token_nonce)}"


def check_in_url(registration: Registration) -> str:
    return absolute_url("check_in.scanned", token=check_in_token(registration))


def registration_of_token(token: str) -> Registration | None:
    """The registration a check-in token was made for, if it still holds."""
    found = _TOKEN.fullmatch(token)
    if found is None:
        return None
    registration = db.session.get(Registration, int(found.group(1)))
    if registration is None or not hmac.compare_digest(
        found.group(2), _signature(registration.token_nonce)
    ):
        return None
    return registration


def scanned_token(text: str) -> str | None:
    """The check-in token in what was typed or scanned into the search, if any."""
    found = _SCANNED.search(text.strip().split("?")[0].split("#")[0])
    if found is None:
        return None
    return found.group(1) or found.group(4)


def qr_image_marker(mail_key: str, registration: Registration) -> str:
    """What a mail stores where its QR code image's address goes (filled at delivery)."""
    return marker(mail_key, QR_IMAGE_LINK, registration.id, registration.token_nonce)


def _qr_image_urls(registration_ids: set[int]) -> dict[int, tuple[str, str]]:
    rows = db.session.execute(
        select(Registration).where(Registration.id.in_(registration_ids))
    ).scalars()
    return {
        registration.id: (
            registration.token_nonce,
            absolute_url("check_in_code.qr_image", token=check_in_token(registration)),
        )
        for registration in rows
    }


register_link_kind(QR_IMAGE_LINK, _qr_image_urls)


def _signature(nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, b"check-in-link:" + nonce.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
