"""Arbitrary mail to the inbound router: it is stored, then routed or dropped, never failed.

A message the router raises on would be retried and logged with a traceback on every
pass; whatever a stranger sends must end in a recorded status instead.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings

from tests.fuzz.strategies import address, mime_message
from urgent.inbound.models import InboundMessage
from urgent.inbound.reading import Unreadable, message_read
from urgent.inbound.services import inbound_accept

pytestmark = pytest.mark.django_db


@hypothesis_settings(max_examples=40)
@given(raw=mime_message(), mail_from=address, rcpt=address)
def test_any_message_is_routed_or_dropped_never_failed(
    db: None, django_capture_on_commit_callbacks: Any, raw: bytes, mail_from: str, rcpt: str
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        row = inbound_accept(
            raw=raw, source="smtp", mail_from=mail_from, rcpt_to=[rcpt] if rcpt else []
        )
    row.refresh_from_db()
    assert row.status != InboundMessage.Status.FAILED, row.note
    assert row.status != InboundMessage.Status.RECEIVED


@hypothesis_settings(max_examples=100)
@given(raw=mime_message())
def test_reading_any_bytes_gives_a_message_or_a_reason(raw: bytes) -> None:
    try:
        message_read(raw)
    except Unreadable as exc:
        assert str(exc)
