"""Invented inbound messages, built as raw bytes the way mail clients and servers send them."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.utils import make_msgid


def request_mail(
    subject: str,
    *,
    sender: str = "Bo Example <bo@example.org>",
    to: str = "updates@example.org",
    headers: dict[str, str] | None = None,
    body: str = "Please keep me informed.\n",
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="example.org")
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as sent over SMTP


def delivery_report(*, original_id: str = "<letter-1@urgent.example.org>") -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.org>\r\n"
        "To: bounces@urgent.example.org\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "Your message could not be delivered.\r\n"
        "--b1\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        "Final-Recipient: rfc822; gone@example.org\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        "--b1\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_id}\r\n"
        "--b1--\r\n"
    ).encode()


BROKEN_MIME = (
    b"From: bo@example.org\r\n"
    b"To: updates@example.org\r\n"
    b"Subject: Keep me updated on UA 101/26\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed\r\n"
    b"\r\n"
    b"--nothing-declared\r\n"
    b"Content-Type: text/plain\r\n\r\n"
    b"the boundary was never declared\r\n"
)

UNKNOWN_CHARSET_BODY = (
    b"From: bo@example.org\r\n"
    b"To: updates@example.org\r\n"
    b"Subject: Keep me updated on UA 101/26\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=x-no-such-charset\r\n"
    b"\r\n"
    b"\xe9\xe8 text in an encoding nobody knows\r\n"
)

UNKNOWN_CHARSET_SUBJECT = (
    b"From: bo@example.org\r\n"
    b"To: updates@example.org\r\n"
    b"Subject: =?x-klingon-7?Q?Keep_me_updated_on_UA_101/26?=\r\n"
    b"\r\n"
    b"hello\r\n"
)
