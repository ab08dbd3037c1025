from __future__ import annotations

import pytest

from tests.inbound.samples import (
    BROKEN_MIME,
    UNKNOWN_CHARSET_BODY,
    UNKNOWN_CHARSET_SUBJECT,
    delivery_report,
    request_mail,
)
from urgent.inbound.reading import Unreadable, automatic_reason, is_delivery_report, message_read


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
