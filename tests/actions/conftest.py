"""A real SMTP server on loopback (aiosmtpd) and Django pointed at it."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.conftest import free_port, smtp_serving


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage
    raw: bytes


@dataclass
class SmtpHandler:
    received: list[Received] = field(default_factory=list)
    # address -> SMTP reply for RCPT TO, to play a refusing or busy server
    refuse: dict[str, str] = field(default_factory=dict)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        reply = self.refuse.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = bytes(envelope.original_content or envelope.content)
        message = email.message_from_bytes(raw, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, raw))
        return "250 Message accepted"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


@dataclass
class Smtp:
    handler: SmtpHandler
    port: int

    @property
    def received(self) -> list[Received]:
        return self.handler.received


@pytest.fixture
def smtp(settings: Any) -> Iterator[Smtp]:
    handler = SmtpHandler()
    with smtp_serving(handler, settings) as port:
        settings.URGENT_FROM_EMAIL = "Urgent Demo <actions@urgent.example.org>"
        yield Smtp(handler, port)


@pytest.fixture
def smtp_down(settings: Any) -> int:
    """Django pointed at a loopback port where no SMTP server listens."""
    port = free_port()
    settings.EMAIL_BACKEND = "urgent.core.mail.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.URGENT_FROM_EMAIL = "Urgent Demo <actions@urgent.example.org>"
    return port
