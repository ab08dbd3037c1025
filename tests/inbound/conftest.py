"""The inbound tests' shared parts: the mail receiver on loopback, and waiting for routing."""

from __future__ import annotations

import smtplib
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError

from tests.conftest import free_port
from tests.supporters.mailsink import smtp_sink
from urgent.inbound.models import InboundMessage
from urgent.inbound.smtp import InboundController

__all__ = ["LIMIT", "receiver", "send", "settled", "smtp_sink"]

LIMIT = 200_000


@pytest.fixture
def receiver(settings: Any) -> Iterator[tuple[str, int]]:
    settings.URGENT_INBOUND_MAX_BYTES = LIMIT
    port = free_port()
    controller = InboundController(host="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port
    finally:
        controller.stop()


def send(
    address: tuple[str, int],
    raw: bytes,
    *,
    mail_from: str = "bo@example.org",
    to: str = "updates@example.org",
) -> None:
    with smtplib.SMTP(*address, timeout=20) as client:
        client.sendmail(mail_from, [to], raw)


def settled(count: int, timeout: float = 20) -> list[InboundMessage]:
    """The stored messages once `count` of them are routed (routing runs after the 250)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            rows = list(InboundMessage.objects.order_by("id"))
        except OperationalError:  # the test database's shared cache, busy with the router
            continue
        if len(rows) >= count and all(r.status != InboundMessage.Status.RECEIVED for r in rows):
            return rows
        time.sleep(0.05)
    raise AssertionError(
        "messages not routed: "
        + str(
            list(
                InboundMessage.objects.values_list("id", "status", "claimed_until", "processed_at")
            )
        )
    )
