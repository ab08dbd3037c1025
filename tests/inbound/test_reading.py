from __future__ import annotations

import pytest

from tests.inbound.samples import (
    BROKEN_MIME,
    UNKNOWN_CHARSET_BODY,
    UNKNOWN_CHARSET_SUBJECT,
    delivery_report,
    request_mail,
)
from urgent.inbound.reading import (
    Unreadable,
    automatic_reason,
    is_delivery_report,
    message_read,
    report_origin,
)


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (BROKEN_MIME, "broken MIME structure"),
        (UNKNOWN_CHARSET_BODY, "unknown character set 'x-no-such-charset'"),
        (UNKNOWN_CHARSET_SUBJECT, "unknown character set 'x-klingon-7' in the Subject header"),
        (b"\xff\xfe\x00garbage with no headers at all", "broken MIME structure"),
    ],
)
def test_unreadable_messages_say_why(raw: bytes, words: str) -> None:
    with pytest.raises(Unreadable) as caught:
        message_read(raw)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("headers", "sender", "envelope", "reason"),
    [
        ({"Auto-Submitted": "auto-replied"}, "bo@example.org", "bo@example.org", "Auto-Submitted"),
        ({"Auto-Submitted": "auto-generated"}, "bo@example.org", None, "Auto-Submitted"),
        ({"Precedence": "bulk"}, "bo@example.org", None, "Precedence"),
        ({"Precedence": "list"}, "bo@example.org", None, "Precedence"),
        ({"X-Autoreply": "yes"}, "bo@example.org", None, "x-autoreply"),
        ({"List-Id": "<news.example.org>"}, "bo@example.org", None, "list-id"),
        ({}, "bo@example.org", "", "null envelope sender"),
        ({}, "bo@example.org", "<>", "null envelope sender"),
        ({}, "MAILER-DAEMON@mx.example.org", None, "program"),
        ({}, "postmaster@example.org", None, "program"),
    ],
)
def test_automatic_mail_is_recognised(
    headers: dict[str, str], sender: str, envelope: str | None, reason: str
) -> None:
    message = message_read(
        request_mail("Keep me updated on UA 101/26", sender=sender, headers=headers)
    )
    found = automatic_reason(message, envelope_sender=envelope)
    assert found is not None and reason in found


def test_a_person_writing_is_not_automatic() -> None:
    message = message_read(
        request_mail("Keep me updated on UA 101/26", headers={"Auto-Submitted": "no"})
    )
    assert automatic_reason(message, envelope_sender="bo@example.org") is None
    assert automatic_reason(message, envelope_sender=None) is None


def test_delivery_reports_are_recognised() -> None:
    message = message_read(delivery_report())
    assert is_delivery_report(message)
    assert automatic_reason(message, envelope_sender="") is not None


def _report(status_type: str, reporting: str, received: str = "") -> bytes:
    return (
        f"{received}From: MAILER-DAEMON@mx.example.org\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r1"\r\n\r\n'
        f"--r1\r\nContent-Type: {status_type}\r\n\r\n{reporting}"
        "Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\n\r\n--r1--\r\n"
    ).encode()


@pytest.mark.parametrize(
    "status_type", ["message/delivery-status", "message/global-delivery-status"]
)
def test_the_report_names_the_server_that_wrote_it(status_type: str) -> None:
    reporting = "Reporting-MTA: dns; MX1.Ministry.Example.\r\n\r\n"
    assert report_origin(message_read(_report(status_type, reporting))) == "mx1.ministry.example"
    # Without a Reporting-MTA, the host that handed the report on.
    hop = "Received: from relay.example.net (relay.example.net [192.0.2.9])\r\n\tby us; x\r\n"
    assert report_origin(message_read(_report(status_type, "", hop))) == "relay.example.net"
    assert report_origin(message_read(_report(status_type, "Reporting-MTA: dns;\r\n\r\n"))) == ""
