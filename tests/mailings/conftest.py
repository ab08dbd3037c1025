"""A real SMTP server on loopback (aiosmtpd) and invented supporters for mailing tests."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest

from tests.conftest import free_port, smtp_serving


@dataclass
class Received:
    mail_from: str
    rcpt_to: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SmtpServer:
    """What the server received, and how it should answer (set by the test)."""

    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    refuse_all: str = ""
    refuse: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def recipients(self) -> list[str]:
        return [r for message in self.received for r in message.rcpt_to]

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if self.refuse_all:
            return self.refuse_all
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
            )
        return "250 2.0.0 queued"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    port = free_port()
    server = SmtpServer(host="127.0.0.1", port=port)
    with smtp_serving(server, settings, port=port):
        settings.URGENT_FROM_EMAIL = "Urgent Network <urgent@urgent.example.org>"
        settings.URGENT_BASE_URL = "https://urgent.example.org"
        yield server


_counter = itertools.count(1)


def supporter_make(**fields: Any) -> Any:
    from urgent.supporters.models import Supporter

    n = next(_counter)
    values: dict[str, Any] = {
        "email": f"supporter{n}@example.org",
        "name": f"Supporter {n}",
        "language": "en",
        "status": Supporter.Status.ACTIVE,
    }
    values.update(fields)
    return Supporter.objects.create(**values)


def mailing_make(*, supporters: Any = None, start: bool = True, **fields: Any) -> Any:
    from urgent.mailings import services
    from urgent.supporters.models import Supporter

    values: dict[str, Any] = {
        "kind": "alert",
        "name": "Alert UA 101/26",
        "template_prefix": "mailings/alert",
        "context": {
            "case": {
                "reference": "UA 101/26",
                "headline": "Journalist detained <incommunicado>",
                "country_name": "Examplestan",
                "url": "https://urgent.example.org/cases/ua-101-26/",
                "asks": ["Release her now", "Let her see a lawyer"],
                "deadline": "30 December 2026",
                "summary": "An invented journalist was taken from her home.",
            }
        },
    }
    values.update(fields)
    mailing = services.mailing_create(**values)
    audience = supporters if supporters is not None else Supporter.objects.all()
    services.mailing_audience_add(mailing=mailing, supporters=audience)
    if start:
        services.mailing_start(mailing=mailing)
        mailing.refresh_from_db()
    return mailing
