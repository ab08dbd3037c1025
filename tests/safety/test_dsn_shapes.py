"""Delivery reports in the shapes real servers send beyond the plain one: RFC 6533 reports
for international addresses, transfer-encoded field parts, reports that a message arrived,
non-standard actions, a report with no sender. Each is read from its own fields, so the
status and the words staff see are the server's, and a report that a message arrived is
never taken for a bounce."""

from __future__ import annotations

import base64
import logging
import quopri
from email import message_from_bytes, policy
from email.message import Message

import pytest

from urgent.mailings.dsn import DsnRecipient, dsn_parse, report_fields

OURS = "<letter-9@urgent.example.org>"
DS = "message/delivery-status"


def mail(
    *parts: tuple[str, bytes],
    sender: bytes | None = b"Mail Delivery System <MAILER-DAEMON@mx.example.org>",
    content_type: str = "multipart/report; report-type=delivery-status",
) -> list[DsnRecipient]:
    """A report made of (part headers, part body) pairs, as a mail server writes it."""
    head = b"" if sender is None else b"From: " + sender + b"\r\n"
    raw = (
        head + b"To: actions@urgent.example.org\r\nSubject: Delivery Status Notification\r\n"
        b"MIME-Version: 1.0\r\n"
        + f'Content-Type: {content_type}; boundary="r1"\r\n\r\n'.encode()
        + b"--r1\r\nContent-Type: text/plain\r\n\r\nA message could not be delivered.\r\n"
    )
    for headers, body in parts:
        raw += b"--r1\r\n" + headers.encode() + b"\r\n\r\n" + body + b"\r\n"
    raw += b"--r1--\r\n"
    return dsn_parse(message_from_bytes(raw, policy=policy.default))


def status_part(*blocks: str, content_type: str = DS) -> tuple[str, bytes]:
    per_message = "Reporting-MTA: dns; mx.example.org\r\n"
    body = "\r\n".join([per_message, *blocks])
    return f"Content-Type: {content_type}", body.encode()


def block(recipient: str, action: str = "failed", status: str = "5.1.1", code: str = "") -> str:
    lines = [f"Final-Recipient: {recipient}", f"Action: {action}", f"Status: {status}"]
    if code:
        lines.append(f"Diagnostic-Code: {code}")
    return "\r\n".join(lines) + "\r\n"


HEADERS = ("Content-Type: text/rfc822-headers", f"Message-ID: {OURS}\r\n".encode())


def test_an_international_report_names_the_address_status_and_our_letter() -> None:
    found = mail(
        status_part(
            block("utf-8; jürgen@beispiel.example", code="smtp; 550 5.1.1 Postfach unbekannt"),
            content_type="message/global-delivery-status",
        ),
        ("Content-Type: message/global-headers", f"Message-ID: {OURS}\r\n".encode()),
        content_type="multipart/report; report-type=global-delivery-status",
    )
    assert found == [
        DsnRecipient(
            "jürgen@beispiel.example", "failed", "5.1.1", True, "550 5.1.1 Postfach unbekannt", OURS
        )
    ]


@pytest.mark.parametrize(
    "written",
    [
        r"utf-8; j\x{FC}rgen@beispiel.example",  # RFC 6533's escape in a plain report
        "utf-8; jürgen@beispiel.example",  # raw UTF-8 where it does not belong
    ],
)
def test_an_international_address_in_a_plain_report_is_read_as_written(written: str) -> None:
    [found] = mail(status_part(block(written)), HEADERS)
    assert found.recipient == "jürgen@beispiel.example"


@pytest.mark.parametrize("encoding", ["base64", "quoted-printable"])
def test_a_transfer_encoded_status_part_is_read_in_its_charset(encoding: str) -> None:
    headers, body = status_part(
        block(
            "rfc822; gone@example.org",
            status="5.2.1",
            code="smtp; 550 5.2.1 compte désactivé, a=b",
        )
    )
    latin1 = body.decode().encode("latin-1")
    encoded = base64.encodebytes(latin1) if encoding == "base64" else quopri.encodestring(latin1)
    part = (f"{headers}; charset=iso-8859-1\r\nContent-Transfer-Encoding: {encoding}", encoded)
    [found] = mail(part, HEADERS)
    assert (found.recipient, found.status, found.diagnostic, found.message_id) == (
        "gone@example.org",
        "5.2.1",
        "550 5.2.1 compte désactivé, a=b",
        OURS,
    )


def test_a_report_that_a_message_arrived_is_not_a_bounce() -> None:
    delivered = block("rfc822; desk@example.org", action="delivered", status="2.0.0")
    relayed = block("rfc822; other@example.org", action="relayed", status="2.0.0")
    assert mail(status_part(delivered, relayed), HEADERS) == []
    failed = block("rfc822; gone@example.org")
    assert [r.recipient for r in mail(status_part(delivered, failed), HEADERS)] == [
        "gone@example.org"
    ]


def test_non_standard_actions_still_say_failed_or_delayed() -> None:
    found = mail(
        status_part(
            block("rfc822; a@example.org", action="error"),  # as OpenSMTPD writes it
            block("rfc822; b@example.org", action="Delayed (will retry)", status="4.4.1"),
            block("rfc822; c@example.org", action="FAILED"),
        ),
        HEADERS,
    )
    assert [(r.recipient, r.action, r.permanent) for r in found] == [
        ("a@example.org", "failed", True),
        ("c@example.org", "failed", True),
        ("b@example.org", "delayed", False),
    ]


def test_the_address_we_wrote_to_wins_over_where_it_was_forwarded() -> None:
    both = (
        "Original-Recipient: rfc822; Desk@Ministry.example\r\n"
        "Final-Recipient: rfc822; desk.archive@hosting.example\r\n"
        "Action: failed\r\nStatus: 5.2.2\r\n"
    )
    [found] = mail(status_part(both), HEADERS)
    assert (found.recipient, found.status) == ("desk@ministry.example", "5.2.2")


def test_bare_and_typeless_recipients() -> None:
    found = mail(
        status_part(
            block("<Bare@Example.org>"),
            block("rfc822; <Xu.Li@Example.org>"),
            block("x400; c=xx; o=nowhere", status="5.1.1"),  # names no mail address
            block("rfc822;", status="5.1.1"),
        ),
        HEADERS,
    )
    assert [r.recipient for r in found] == ["bare@example.org", "xu.li@example.org"]


def test_a_report_without_a_sender_or_words_says_the_mail_system_reported_it() -> None:
    found = mail(
        status_part("Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\n"),
        HEADERS,
        sender=None,
    )
    assert [(r.status, r.diagnostic) for r in found] == [("5.0.0", "reported by the mail system")]
    # An empty From, which the older-shape detectors cannot read, is read the same way.
    found = mail(status_part(block("rfc822; gone@example.org")), HEADERS, sender=b"")
    assert [(r.recipient, r.status) for r in found] == [("gone@example.org", "5.1.1")]


def test_a_report_without_a_report_type_is_a_delivery_report() -> None:
    found = mail(
        status_part(block("rfc822; gone@example.org")), HEADERS, content_type="multipart/report"
    )
    assert [r.recipient for r in found] == ["gone@example.org"]


def test_the_first_of_a_repeated_field_counts() -> None:
    twice = block("rfc822; gone@example.org", status="5.1.1") + "Status: 4.0.0\r\n"
    [found] = mail(status_part(twice), HEADERS)
    assert (found.status, found.permanent) == ("5.1.1", True)


def test_the_returned_headers_win_over_an_id_quoted_in_the_explanation() -> None:
    text = ("Content-Type: text/plain", b"Message-ID: <report-1@mx.example.org>\r\n")
    [found] = mail(text, status_part(block("rfc822; gone@example.org")), HEADERS)
    assert found.message_id == OURS
    returned = ("Content-Type: message/rfc822", f"Message-ID: {OURS}\r\n\r\nDear Sir,".encode())
    [found] = mail(text, status_part(block("rfc822; gone@example.org")), returned)
    assert found.message_id == OURS


def test_report_fields_name_the_reporting_server_first() -> None:
    raw = (
        b"From: MAILER-DAEMON@mx.example.org\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r1"\r\n\r\n'
        b"--r1\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; MX.Example.org\r\nArrival-Date: Mon, 7 Dec 2026 09:00:00 +0000\r\n"
        b"\r\nFinal-Recipient: rfc822; a@example.org\r\nAction: failed\r\n"
        b"\r\nFinal-Recipient: rfc822; b@example.org\r\nAction:\r\n  delayed\r\n\r\n--r1--\r\n"
    )
    blocks = report_fields(message_from_bytes(raw, policy=policy.default))
    assert blocks == [
        {"reporting-mta": "dns; MX.Example.org", "arrival-date": "Mon, 7 Dec 2026 09:00:00 +0000"},
        {"final-recipient": "rfc822; a@example.org", "action": "failed"},
        {"final-recipient": "rfc822; b@example.org", "action": "delayed"},
    ]


def test_a_report_built_in_code_with_text_fields_is_read() -> None:
    report = Message()
    report["From"] = "MAILER-DAEMON@mx.example.org"
    report["Content-Type"] = "multipart/report; report-type=delivery-status"
    status = Message()
    status["Content-Type"] = "message/delivery-status; charset=utf-8"
    status.set_payload(
        "Reporting-MTA: dns; mx.example.org\n\n"
        "Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1\n"
    )
    # A returned message left as text by the code that built it holds no headers to read.
    unparsed = Message()
    unparsed["Content-Type"] = "message/rfc822"
    unparsed.set_payload("Message-ID: <not-parsed@example.org>\n\nText\n")
    returned = Message()
    returned["Content-Type"] = "text/rfc822-headers"
    returned.set_payload(f"Message-ID: {OURS}\n")
    report.attach(status)
    report.attach(unparsed)
    report.attach(returned)
    assert [(r.recipient, r.status, r.message_id) for r in dsn_parse(report)] == [
        ("gone@example.org", "5.1.1", OURS)
    ]


QMAIL_TEXT = (
    "Content-Type: text/plain",
    b"Hi. This is the qmail-send program at mail.example.info.\r\n"
    b"I'm afraid I wasn't able to deliver your message to the following addresses.\r\n"
    b"This is a permanent error; I've given up. Sorry it didn't work out.\r\n\r\n"
    b"<gone.away@example.info>:\r\nRemote host said: 550 5.1.1 No such mailbox\r\n",
)


def test_fields_without_an_action_leave_the_report_to_its_text() -> None:
    no_action = "Final-Recipient: rfc822; gone.away@example.info\r\nStatus: 5.1.1\r\n"
    found = mail(QMAIL_TEXT, status_part(no_action), HEADERS)
    assert [(r.recipient, r.permanent, r.status) for r in found] == [
        ("gone.away@example.info", True, "5.1.1")
    ]


@pytest.mark.parametrize("action", ["delivered", "relayed", "expanded"])
def test_fields_that_say_the_message_went_on_are_believed_over_the_text(action: str) -> None:
    arrived = block("rfc822; gone.away@example.info", action=action, status="2.0.0")
    assert mail(QMAIL_TEXT, status_part(arrived), HEADERS) == []


def test_the_servers_words_keep_their_own_semicolons() -> None:
    code = "smtp; 550 5.7.1 rejected; see https://help.example.org/5.7.1"
    [found] = mail(status_part(block("rfc822; gone@example.org", code=code)), HEADERS)
    assert found.diagnostic == "550 5.7.1 rejected; see https://help.example.org/5.7.1"


def test_a_report_in_an_older_shape_says_who_reported_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    qmail = ("Content-Type: text/plain", QMAIL_TEXT[1].replace(b"gone.away", b"Gone.Away"))
    found = mail(qmail, HEADERS, content_type="multipart/mixed")
    assert found == [
        DsnRecipient(
            "gone.away@example.info",
            "failed",
            "5.0.0",
            True,
            "reported by Mail Delivery System <MAILER-DAEMON@mx.example.org>",
            OURS,
        )
    ]
    warning = (
        "Content-Type: text/plain",
        b"Delivery to the following recipient has been delayed:\r\n\r\n"
        b"     Slow.Desk@example.net\r\n\r\nMessage will be retried for 2 more day(s)\r\n",
    )
    [delayed] = mail(warning, HEADERS, content_type="multipart/mixed")
    assert (delayed.recipient, delayed.action, delayed.status, delayed.permanent) == (
        "slow.desk@example.net",
        "delayed",
        "4.0.0",
        False,
    )
    # A report the older-shape detectors cannot read (a From they choke on) is none, and
    # says so.
    with caplog.at_level(logging.INFO, logger="urgent.mailings.dsn"):
        assert mail(qmail, HEADERS, content_type="multipart/mixed", sender=b"<") == []
    [logged] = [r for r in caplog.records if r.name == "urgent.mailings.dsn"]
    assert logged.getMessage() == "bounce unreadable by flufl.bounce"
    assert isinstance(logged.exc_info, tuple)  # the traceback, for whoever reads the log


def test_every_status_part_of_a_report_counts() -> None:
    found = mail(
        status_part(block("rfc822; first@example.org")),
        status_part(block("rfc822; second@example.org", action="delayed", status="4.4.1")),
        HEADERS,
    )
    assert [(r.recipient, r.permanent) for r in found] == [
        ("first@example.org", True),
        ("second@example.org", False),
    ]


def test_invalid_bytes_in_a_charset_python_does_not_know_are_replaced() -> None:
    text = (
        "Content-Type: text/plain; charset=x-unknown-8bit",
        b"Returned: caf\xff\xfe\r\nMessage-ID: " + OURS.encode() + b"\r\n",
    )
    [found] = mail(status_part(block("rfc822; gone@example.org")), text)
    assert found.message_id == OURS


def test_headers_the_parser_chokes_on_do_not_stop_a_report() -> None:
    """A From or a returned Message-ID that makes Python's header classes raise is read as
    written; the report still counts."""
    returned = ("Content-Type: message/rfc822", b"Message-ID: <\r\nSubject: x\r\n\r\nText")
    found = mail(
        status_part("Final-Recipient: rfc822; gone@example.org\r\nAction: failed\r\n"),
        returned,
        HEADERS,
        sender=b"<",
    )
    assert [(r.recipient, r.diagnostic, r.message_id) for r in found] == [
        ("gone@example.org", "reported by <", OURS)
    ]
