"""The inbound webhook for email services (django-anymail's normalisation), over HTTP."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.inbound.samples import request_mail
from urgent.inbound.models import InboundMessage
from urgent.supporters.models import Confirmation

pytestmark = pytest.mark.django_db

SECRET = "an-invented-webhook-secret-0123"


def auth(password: str = SECRET) -> dict[str, str]:
    token = base64.b64encode(f"postmark:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def postmark_payload(raw: bytes) -> str:
    return json.dumps(
        {
            "RawEmail": raw.decode(),
            "OriginalRecipient": "updates@example.org",
            "Headers": [{"Name": "Return-Path", "Value": "<bo@example.org>"}],
            "MessageID": "0f1e2d3c-invented",
        }
    )


@pytest.fixture
def secret(settings: Any) -> str:
    settings.URGENT_INBOUND_WEBHOOK_SECRET = SECRET
    return SECRET


def test_postmark_inbound_is_stored_and_routed(
    client: Client, secret: str, demo: None, django_capture_on_commit_callbacks: Any
) -> None:
    raw = request_mail("Keep me updated on UA 101/26")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/inbound/postmark/",
            postmark_payload(raw),
            content_type="application/json",
            headers=auth(),
        )
    assert response.status_code == 200
    row = InboundMessage.objects.get()
    assert (row.source, row.mail_from, row.rcpt_to) == (
        "webhook:postmark",
        "bo@example.org",
        ["updates@example.org"],
    )
    assert row.route == InboundMessage.Route.KEEP_UPDATED
    assert Confirmation.objects.get().case.reference == "UA 101/26"  # type: ignore[union-attr]
    assert mail.outbox[0].to == ["bo@example.org"]


def test_the_webhook_is_closed_without_a_secret_and_refuses_wrong_ones(
    client: Client, settings: Any
) -> None:
    settings.URGENT_INBOUND_WEBHOOK_SECRET = ""
    assert (
        client.post("/inbound/postmark/", "{}", content_type="application/json").status_code == 404
    )
    settings.URGENT_INBOUND_WEBHOOK_SECRET = SECRET
    assert client.post("/inbound/nosuchservice/", {}, headers=auth()).status_code == 404
    wrong = client.post(
        "/inbound/postmark/", "{}", content_type="application/json", headers=auth("guess")
    )
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Basic")
    assert (
        client.post("/inbound/postmark/", "{}", content_type="application/json").status_code == 401
    )
    assert client.get("/inbound/postmark/", headers=auth()).status_code == 405
    assert not InboundMessage.objects.exists()


def test_unreadable_payloads_and_missing_service_settings_are_reported(
    client: Client, secret: str
) -> None:
    bad = client.post(
        "/inbound/postmark/", "{not json", content_type="application/json", headers=auth()
    )
    assert bad.status_code == 400
    # Mailgun signs its webhooks: without its signing key the endpoint says it is not set up.
    unset = client.post("/inbound/mailgun/", {"body-mime": "x"}, headers=auth())
    assert unset.status_code == 503
    assert not InboundMessage.objects.exists()
