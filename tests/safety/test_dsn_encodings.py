"""Delivery reports whose parts are transfer-encoded, or carry bytes that are not valid in
their declared character set, still name the letter they return."""

from __future__ import annotations

import base64
from email import message_from_bytes, policy

from urgent.mailings.dsn import dsn_parse


def _report(headers_part: bytes, encoding: str, charset: str = "us-ascii") -> bytes:
    return (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        b"To: actions@urgent.example.org\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r1"\r\n'
        b"\r\n--r1\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.net\r\n\r\n"
        b"Final-Recipient: rfc822; gone@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n"
        b"--r1\r\n"
        + f"Content-Type: text/rfc822-headers; charset={charset}\r\n".encode()
        + f"Content-Transfer-Encoding: {encoding}\r\n\r\n".encode()
        + headers_part
        + b"\r\n--r1--\r\n"
    )


def _message_ids(raw: bytes) -> list[str | None]:
    message = message_from_bytes(raw, policy=policy.default)
    return [r.message_id for r in dsn_parse(message)]


HEADERS = b"Message-ID: <letter-42@urgent.example.org>\r\nSubject: Concerning a case\r\n"


def test_a_base64_encoded_copy_of_the_headers_still_names_the_letter() -> None:
    raw = _report(base64.encodebytes(HEADERS), "base64")
    assert _message_ids(raw) == ["<letter-42@urgent.example.org>"]


def test_bytes_invalid_in_the_declared_charset_do_not_stop_the_report() -> None:
    headers = HEADERS + b"X-Note: caf\xff\xfe\r\n"
    raw = _report(headers, "8bit", charset="utf-8")
    assert _message_ids(raw) == ["<letter-42@urgent.example.org>"]
