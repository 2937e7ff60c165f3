"""Turning an outbox row into the bytes an SMTP server receives.

The MIME tree, when a calendar is attached (what Outlook, Gmail, Apple Calendar
and Thunderbird recognise as an invitation)::

    multipart/mixed
    ├── multipart/alternative
    │   ├── text/plain
    │   ├── text/html
    │   └── text/calendar; charset=UTF-8; method=REQUEST
    └── application/ics (attachment ``invitation.ics``)

Built with the email package's classic MIME classes: its newer header registry
parses every header it is given and costs ~7 ms a message, more than sending it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from email import charset as email_charset
from email import policy
from email.encoders import encode_base64
from email.header import Header
from email.headerregistry import Address
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime
from typing import Protocol

from instant_coorace.database import utcnow
from instant_coorace.mail.attachments import Attachment
from instant_coorace.mail.models import CalendarMethod

WIRE_POLICY = policy.compat32.clone(linesep="\r\n")
"""How messages are serialised: CRLF line ends, headers as built here."""

_METHOD_LINE = re.compile(r"^METHOD:(.*?)\r?$", re.MULTILINE)
# Every character a mail header or the email package could take for a line end.
_LINE_BREAKS = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
# A bare address: no spaces, quotes, brackets or separators that could smuggle another.
_ADDR_SPEC = re.compile(r"[^\s\"(),:;<>@\[\\\]]+@[^\s\"(),:;<>@\[\\\]]+")

_UTF8_QP = email_charset.Charset("utf-8")
_UTF8_QP.body_encoding = email_charset.QP
"""UTF-8 with quoted-printable bodies, readable in a raw .eml; headers stay base64
encoded-words, which the email package computes far faster."""


def calendar_method(calendar_text: str) -> CalendarMethod:
    """The METHOD of an iCalendar object; ``ValueError`` if absent, repeated or unknown."""
    found = _METHOD_LINE.findall(calendar_text)
    if len(found) != 1:
        raise ValueError("a calendar sent by mail needs exactly one METHOD line")
    return CalendarMethod(found[0].strip().upper())


def single_line(text: str) -> str:
    """``text`` fit for a header: control characters and line breaks become spaces,
    so a name or subject can never start a header of its own."""
    return " ".join(_LINE_BREAKS.sub(" ", text).split(" ")).strip()


def parse_sender(sender: str) -> Address:
    """``MAIL_DEFAULT_SENDER`` (« Nom <adresse> » or a bare address) as an Address."""
    return policy.SMTP.header_factory("From", sender).addresses[0]


class MailContent(Protocol):
    """What a message is built from: an ``OutgoingMail`` or a row of its columns."""

    dedup_key: str
    to_email: str
    to_name: str
    subject: str
    text_body: str
    html_body: str
    calendar_text: str | None
    attachment_filename: str | None


def build_message(
    mail: MailContent,
    sender: Address,
    attachments: Sequence[Attachment] = (),
    *,
    list_unsubscribe: str | None = None,
) -> MIMEBase:
    """The message of ``mail`` with ``attachments`` (made at delivery, see
    ``mail/attachments.py``); ``ValueError`` if its address or calendar is unusable.

    ``list_unsubscribe``: the one-click unsubscribe link of a mail that is not
    transactional, given in the headers of RFC 2369 and RFC 8058 (a client's
    « se désabonner » button POSTs ``List-Unsubscribe=One-Click`` to it)."""
    to_email = mail.to_email.strip()
    if not _ADDR_SPEC.fullmatch(to_email):
        raise ValueError(f"adresse de destinataire invalide : {to_email!r}")
    body = _alternative(mail.text_body, mail.html_body)
    files = [_file_part(attachment) for attachment in attachments]
    if mail.calendar_text:
        data = mail.calendar_text.encode("utf-8")
        method = calendar_method(mail.calendar_text)
        filename = mail.attachment_filename or "invitation.ics"
        if not isinstance(body, MIMEMultipart):
            body = MIMEMultipart("alternative", _subparts=[body])
        body.attach(_base64_part("text", "calendar", data, charset="UTF-8", method=method))
        files.insert(0, _file_part(Attachment(filename, "application/ics", data)))
    message = MIMEMultipart("mixed", _subparts=[body, *files]) if files else body
    message["From"] = _address(sender.display_name, sender.addr_spec)
    message["To"] = _address(mail.to_name, to_email)
    message["Subject"] = _header_text(mail.subject)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = _message_id(mail.dedup_key, sender.domain)
    message["Auto-Submitted"] = "auto-generated"
    if list_unsubscribe:
        message["List-Unsubscribe"] = f"<{single_line(list_unsubscribe)}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for part in message.walk():
        if part is not message:
            del part["MIME-Version"]  # belongs to the top only
    return message


def as_wire_bytes(message: MIMEBase) -> bytes:
    return message.as_bytes(policy=WIRE_POLICY)


def _alternative(text: str, html: str) -> MIMEBase:
    plain = MIMEText(text, "plain", _UTF8_QP)
    if not html:
        return plain
    return MIMEMultipart("alternative", _subparts=[plain, MIMEText(html, "html", _UTF8_QP)])


def _base64_part(maintype: str, subtype: str, data: bytes, **params: str) -> MIMEBase:
    part = MIMENonMultipart(maintype, subtype, **params)
    part.set_payload(data)
    encode_base64(part)
    return part


def _file_part(attachment: Attachment) -> MIMEBase:
    maintype, subtype = attachment.content_type.split("/", 1)
    part = _base64_part(maintype, subtype, attachment.data, name=attachment.filename)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part


def _header_text(text: str) -> str | Header:
    text = single_line(text)
    return text if text.isascii() else Header(text, _UTF8_QP)


def _address(name: str, addr_spec: str) -> str | Header:
    name = single_line(name)
    if not name:
        return addr_spec
    if name.isascii():
        quoted = name.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{quoted}" <{addr_spec}>'
    header = Header(name, _UTF8_QP)
    header.append(f"<{addr_spec}>", "us-ascii")
    return header


def _message_id(dedup_key: str, domain: str) -> str:
    """The same Message-ID on every attempt, so a mail delivered twice despite
    everything still reads as one in the recipient's client."""
    digest = hashlib.sha256(dedup_key.encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@{domain}>"
