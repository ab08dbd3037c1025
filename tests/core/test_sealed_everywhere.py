"""No table holds a supporter in clear: not the mail they sent, not a server's answer about
them, not an official's reply quoting their letter. Every column of every table is read back
as the database stores it (SQLite or PostgreSQL) and searched for the supporter."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from tests.mailings.conftest import mailing_make, supporter_make
from urgent.core.queue import Queue, Recorder, queue_claim
from urgent.core.redact import addresses_masked
from urgent.inbound.models import InboundMessage
from urgent.inbound.services import inbound_accept
from urgent.mailings.models import Delivery
from urgent.supporters.models import Supporter

EMAIL = "marit.osterhout@example.net"
NAME = "Marit Osterhout"
REQUEST = (
    f"From: {NAME} <{EMAIL}>\r\n"
    "To: updates@urgent.example\r\n"
    "Subject: Keep me updated on UA 999/26\r\n"
    "Message-ID: <request-1@example.net>\r\n"
    "Date: Sun, 06 Dec 2026 10:00:00 +0000\r\n"
    "\r\n"
    f"Please keep me posted.\r\n{NAME}\r\n"
).encode()


def stored_text() -> str:
    """Every value of every table, as stored, lower-cased."""
    found: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608
            for row in cursor.fetchall():
                found.extend(_text(value) for value in row)
    return "\n".join(found).lower()


def _text(value: Any) -> str:
    if isinstance(value, memoryview | bytes):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


@pytest.mark.django_db
def test_mail_in_and_servers_answers_keep_no_supporter_in_clear() -> None:
    supporter = supporter_make(email=EMAIL, name=NAME)
    mailing = mailing_make(supporters=Supporter.objects.filter(pk=supporter.pk))
    row = inbound_accept(raw=REQUEST, source="smtp", mail_from=EMAIL, peer="192.0.2.7")
    assert row.status != InboundMessage.Status.RECEIVED  # routed, and kept
    assert bytes(InboundMessage.objects.get(pk=row.pk).raw) == REQUEST
    later = timezone.now() + timedelta(days=1)
    queue = Queue(model=Delivery, lease=timedelta(seconds=60))
    ids = queue_claim(queue, token="t", limit=10, now=later).ids
    assert ids, mailing
    Recorder(Delivery).final(
        ids[0], Delivery.Status.FAILED, f"refused: 550 5.1.1 <{EMAIL}>: Recipient unknown"
    )
    assert (
        Delivery.objects.get(pk=ids[0]).error == "refused: 550 5.1.1 <<address>>: Recipient unknown"
    )
    stored = stored_text()
    assert EMAIL not in stored
    assert NAME.lower() not in stored
    assert "osterhout" not in stored


def test_addresses_are_masked_in_what_servers_answer() -> None:
    assert addresses_masked("550 <a.b+c@mail.example.org> no such user; try x@y.example") == (
        "550 <<address>> no such user; try <address>"
    )
    assert addresses_masked("421 try again later") == "421 try again later"
