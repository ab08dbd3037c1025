"""The SMTP email backend: one persistent, pipelined connection, DKIM on every message.

`EMAIL_URL=smtp://...` selects it (config/env.py). It is a Django email backend: mail to one
person (`urgent.core.mail.mail_send`) goes through `send_messages` as with Django's own; a
fan-out keeps one backend per sending thread open for its whole run and calls `send_one`,
which reports the server's reply to each message instead of raising.

With the server's PIPELINING extension (RFC 2920), MAIL FROM, RCPT TO and DATA go out in
one write and their replies are read together; `send_one(..., then=next)` also sends the
next message's commands with this message's final dot, so a message costs one round trip.
TCP_NODELAY, because commands and replies are small and strictly alternate.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage, sanitize_address

from urgent.core.mail.dkim import DkimSigner, dkim_signer


class TransportError(smtplib.SMTPException):
    """The connection to the mail server failed; nothing is known about the message."""


@dataclass(frozen=True)
class SendResult:
    """The server's reply to one message (to its final dot, or the command it refused)."""

    code: int
    reply: str
    refused: tuple[str, ...] = ()  # recipients refused while others were taken

    @property
    def accepted(self) -> bool:
        return 200 <= self.code < 300

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500

    def describe(self) -> str:
        return f"{self.code} {self.reply}".strip()


Envelope = tuple[str, tuple[str, ...]]

_DOT = re.compile(rb"^\.", re.MULTILINE)


def _commands(envelope: Envelope) -> str:
    sender, recipients = envelope
    return "".join(
        [f"MAIL FROM:<{sender}>\r\n", *(f"RCPT TO:<{r}>\r\n" for r in recipients), "DATA\r\n"]
    )


def envelope_of(message: EmailMessage) -> Envelope:
    """(sender, recipients) as SMTP carries them, the way Django's backend derives them.

    A message made ahead carries its envelope (`PreparedMessage.envelope`).
    """
    envelope = getattr(message, "envelope", None)
    if envelope is not None:
        return envelope
    encoding = message.encoding or settings.DEFAULT_CHARSET

    def bare(address: str) -> str:
        return parseaddr(sanitize_address(address, encoding))[1]

    return bare(message.from_email), tuple(bare(a) for a in message.recipients())


def message_data(message: EmailMessage) -> bytes:
    """The message's bytes with CRLF line ends (made ahead of time when it carries them)."""
    data = getattr(message, "data", None)
    if isinstance(data, bytes):
        return data
    return bytes(message.message().as_bytes(linesep="\r\n"))


class EmailBackend(BaseEmailBackend):
    """SMTP with a connection kept open until `close()`; DKIM-signs when configured."""

    def __init__(
        self,
        host: str | None = None,
        port: int | None = None,
        username: str | None = None,
        password: str | None = None,
        use_tls: bool | None = None,
        use_ssl: bool | None = None,
        timeout: float | None = None,
        fail_silently: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(fail_silently=fail_silently)
        self.host = host or settings.EMAIL_HOST
        self.port = int(port or settings.EMAIL_PORT)
        self.username = settings.EMAIL_HOST_USER if username is None else username
        self.password = settings.EMAIL_HOST_PASSWORD if password is None else password
        self.use_tls = settings.EMAIL_USE_TLS if use_tls is None else use_tls
        self.use_ssl = settings.EMAIL_USE_SSL if use_ssl is None else use_ssl
        self.timeout = float(timeout or getattr(settings, "EMAIL_TIMEOUT", None) or 30)
        self.signer: DkimSigner | None = dkim_signer()
        self.smtp: smtplib.SMTP | None = None
        self.pipelining = False
        self.announced: Envelope | None = None

    def describe(self) -> str:
        return f"{self.host}:{self.port}"

    # -- Django's backend interface ---------------------------------------------------------

    def open(self) -> bool:
        if self.smtp is not None:
            return False
        try:
            self._connect_or_raise()
        except TransportError:
            if self.fail_silently:
                return False
            raise
        return True

    def _connect_or_raise(self) -> None:
        try:
            self.smtp = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportError(
                f"cannot connect to the mail server {self.describe()}: {exc}"
            ) from exc
        self.announced = None
        self.pipelining = self.smtp.has_extn("pipelining")

    def close(self) -> None:
        smtp, self.smtp, self.announced = self.smtp, None, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        """Send each message; raises as smtplib's sendmail does (unless fail_silently)."""
        opened = self.open()
        sent = 0
        try:
            for message in email_messages:
                if not message.recipients():
                    continue
                try:
                    result = self.send_one(message)
                except TransportError:
                    if self.fail_silently:
                        return sent
                    raise
                if result.accepted:
                    sent += 1
                elif not self.fail_silently:
                    raise _refusal(result, envelope_of(message))
        finally:
            if opened:
                self.close()
        return sent

    # -- one message, its reply reported ------------------------------------------------------

    def send_one(self, message: EmailMessage, *, then: EmailMessage | None = None) -> SendResult:
        """Send one message and return the server's reply; TransportError if the line fails.

        `then` is the message that will be sent next: with PIPELINING its commands ride on
        this message's final dot. The next call must send that message, or `abandon()`
        must drop the connection (a DATA cannot be taken back otherwise).
        """
        envelope = envelope_of(message)
        data = message_data(message)
        if self.signer is not None:
            data = self.signer.sign(data)
        following = envelope_of(then) if then is not None else None
        if self.smtp is None:
            self._connect_or_raise()
        try:
            return self._transaction(envelope, data, following)
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise TransportError(
                f"lost the connection to the mail server {self.describe()}: {exc}"
            ) from exc

    def abandon(self) -> None:
        """Forget an announced message: the connection goes, and the server drops it."""
        if self.announced is not None:
            self._drop()

    # -- the protocol ----------------------------------------------------------------------

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        smtp.ehlo()
        if self.use_tls:
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if self.username:
            smtp.login(self.username, self.password)
        with suppress(OSError, AttributeError):
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # type: ignore[union-attr]
        return smtp

    def _drop(self) -> None:
        smtp, self.smtp, self.announced = self.smtp, None, None
        if smtp is not None:
            smtp.close()

    def _reply(self) -> tuple[int, str]:
        assert self.smtp is not None
        code, message = self.smtp.getreply()
        return code, message.decode("utf-8", "replace")

    def _envelope_replies(
        self, envelope: Envelope
    ) -> tuple[tuple[int, str], list[tuple[int, str]], tuple[int, str] | None]:
        """Replies to MAIL, to each RCPT, and to DATA (None when DATA was not sent)."""
        assert self.smtp is not None
        count = len(envelope[1])
        if self.announced is not None:
            if self.announced != envelope:
                self._drop()
                raise TransportError("the message sent was not the one announced")
            self.announced = None
        elif self.pipelining:
            self.smtp.send(_commands(envelope))
        else:
            return self._envelope_one_by_one(envelope)
        mail = self._reply()
        rcpt = [self._reply() for _ in range(count)]
        return mail, rcpt, self._reply()

    def _envelope_one_by_one(
        self, envelope: Envelope
    ) -> tuple[tuple[int, str], list[tuple[int, str]], tuple[int, str] | None]:
        assert self.smtp is not None
        sender, recipients = envelope
        self.smtp.send(f"MAIL FROM:<{sender}>\r\n")
        mail = self._reply()
        if mail[0] >= 300:
            return mail, [], None
        rcpt = []
        for recipient in recipients:
            self.smtp.send(f"RCPT TO:<{recipient}>\r\n")
            rcpt.append(self._reply())
        if all(reply[0] >= 300 for reply in rcpt):
            return mail, rcpt, None
        self.smtp.send("DATA\r\n")
        return mail, rcpt, self._reply()

    def _transaction(self, envelope: Envelope, data: bytes, then: Envelope | None) -> SendResult:
        assert self.smtp is not None
        mail, rcpt, data_reply = self._envelope_replies(envelope)
        refused = tuple(r for r, reply in zip(envelope[1], rcpt, strict=False) if reply[0] >= 300)
        failed = mail if mail[0] >= 300 else None
        if failed is None and rcpt and len(refused) == len(rcpt):
            failed = next(reply for reply in rcpt if reply[0] >= 300)
        if data_reply is None or data_reply[0] != 354 or failed is not None:
            code, reply = failed or data_reply or mail
            if data_reply is not None and data_reply[0] == 354:
                # The server wants data although a command failed: hang up rather than
                # hand it an empty message.
                self._drop()
            else:
                self.smtp.send("RSET\r\n")
                self._reply()
            return SendResult(code, reply, refused)
        body = _DOT.sub(b"..", data) + (b".\r\n" if data.endswith(b"\r\n") else b"\r\n.\r\n")
        if then is not None and self.pipelining:
            body += _commands(then).encode()
            self.announced = then
        self.smtp.send(body)
        code, reply = self._reply()
        return SendResult(code, reply, refused)


def _refusal(result: SendResult, envelope: Envelope) -> smtplib.SMTPException:
    """The exception smtplib's sendmail raises for the same refusal."""
    if result.refused and len(result.refused) == len(envelope[1]):
        return smtplib.SMTPRecipientsRefused(
            {r: (result.code, result.reply.encode()) for r in result.refused}
        )
    return smtplib.SMTPDataError(result.code, result.reply)
