"""The two personal links of an invitation: the campaign link, which opens the
registration form pre-filled, and the one-click unsubscribe link.

Neither is ever stored (see ``mail/links.py``). A campaign link is the HMAC of
the recipient's random nonce under the secret key, looked up by its SHA-256
like a registration's (``registrations/tokens.py``). An unsubscribe link names
the mail it came in and carries the HMAC of that mail's id and address: it
unsubscribes that address, and tells the team « from what ».
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app
from sqlalchemy import select

from instant_coorace.extensions import db
from instant_coorace.invitations.models import CampaignRecipient
from instant_coorace.mail.links import UNSUBSCRIBE_LINK, marker, register_link_kind
from instant_coorace.mail.models import OutgoingMail
from instant_coorace.urls import absolute_url

CAMPAIGN_LINK = "campaign"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def new_nonce() -> tuple[str, str]:
    """A recipient's ``(token_nonce, token_hash)``."""
    nonce = secrets.token_hex(16)
    return nonce, hash_token(_derive("campaign-link", nonce))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def campaign_marker(mail_key: str, recipient: CampaignRecipient) -> str:
    """What a mail stores in place of the recipient's personal link."""
    return marker(mail_key, CAMPAIGN_LINK, recipient.id, recipient.token_nonce)


def campaign_urls(recipient_ids: set[int]) -> dict[int, tuple[str, str]]:
    rows = db.session.execute(
        select(CampaignRecipient.id, CampaignRecipient.token_nonce).where(
            CampaignRecipient.id.in_(recipient_ids)
        )
    )
    return {
        recipient_id: (
            nonce,
            absolute_url("invitations.invited", token=_derive("campaign-link", nonce)),
        )
        for recipient_id, nonce in rows
    }


def recipient_by_token(token: str) -> CampaignRecipient | None:
    if not _TOKEN.fullmatch(token or ""):
        return None
    return db.session.scalar(
        select(CampaignRecipient).where(CampaignRecipient.token_hash == hash_token(token))
    )


def unsubscribe_marker(mail: OutgoingMail) -> str:
    """What a mail stores in place of its own unsubscribe link."""
    return marker(mail.dedup_key, UNSUBSCRIBE_LINK, mail.id, mail.to_email.lower())


def unsubscribe_urls(mail_ids: set[int]) -> dict[int, tuple[str, str]]:
    rows = db.session.execute(
        select(OutgoingMail.id, OutgoingMail.to_email).where(OutgoingMail.id.in_(mail_ids))
    )
    return {mail_id: (email.lower(), unsubscribe_url(mail_id, email)) for mail_id, email in rows}


def unsubscribe_url(mail_id: int, email: str) -> str:
    return absolute_url(
        "invitations.unsubscribe_page", mail_id=mail_id, token=_unsubscribe_token(mail_id, email)
    )


def mail_to_unsubscribe(mail_id: int, token: str) -> OutgoingMail | None:
    """The mail whose unsubscribe link this is, if the link is genuine."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    mail = db.session.get(OutgoingMail, mail_id)
    if mail is None or not hmac.compare_digest(_unsubscribe_token(mail_id, mail.to_email), token):
        return None
    return mail


def _unsubscribe_token(mail_id: int, email: str) -> str:
    return _derive("unsubscribe-link", f"{mail_id}:{email.lower()}")


def _derive(purpose: str, value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


register_link_kind(CAMPAIGN_LINK, campaign_urls)
register_link_kind(UNSUBSCRIBE_LINK, unsubscribe_urls)
