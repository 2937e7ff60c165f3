"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, recording what it accepts.

Use it from a test module with ``pytest_plugins = ("tests.smtp_server",)``; the
``smtp_server`` fixture yields a ``RecordingSmtpServer`` whose behaviour a test
switches: accept, answer 451 (try later), refuse a recipient with 550, or stop.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import socket
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from instant_coorace.extensions import mail as mail_extension


@dataclasses.dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


class RecordingHandler:
    """aiosmtpd handler: records accepted mail; behaviour switched by the test."""

    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.temporary_failure = False
        self.refused: set[str] = set()
        self.sessions = 0

    async def handle_EHLO(self, server: SMTP, session: Session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address, _):
        if address in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope):
        if self.temporary_failure:
            return "451 4.3.0 Mail server temporarily rejected message, try again later"
        self.received.append(
            ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 2.0.0 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingSmtpServer:
    def __init__(self) -> None:
        self.handler = RecordingHandler()
        self.port = free_port()
        self._controller: Controller | None = None

    @property
    def received(self) -> list[ReceivedMail]:
        return self.handler.received

    @property
    def sessions(self) -> int:
        """How many SMTP sessions (EHLO greetings) the server has seen."""
        return self.handler.sessions

    def start(self) -> None:
        self._controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, decode_data=False
        )
        self._controller.start()

    def stop(self) -> None:
        """Take the server down: connections are refused until ``start``."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def fail_temporarily(self, failing: bool = True) -> None:
        self.handler.temporary_failure = failing

    def refuse(self, address: str) -> None:
        self.handler.refused.add(address)


@pytest.fixture
def smtp_server():
    server = RecordingSmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_app(app, smtp_server):
    """The test app, delivering through ``smtp_server`` (Flask-Mail reconfigured)."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT_SECONDS=5)
    mail_extension.init_app(app)
    return app
