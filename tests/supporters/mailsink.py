"""A real SMTP server on loopback that keeps what it receives, for end-to-end mail tests."""

from __future__ import annotations

import email
import threading
import time
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from typing import Any

import pytest

from tests.conftest import smtp_serving


class Sink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def wait_for(self, count: int = 1, timeout: float = 20) -> list[EmailMessage]:
        """The messages received once there are `count` of them (fails after `timeout`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} message(s), got {len(self.messages)}")


@pytest.fixture
def smtp_sink(settings: Any) -> Iterator[Sink]:
    """Outgoing mail goes over SMTP to a local aiosmtpd server; yields what it received."""
    sink = Sink()
    with smtp_serving(sink, settings):
        yield sink


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())
