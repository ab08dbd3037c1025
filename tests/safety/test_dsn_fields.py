"""What a delivery report says per recipient, read exactly: the status and the server's
words for each one, the generic status when it gives none, which of our messages it
returns, and what is not a delivery report at all. Staff read these words on the letter's
page; a wrong status or a lost Message-ID miscounts an official's address."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest

from urgent.mailings.dsn import DsnRecipient, dsn_parse

OURS = "<letter-7@urgent.example.org>"


def report(
    *fields: str,
    content_type: str = "multipart/report; report-type=delivery-status",
    returned: str = "",
    text: str = "Your message could not be delivered.",
) -> list[DsnRecipient]:
    """A report with one field block per recipient (`fields`), as a mail server writes it."""
    blocks = "Reporting-MTA: dns; mx.example.org\r\n\r\n" + "\r\n".join(fields)
    body = blocks.encode()
    raw = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
        b"To: actions@urgent.example.org\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"MIME-Version: 1.0\r\n"
        + f'Content-Type: {content_type}; boundary="r1"\r\n\r\n'.encode()
        + f"--r1\r\nContent-Type: text/plain\r\n\r\n{text}\r\n".encode()
        + b"--r1\r\nContent-Type: message/delivery-status\r\n\r\n"
        + body
        + b"\r\n"
        + returned.encode()
        + b"--r1--\r\n"
    )
    message = message_from_bytes(raw, policy=policy.default)
    return dsn_parse(message)


def headers_part(message_id: str = OURS) -> str:
    return f"--r1\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {message_id}\r\n"


def fields(recipient: str, *, action: str = "failed", status: str = "", code: str = "") -> str:
    lines = [f"Final-Recipient: rfc822; {recipient}", f"Action: {action}"]
    if status:
        lines.append(f"Status: {status}")
    if code:
        lines.append(f"Diagnostic-Code: {code}")
    return "\r\n".join(lines) + "\r\n"


def test_each_recipient_gets_its_own_status_and_words() -> None:
    found = report(
        fields("b.one@example.org", status="5.1.1", code="smtp; 550 5.1.1 <b.one>: unknown"),
        fields("a.two@example.org", action="delayed", status="4.2.2", code="smtp; 452 4.2.2 full"),
        returned=headers_part(),
    )
    assert found == [
        DsnRecipient(
            "b.one@example.org", "failed", "5.1.1", True, "550 5.1.1 <b.one>: unknown", OURS
        ),
        DsnRecipient("a.two@example.org", "delayed", "4.2.2", False, "452 4.2.2 full", OURS),
    ]


def test_a_report_with_no_status_or_words_says_who_reported_it_and_the_generic_status() -> None:
    found = report(
        fields("gone@example.org"),
        fields("slow@example.org", action="delayed"),
        returned=headers_part(),
    )
    reported_by = "reported by Mail Delivery System <MAILER-DAEMON@mx.example.org>"
    assert [(r.recipient, r.status, r.diagnostic) for r in found] == [
        ("gone@example.org", "5.0.0", reported_by),
        ("slow@example.org", "4.0.0", reported_by),
    ]


def test_the_status_is_read_from_the_words_when_the_field_is_missing() -> None:
    [found] = report(
        fields("gone@example.org", code="X-Postfix; host said: 550 5.7.1 refused by policy")
    )
    assert found.status == "5.7.1"
    # No "smtp;" type to strip: the words are kept whole, on one line.
    assert found.diagnostic == "host said: 550 5.7.1 refused by policy"


def test_words_folded_over_lines_are_one_line() -> None:
    [found] = report(
        fields("gone@example.org", status="5.1.1", code="smtp; 550 5.1.1\r\n   mailbox unknown")
    )
    assert found.diagnostic == "550 5.1.1 mailbox unknown"


def test_original_recipient_names_the_address_when_final_recipient_is_missing() -> None:
    block = (
        "Original-Recipient: rfc822; <Orig.Only@Example.org>\r\n"
        "Action: failed\r\nStatus: 5.1.2\r\nDiagnostic-Code: smtp; 550 5.1.2 bad domain\r\n"
    )
    [found] = report(block, returned=headers_part())
    assert (found.recipient, found.status, found.diagnostic) == (
        "orig.only@example.org",
        "5.1.2",
        "550 5.1.2 bad domain",
    )


def test_the_returned_message_names_ours_in_every_shape() -> None:
    whole = (
        "--r1\r\nContent-Type: message/rfc822\r\n\r\n"
        f"Message-ID: {OURS}\r\nSubject: Concerning a case\r\n\r\nDear Minister,\r\n"
    )
    one = fields("gone@example.org", status="5.1.1")
    assert [r.message_id for r in report(one, returned=whole)] == [OURS]
    assert [r.message_id for r in report(one, returned=headers_part())] == [OURS]
    # Quoted in the text only, as older servers do.
    quoted = report(one, text=f"The original message:\r\nMessage-ID: {OURS}\r\n")
    assert [r.message_id for r in quoted] == [OURS]
    assert [r.message_id for r in report(one)] == [None]


@pytest.mark.parametrize(
    "content_type",
    [
        "multipart/report; report-type=feedback-report",
        "multipart/report; report-type=disposition-notification",
    ],
)
def test_reports_about_other_things_are_not_bounces(content_type: str) -> None:
    assert report(fields("gone@example.org", status="5.1.1"), content_type=content_type) == []


def test_a_global_delivery_status_report_counts() -> None:
    found = report(
        fields("gone@example.org", status="5.1.1"),
        content_type="multipart/report; report-type=global-delivery-status",
    )
    assert [r.recipient for r in found] == ["gone@example.org"]


def test_a_returned_message_quoted_in_a_charset_python_lacks_still_names_ours() -> None:
    one = fields("gone@example.org", status="5.1.1")
    returned = (
        "--r1\r\nContent-Type: message/rfc822\r\n\r\nSubject: no Message-ID kept\r\n\r\nText\r\n"
        "--r1\r\nContent-Type: text/plain; charset=x-unknown-charset\r\n\r\n"
        f"Original headers:\r\nMessage-ID: {OURS}\r\n"
    )
    assert [r.message_id for r in report(one, returned=returned)] == [OURS]
