"""The receiver end to end: a real SMTP client, the receiver on loopback, a real outgoing SMTP
server, and the confirmation page over HTTP."""

from __future__ import annotations

import http.cookiejar
import re
import smtplib
import urllib.parse
import urllib.request
from typing import Any

import pytest

from tests.inbound.conftest import LIMIT, send, settled
from tests.inbound.samples import (
    BROKEN_MIME,
    UNKNOWN_CHARSET_BODY,
    UNKNOWN_CHARSET_SUBJECT,
    request_mail,
)
from tests.supporters.mailsink import Sink, body_text
from urgent.inbound.models import InboundMessage
from urgent.supporters.models import Confirmation, Subscription, Supporter

pytestmark = pytest.mark.django_db(transaction=True)


def confirm_over_http(url: str) -> str:
    """Open the link like a person: the page, then its button (cookie and CSRF token)."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    with opener.open(url, timeout=20) as page:
        html = page.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token, html
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1)}).encode()
    with opener.open(urllib.request.Request(url, data=data, method="POST"), timeout=20) as done:
        return done.read().decode()


def test_keep_me_updated_by_email_end_to_end(
    receiver: tuple[str, int], smtp_sink: Sink, live_server: Any, settings: Any, demo: None
) -> None:
    settings.URGENT_BASE_URL = live_server.url
    send(receiver, request_mail("Keep me updated on UA 101/26"))

    confirmation = smtp_sink.wait_for(1)[0]
    assert smtp_sink.envelopes[0][1] == ["bo@example.org"]
    assert confirmation["Auto-Submitted"] == "auto-replied"
    assert not Subscription.objects.exists()
    link = re.search(r"http://\S+/s/confirm/\S+/", body_text(confirmation))
    assert link, body_text(confirmation)

    page = confirm_over_http(link.group(0))
    assert "You will receive the updates on UA 101/26 by email." in page
    subscription = Subscription.objects.get()
    assert subscription.case is not None and subscription.case.reference == "UA 101/26"
    assert subscription.supporter.email == "bo@example.org"
    assert subscription.supporter.status == Supporter.Status.ACTIVE
    assert subscription.supporter.consents.get().source.startswith("email:")
    row = settled(1)[0]
    assert row.route == InboundMessage.Route.KEEP_UPDATED and row.source == "smtp"


def test_oversize_mail_is_refused_with_552_and_the_receiver_goes_on(
    receiver: tuple[str, int], smtp_sink: Sink, demo: None
) -> None:
    big = request_mail("Keep me updated on UA 101/26", body=("y" * 76 + "\n") * (LIMIT // 76 + 10))
    # A client that reads the SIZE the receiver advertises is refused before sending.
    with pytest.raises(smtplib.SMTPSenderRefused) as refused:
        send(receiver, big)
    assert refused.value.smtp_code == 552
    # One that sends regardless is refused after the data.
    with smtplib.SMTP(*receiver, timeout=20) as client:
        client.helo("client.example.org")
        client.mail("bo@example.org")
        client.rcpt("updates@example.org")
        code, _reply = client.data(big)
        assert code == 552, _reply
    assert not InboundMessage.objects.exists()
    send(receiver, request_mail("Keep me updated on UA 101/26"))
    assert settled(1)[0].route == InboundMessage.Route.KEEP_UPDATED


def test_broken_and_automatic_mail_is_kept_never_answered_and_harmless(
    receiver: tuple[str, int], smtp_sink: Sink, demo: None
) -> None:
    send(receiver, BROKEN_MIME)
    send(receiver, UNKNOWN_CHARSET_BODY)
    send(receiver, UNKNOWN_CHARSET_SUBJECT)
    send(
        receiver,
        request_mail("Keep me updated on UA 101/26", headers={"Auto-Submitted": "auto-replied"}),
    )
    send(receiver, request_mail("Keep me updated on UA 87/26"), mail_from="")
    rows = settled(5)
    assert [(r.status, r.route) for r in rows] == [
        ("dropped", ""),
        ("dropped", ""),
        ("dropped", ""),
        # Automatic mail is offered to the reply recorder, matches no letter, and is kept.
        ("ignored", "auto_reply"),
        # A null envelope sender is a bounce, but with no report inside it is automatic mail.
        ("ignored", "auto_reply"),
    ]
    assert [r.note for r in rows] == [
        "broken MIME structure: NoBoundaryInMultipartDefect",
        "unknown character set 'x-no-such-charset' in a text/plain part",
        "unknown character set 'x-klingon-7' in the Subject header",
        "Auto-Submitted: auto-replied",
        "null envelope sender; no report inside",
    ]
    assert not Subscription.objects.exists() and not Confirmation.objects.exists()
    # Still listening, and still answering people.
    send(receiver, request_mail("Keep me updated on UA 95/26", sender="cai@example.org"))
    assert smtp_sink.wait_for(1)[0]["To"] == "cai@example.org"
    assert len(smtp_sink.messages) == 1
