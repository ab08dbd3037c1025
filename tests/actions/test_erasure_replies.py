"""Erasure takes the supporter out of officials' replies: the stored raw message, the copy
the receiver kept, the text and subject. The official's words stay as evidence.

The reply comes in as raw bytes through the inbound receiver's own path, the letter having
gone out through a real SMTP server on loopback.
"""

from __future__ import annotations

import base64
import re
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage

from tests.actions.conftest import Smtp
from tests.actions.helpers import confirmed_letter
from urgent.actions.models import Action, LetterDelivery, OfficialReply
from urgent.actions.services import deliveries_send_due
from urgent.actions.services.common import reply_address
from urgent.inbound.models import InboundMessage
from urgent.inbound.services import inbound_accept
from urgent.outreach.services import supporter_erase
from urgent.supporters.models import Supporter
from urgent.supporters.selectors import supporters_by_email

pytestmark = pytest.mark.django_db

ADDRESS = "ines.writer@example.net"
NAME = "Inès Writer"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "supporters.md"


def official_reply(delivery: LetterDelivery) -> bytes:
    """An official answers with "reply all": the writer in To, our reply address in Cc, the
    letter quoted in a base64 body (so a search of the raw bytes would not find it)."""
    body = (
        f"Dear {NAME},\n\nThe Ministry has received your letter and forwarded it.\n\n"
        f"> I am a nurse in Lyon.\n> {NAME}\n> {ADDRESS.upper()}\n"
    )
    encoded = base64.encodebytes(body.encode()).decode()
    return (
        f"From: Invented Ministry <{delivery.contact_point.value}>\r\n"
        f"To: {NAME} <{ADDRESS}>\r\n"
        f"Cc: {reply_address(delivery.pk)}\r\n"
        f"Subject: Re: your letter, {NAME}\r\n"
        "Message-ID: <reply.1@ministry.example.net>\r\n"
        f"In-Reply-To: {delivery.message_id}\r\n"
        "Date: Mon, 07 Dec 2026 09:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n" + encoded.replace("\n", "\r\n")
    ).encode()


def readable(raw: bytes) -> str:
    message = message_from_bytes(raw, policy=policy.default)
    parts = [str(v) for _k, v in message.items()]
    parts += [str(p.get_content()) for p in message.walk() if p.get_content_maintype() == "text"]
    return "\n".join(parts)


def test_erasure_redacts_officials_replies(
    demo: None, smtp: Smtp, django_capture_on_commit_callbacks: Any
) -> None:
    action = confirmed_letter(ADDRESS)
    supporter = supporters_by_email(ADDRESS).get()
    Supporter.objects.filter(pk=supporter.pk).update(name=NAME)
    Action.objects.filter(pk=action.pk).update(signature=NAME)
    assert deliveries_send_due().sent == 2
    delivery = LetterDelivery.objects.filter(action=action).order_by("id").first()
    assert delivery is not None
    raw = official_reply(delivery)
    inbound = inbound_accept(raw=raw, source="smtp", rcpt_to=[reply_address(delivery.pk)])
    assert inbound.route == "official_reply"
    reply = OfficialReply.objects.get()
    with default_storage.open(reply.raw_path, "rb") as handle:
        assert ADDRESS.upper() in readable(handle.read())
    original_path = reply.raw_path

    with django_capture_on_commit_callbacks(execute=True):
        supporter_erase(supporter=Supporter.objects.get(pk=supporter.pk))

    reply = OfficialReply.objects.get()
    with default_storage.open(reply.raw_path, "rb") as handle:
        stored = handle.read()
    inbound.refresh_from_db()
    for text in (readable(stored), readable(bytes(inbound.raw)), reply.text, reply.subject):
        assert not re.search(re.escape(ADDRESS), text, re.IGNORECASE), text
        assert NAME not in text, text
    assert "The Ministry has received your letter" in readable(stored)
    assert "The Ministry has received your letter" in reply.text
    assert reply.from_address == delivery.contact_point.value
    assert "[erased]" in reply.subject
    assert not default_storage.exists(original_path)
    assert InboundMessage.objects.filter(pk=inbound.pk).exists()


def test_docs_and_code_agree_on_waiting_letters_after_erasure(demo: None) -> None:
    action = confirmed_letter(ADDRESS)
    supporter_erase(supporter=supporters_by_email(ADDRESS).get())
    statuses = set(LetterDelivery.objects.filter(action=action).values_list("status", flat=True))
    assert statuses == {"cancelled"}
    docs = " ".join(DOCS.read_text().split())
    assert "are stopped as `cancelled`" in docs
    assert "`failed`" not in docs.split("## Erasure", 1)[1]
