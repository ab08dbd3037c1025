"""Bounce reports about letters, end to end: raw delivery reports over SMTP to the receiver.

A report counts only when it proves it is about a letter Urgent sent (the letter's
Message-ID, or the letter's signed return path as the envelope recipient); forged ones are
kept and ignored. Reports alone never retire an address: past the threshold it is suspect,
still shown on the public page and in the API, until staff confirm it. And only a report
written by the receiving side (a host in the address's domain, or a relay the operator
lists) counts on the address at all.
"""

from __future__ import annotations

import smtplib
import uuid
from typing import Any

import pytest
from django.test import Client

from tests.actions.conftest import Smtp, smtp
from tests.actions.helpers import confirmed_letter
from tests.inbound.conftest import settled
from urgent.actions.models import LetterDelivery
from urgent.actions.services import deliveries_send_due
from urgent.officials.models import ContactPoint

__all__ = ["smtp"]

pytestmark = pytest.mark.django_db(transaction=True)


def report(
    *,
    recipient: str,
    original_id: str | None = None,
    reporting_mta: str | None = "mx.example.org",
    received_from: str | None = None,
) -> bytes:
    """A delivery status notification as a receiving mail server writes it (RFC 3464)."""
    quoted = (
        "--b1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_id}\r\nSubject: Concerning someone\r\n"
        if original_id
        else ""
    )
    reporting = f"Reporting-MTA: dns; {reporting_mta}\r\n\r\n" if reporting_mta else ""
    received = (
        f"Received: from {received_from} ({received_from} [192.0.2.25])\r\n"
        "\tby inbound.urgent.example.org; Sun, 6 Dec 2026 10:00:00 +0000\r\n"
        if received_from
        else ""
    )
    return (
        f"{received}"
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        f"Message-ID: <{uuid.uuid4().hex}@mx.example.net>\r\n"
        "To: actions@urgent.example.org\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"{reporting}"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        f"{quoted}--b1--\r\n"
    ).encode()


def deliver(address: tuple[str, int], raw: bytes, *, to: str) -> None:
    with smtplib.SMTP(*address, timeout=20) as client:
        client.sendmail("", [to], raw)  # bounces come from the null sender


def health(value: str) -> tuple[str, int]:
    point = ContactPoint.objects.get(value=value)
    return point.health, point.bounce_count


def test_forged_reports_are_ignored_and_genuine_ones_counted_once(
    receiver: tuple[str, int], smtp: Smtp, demo: None, settings: Any
) -> None:
    settings.URGENT_BOUNCES_BEFORE_DEAD = 3
    action = confirmed_letter("a@example.org")
    deliveries_send_due()
    to = action.deliveries.get(role="to")
    # Forged: plain reports naming the address, no Message-ID, to the plain address, and
    # one quoting an invented Message-ID.
    for _ in range(3):
        deliver(
            receiver, report(recipient="mission.tm@example.org"), to="actions@urgent.example.org"
        )
    deliver(
        receiver,
        report(recipient="mission.tm@example.org", original_id="<letter.0@urgent.example.org>"),
        to="actions@urgent.example.org",
    )
    settled(4)
    assert health("mission.tm@example.org") == ("ok", 0)
    # And one to a return path with a made-up signature.
    return_path = smtp.handler.to("mission.tm@example.org")[0].mail_from
    assert return_path.startswith("bounces+")
    forged_path = return_path.replace(return_path.split(".")[1][:20], "0" * 20)
    deliver(receiver, report(recipient="mission.tm@example.org"), to=forged_path)
    rows = settled(5)
    assert [r.route for r in rows] == ["bounce"] * 5
    assert [r.status for r in rows] == ["ignored"] * 5, [r.note for r in rows]
    assert "not counted" in rows[0].note
    assert health("mission.tm@example.org") == ("ok", 0)
    to.refresh_from_db()
    assert to.status == "sent"

    # Genuine: back to the letter's signed return path, then the same letter's report again
    # quoting its Message-ID: one letter, counted once.
    deliver(receiver, report(recipient="mission.tm@example.org"), to=return_path)
    deliver(
        receiver,
        report(recipient="mission.tm@example.org", original_id=to.message_id),
        to="actions@urgent.example.org",
    )
    rows = settled(7)
    assert [r.status for r in rows[5:]] == ["processed"] * 2
    to.refresh_from_db()
    assert to.status == "bounced"
    assert health("mission.tm@example.org") == ("bouncing", 1)


def test_reports_past_the_threshold_leave_the_address_suspect_and_shown(
    receiver: tuple[str, int], smtp: Smtp, demo: None, settings: Any, client: Client
) -> None:
    settings.URGENT_BOUNCES_BEFORE_DEAD = 2
    for i in range(3):
        confirmed_letter(f"w{i}@example.org")
    deliveries_send_due()
    letters = LetterDelivery.objects.filter(contact_point__value="mission.tm@example.org")
    assert letters.count() == 3
    for letter in letters:
        deliver(receiver, report(recipient="mission.tm@example.org"), to=_path(smtp, letter))
    settled(3)
    assert health("mission.tm@example.org") == ("suspect", 3)
    case = letters[0].case
    page = client.get(f"/cases/{case.slug}/")
    assert page.status_code == 200 and "mission.tm@example.org" in page.content.decode()
    api = client.get(f"/api/v1/cases/{case.slug}")
    assert api.status_code == 200 and "mission.tm@example.org" in api.content.decode()
    assert '"suspect"' in api.content.decode()


def _path(smtp: Smtp, letter: LetterDelivery) -> str:
    return next(r.mail_from for r in smtp.received if f"bounces+{letter.pk:x}." in r.mail_from)


def test_only_the_receiving_sides_report_counts_on_the_address(
    receiver: tuple[str, int], smtp: Smtp, demo: None, settings: Any
) -> None:
    """A genuine letter's report written by a stranger's server marks the letter, is kept
    and shown, but the official's address is not counted against; the address's own
    domain, a listed relay, or (with no Reporting-MTA) the first hop count."""
    settings.URGENT_BOUNCES_BEFORE_DEAD = 5
    settings.URGENT_BOUNCE_RELAYS = ["relay.urgent.example.org"]
    for i in range(5):
        confirmed_letter(f"r{i}@example.org")
    deliveries_send_due()
    letters = list(
        LetterDelivery.objects.filter(contact_point__value="mission.tm@example.org").order_by("id")
    )
    assert len(letters) == 5
    strangers: list[dict[str, str | None]] = [
        {"reporting_mta": "mx.elsewhere.example"},
        # A look-alike: mx.notexample.org is not in example.org.
        {"reporting_mta": "mx.notexample.org"},
        {"reporting_mta": None},  # names no host at all
    ]
    for letter, origin in zip(letters, strangers, strict=False):
        deliver(
            receiver,
            report(recipient="mission.tm@example.org", **origin),
            to=_path(smtp, letter),
        )
    rows = settled(3)
    assert [r.status for r in rows] == ["processed"] * 3
    assert "written by mx.elsewhere.example, not the receiving side's" in rows[0].note
    assert "not counted on the address" in rows[2].note
    assert [LetterDelivery.objects.get(pk=x.pk).status for x in letters[:3]] == ["bounced"] * 3
    assert health("mission.tm@example.org") == ("ok", 0)

    trusted: list[dict[str, str | None]] = [
        {"reporting_mta": "MX2.Example.Org."},  # the address's own domain, written anyhow
        {"reporting_mta": "smtp.relay.urgent.example.org"},  # below a listed relay
    ]
    for letter, origin in zip(letters[3:], trusted, strict=True):
        deliver(
            receiver, report(recipient="mission.tm@example.org", **origin), to=_path(smtp, letter)
        )
    rows = settled(5)
    assert [r.note for r in rows[3:]] == ["1 recipient(s) reported"] * 2
    assert health("mission.tm@example.org") == ("bouncing", 2)


def test_with_no_reporting_mta_the_host_that_handed_the_report_on_decides(
    receiver: tuple[str, int], smtp: Smtp, demo: None, settings: Any
) -> None:
    settings.URGENT_BOUNCE_RELAYS = []
    for i in range(2):
        confirmed_letter(f"h{i}@example.org")
    deliveries_send_due()
    first, second = LetterDelivery.objects.filter(
        contact_point__value="mission.tm@example.org"
    ).order_by("id")
    stranger = report(
        recipient="mission.tm@example.org", reporting_mta=None, received_from="mx.elsewhere.example"
    )
    deliver(receiver, stranger, to=_path(smtp, first))
    settled(1)
    assert health("mission.tm@example.org") == ("ok", 0)
    own = report(
        recipient="mission.tm@example.org", reporting_mta=None, received_from="mx3.example.org"
    )
    deliver(receiver, own, to=_path(smtp, second))
    settled(2)
    assert health("mission.tm@example.org") == ("bouncing", 1)
