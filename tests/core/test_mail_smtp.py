"""The SMTP email backend against a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import smtplib
from pathlib import Path
from typing import Any

import dkim
import pytest
from django.core.mail import EmailMessage, get_connection

from tests.mailings.conftest import SmtpServer
from tests.mailings.test_dkim import key_file
from urgent.core.mail.dkim import dkim_public_record
from urgent.core.mail.prepared import PreparedMessage, mail_send_one
from urgent.core.mail.smtp import EmailBackend, TransportError


def message(*to: str, cc: tuple[str, ...] = ()) -> EmailMessage:
    return EmailMessage(
        subject="Letter about UA 101/26",
        body="Dear Minister,\n.a line starting with a dot\n",
        from_email="Ana via Urgent <urgent@urgent.example.org>",
        to=list(to),
        cc=list(cc),
    )


def test_configured_backend_sends_many_messages_on_one_connection(
    smtp_server: SmtpServer,
) -> None:
    backend = get_connection()
    assert isinstance(backend, EmailBackend)
    sent = backend.send_messages(
        [message("a@example.org"), message("b@example.org", cc=("c@example.org",))]
    )
    assert sent == 2
    assert [r.rcpt_to for r in smtp_server.received] == [
        ["a@example.org"],
        ["b@example.org", "c@example.org"],
    ]
    assert [r.mail_from for r in smtp_server.received] == ["urgent@urgent.example.org"] * 2
    assert b"\r\n.a line starting with a dot" in smtp_server.received[0].data


def test_a_refused_recipient_among_others_still_gets_the_rest(smtp_server: SmtpServer) -> None:
    smtp_server.refuse["gone@example.org"] = "550 5.1.1 no such user"
    backend = EmailBackend()
    backend.open()
    result = backend.send_one(message("gone@example.org", "here@example.org"))
    backend.close()
    assert result.accepted and result.refused == ("gone@example.org",)
    assert [r.rcpt_to for r in smtp_server.received] == [["here@example.org"]]


@pytest.mark.parametrize("reply", ["550 5.1.1 no such user", "451 4.3.0 try again later"])
def test_refusals_raise_as_smtplib_does(smtp_server: SmtpServer, reply: str) -> None:
    smtp_server.refuse["x@example.org"] = reply
    with pytest.raises(smtplib.SMTPRecipientsRefused) as caught:
        EmailBackend().send_messages([message("x@example.org")])
    assert caught.value.recipients["x@example.org"][0] == int(reply[:3])


def test_an_unreachable_server_is_a_transport_error_in_words(settings: Any) -> None:
    from tests.conftest import free_port

    backend = EmailBackend(host="127.0.0.1", port=free_port())
    with pytest.raises(TransportError, match=r"cannot connect to the mail server 127\.0\.0\.1:"):
        backend.send_messages([message("a@example.org")])
    assert (
        EmailBackend(host="127.0.0.1", port=1, fail_silently=True).send_messages(
            [message("a@example.org")]
        )
        == 0
    )


def test_a_message_made_ahead_goes_through_any_backend(settings: Any, tmp_path: Path) -> None:
    settings.EMAIL_BACKEND = "urgent.core.maildir.MaildirBackend"
    settings.URGENT_MAILDIR = str(tmp_path / "mail")
    data = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: made ahead\r\n\r\nbody\r\n"
    backend = get_connection()
    result = mail_send_one(
        backend, PreparedMessage(data, sender="a@example.org", recipient="b@example.org")
    )
    assert result.accepted
    stored = list((tmp_path / "mail" / "new").iterdir())
    assert len(stored) == 1 and b"Subject: made ahead" in stored[0].read_bytes()


@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
def test_mail_to_one_person_is_dkim_signed_too(
    kind: str, smtp_server: SmtpServer, settings: Any, tmp_path: Path
) -> None:
    path, key = key_file(tmp_path, kind)
    settings.URGENT_DKIM = (str(path), "s2026")
    assert get_connection().send_messages([message("a@example.org")]) == 1
    record = dkim_public_record(key).encode()
    [received] = smtp_server.received
    assert f"a={kind}-sha256" in received.message["DKIM-Signature"]
    assert dkim.verify(received.data, dnsfunc=lambda name, timeout=5: record)
