"""Handing messages over: to the SMTP server configured for Flask-Mail,
or, with no ``MAIL_SERVER``, to ``.eml`` files under ``instance/mail/``.

Every failure comes out as a ``DeliveryFailure`` that says whether trying again
later makes sense (4xx replies, refused or lost connections, timeouts) or not
(5xx replies: a refused recipient, a rejected message).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import re
import smtplib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from flask import current_app

from instant_coorace.database import utcnow
from instant_coorace.mail.attachments import Attachment
from instant_coorace.mail.message import MailContent


@dataclasses.dataclass(frozen=True)
class ClaimedMail:
    """A mail the worker owns until ``lease``: its envelope, and the content its
    message is built from (``message.build_message``): the stored one, with its
    personal links made real in memory (``links.personalise``)."""

    id: int
    purpose: str
    attempts: int
    lease: dt.datetime
    envelope_from: str
    envelope_to: str
    content: MailContent
    #: Files made for this delivery (``mail/attachments.py``); ``None`` when the
    #: mail's document could not be made, which fails the mail for good.
    attachments: tuple[Attachment, ...] | None = ()
    #: For an unsubscribable mail: the link its ``List-Unsubscribe`` header carries.
    list_unsubscribe: str | None = None


class DeliveryFailure(Exception):
    """Why a mail did not go; ``connection_lost`` means the rest of the batch
    cannot go through this connection either."""

    def __init__(self, reason: str, *, permanent: bool, connection_lost: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.connection_lost = connection_lost


class Transport(Protocol):
    def send(self, mail: ClaimedMail, wire: bytes) -> None:
        """Deliver ``mail``, whose message is ``wire``, or raise ``DeliveryFailure``."""


@contextlib.contextmanager
def open_transport() -> Iterator[Transport]:
    """One connection for a whole batch; raises ``DeliveryFailure`` if it cannot open."""
    settings = current_app.extensions["mail"]
    if not settings.server:
        yield MailDirectory(Path(current_app.instance_path) / "mail")
        return
    try:
        host = _connect(settings, current_app.config["MAIL_TIMEOUT_SECONDS"])
    except (smtplib.SMTPException, OSError) as error:
        raise failure_from(error, connection_lost=True) from error
    try:
        yield SmtpTransport(host)
    finally:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            host.quit()


class SmtpSettings(Protocol):
    """What Flask-Mail read from the configuration (``app.extensions["mail"]``)."""

    server: str
    port: int | None
    use_ssl: bool
    use_tls: bool
    username: str | None
    password: str | None


def _connect(settings: SmtpSettings, timeout: float) -> smtplib.SMTP:
    """Flask-Mail's ``Connection.configure_host`` (its server, port, TLS/SSL and
    login settings) with a timeout from the first byte: Flask-Mail opens the
    socket without one, so a server that accepts and never greets would hold
    the worker forever."""
    factory = smtplib.SMTP_SSL if settings.use_ssl else smtplib.SMTP
    host = factory(settings.server, settings.port, timeout=timeout)
    try:
        if settings.use_tls:
            host.starttls()
        if settings.username and settings.password:
            host.login(settings.username, settings.password)
    except BaseException:
        host.close()
        raise
    return host


class SmtpTransport:
    def __init__(self, host: smtplib.SMTP) -> None:
        self.host = host

    def send(self, mail: ClaimedMail, wire: bytes) -> None:
        # The envelope names one recipient, whatever the headers say.
        try:
            self.host.sendmail(mail.envelope_from, [mail.envelope_to], wire)
        except (smtplib.SMTPException, OSError) as error:
            raise failure_from(error) from error


class MailDirectory:
    """Development delivery: one ``<time>-<id>-<purpose>.eml`` file per mail,
    written under a temporary name then renamed, so no half file is ever seen."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, mail: ClaimedMail, wire: bytes) -> None:
        purpose = re.sub(r"[^a-z0-9_-]+", "-", mail.purpose.lower())
        name = f"{utcnow():%Y%m%dT%H%M%S%fZ}-{mail.id}-{purpose}.eml"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(descriptor, "wb") as file:
                file.write(wire)
            os.replace(temporary, self.directory / name)
        except OSError as error:
            raise DeliveryFailure(f"Écriture impossible : {error}", permanent=False) from error


def failure_from(error: Exception, *, connection_lost: bool = False) -> DeliveryFailure:
    """Classify an smtplib or socket error."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        return DeliveryFailure(_reply_text(code, reply), permanent=code >= 500)
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return DeliveryFailure(
            f"Connexion au serveur SMTP interrompue : {error}",
            permanent=False,
            connection_lost=True,
        )
    if isinstance(error, smtplib.SMTPResponseException):
        code = error.smtp_code
        return DeliveryFailure(
            _reply_text(code, error.smtp_error),
            permanent=code >= 500 and not connection_lost,
            connection_lost=connection_lost or code == 421,
        )
    return DeliveryFailure(
        f"Serveur SMTP injoignable : {error}", permanent=False, connection_lost=True
    )


def _reply_text(code: int, reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return f"{code} {text}"
