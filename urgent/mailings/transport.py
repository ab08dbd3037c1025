"""Handing bulk messages to the mail server: one reused SMTP connection per sending thread.

With the server's PIPELINING extension, MAIL FROM, RCPT TO and DATA go out in one write
and their replies are read together (RFC 2920), so a message costs two round trips instead
of four. Each result says whether the server took responsibility for the message (2xx after
the final dot), refused it for now (4xx) or for good (5xx). A lost connection raises
`TransportError`: the caller cannot know whether the message in flight was taken.

Without EMAIL_URL (the local mail folder) or with another Django email backend, messages go
through that backend one by one.
"""

from __future__ import annotations

import re
import smtplib
import socket
import ssl
from contextlib import suppress
from dataclasses import dataclass
from email import message_from_bytes, policy
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection


class TransportError(Exception):
    """The connection to the mail server failed; nothing is known about the message."""


@dataclass(frozen=True)
class SendResult:
    code: int
    reply: str

    @property
    def accepted(self) -> bool:
        return 200 <= self.code < 300

    @property
    def temporary(self) -> bool:
        return 400 <= self.code < 500

    def describe(self) -> str:
        return f"{self.code} {self.reply}".strip()


_DOT = re.compile(rb"^\.", re.MULTILINE)


def _dot_stuff(data: bytes) -> bytes:
    return _DOT.sub(b"..", data)


class SmtpTransport:
    """One SMTP connection, opened on first use and kept for every following message."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        use_tls: bool = False,
        use_ssl: bool = False,
        username: str = "",
        password: str = "",
        timeout: float = 30,
    ) -> None:
        self.host, self.port = host, port
        self.use_tls, self.use_ssl = use_tls, use_ssl
        self.username, self.password = username, password
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None
        self.pipelining = False
        self.announced: tuple[str, str] | None = None

    def describe(self) -> str:
        return f"{self.host}:{self.port}"

    def open(self) -> None:
        try:
            if self.use_ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host,
                    self.port,
                    timeout=self.timeout,
                    context=ssl.create_default_context(),
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            smtp.ehlo()
            if self.use_tls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password)
        except (OSError, smtplib.SMTPException) as exc:
            raise TransportError(
                f"cannot connect to the mail server {self.describe()}: {exc}"
            ) from exc
        # Commands and replies are small and strictly alternate: without TCP_NODELAY,
        # Nagle's algorithm and delayed ACKs hold each write back and halve the rate.
        with suppress(OSError, AttributeError):
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # type: ignore[union-attr]
        self.smtp = smtp
        self.announced = None
        self.pipelining = smtp.has_extn("pipelining")

    def close(self) -> None:
        if self.announced is not None:
            self._drop()
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()

    def _reply(self) -> tuple[int, str]:
        assert self.smtp is not None
        code, message = self.smtp.getreply()
        return code, message.decode("utf-8", "replace")

    def send(
        self,
        *,
        sender: str,
        recipient: str,
        data: bytes,
        then: tuple[str, str] | None = None,
    ) -> SendResult:
        """Send one message; True `accepted` once the server answered its final dot.

        `then` is the envelope (sender, recipient) of the message that will be sent next:
        with PIPELINING its MAIL, RCPT and DATA go out together with this message's final
        dot, so each message costs one round trip. The next call must send that message,
        or `abandon()` must drop the connection (a DATA cannot be taken back otherwise).
        """
        if self.smtp is None:
            self.open()
        try:
            return self._transaction(sender, recipient, data, then)
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            raise TransportError(
                f"lost the connection to the mail server {self.describe()}: {exc}"
            ) from exc

    def abandon(self) -> None:
        """Forget an announced message: the connection goes, and the server drops it."""
        if self.announced is not None:
            self._drop()

    def _drop(self) -> None:
        smtp, self.smtp, self.announced = self.smtp, None, None
        if smtp is not None:
            smtp.close()

    @staticmethod
    def _commands(sender: str, recipient: str) -> list[str]:
        return [f"MAIL FROM:<{sender}>\r\n", f"RCPT TO:<{recipient}>\r\n", "DATA\r\n"]

    def _transaction(
        self, sender: str, recipient: str, data: bytes, then: tuple[str, str] | None
    ) -> SendResult:
        assert self.smtp is not None
        commands = self._commands(sender, recipient)
        replies: list[tuple[int, str]] = []
        if self.announced is not None:
            if self.announced != (sender, recipient):
                self._drop()
                raise TransportError("the message sent was not the one announced")
            self.announced = None
            replies = [self._reply() for _ in commands]
        elif self.pipelining:
            self.smtp.send("".join(commands))
            replies = [self._reply() for _ in commands]
        else:
            for command in commands:
                self.smtp.send(command)
                replies.append(self._reply())
                if replies[-1][0] >= 400:
                    break
        failed = next((r for r in replies[:2] if r[0] >= 300), None)
        if replies[-1][0] != 354 or failed is not None:
            code, reply = failed or replies[-1]
            if replies[-1][0] == 354:
                # The server wants data although a command failed: hang up rather than
                # hand it an empty message.
                self._drop()
            else:
                self.smtp.send("RSET\r\n")
                self._reply()
            return SendResult(code, reply)
        body = _dot_stuff(data) + (b".\r\n" if data.endswith(b"\r\n") else b"\r\n.\r\n")
        if then is not None and self.pipelining:
            body += "".join(self._commands(*then)).encode()
            self.announced = then
        self.smtp.send(body)
        return SendResult(*self._reply())


class _RawEmail(EmailMessage):
    """Ready-made bytes wearing Django's EmailMessage, for the non-SMTP backends."""

    def __init__(self, data: bytes, sender: str, recipient: str) -> None:
        super().__init__(from_email=sender, to=[recipient])
        self.raw = data

    def message(self) -> Any:
        return _ParsedRaw(self.raw)


class _ParsedRaw:
    """The parsed message for backends that read it, serialised back as the bytes made."""

    def __init__(self, raw: bytes) -> None:
        self.raw = raw
        self.parsed = message_from_bytes(raw, policy=policy.SMTP)

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self.raw.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode("utf-8", "replace")

    def __getitem__(self, name: str) -> Any:
        return self.parsed[name]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.parsed, name)


class BackendTransport:
    """Any Django email backend (the local mail folder, a provider's API)."""

    def __init__(self) -> None:
        self.connection = get_connection(fail_silently=False)

    def describe(self) -> str:
        return settings.EMAIL_BACKEND

    def open(self) -> None:
        self.connection.open()

    def close(self) -> None:
        self.connection.close()

    def abandon(self) -> None:
        """Nothing is announced ahead on a backend."""

    def send(
        self,
        *,
        sender: str,
        recipient: str,
        data: bytes,
        then: tuple[str, str] | None = None,
    ) -> SendResult:
        try:
            sent = self.connection.send_messages([_RawEmail(data, sender, recipient)])
        except Exception as exc:
            raise TransportError(f"the email backend failed: {exc}") from exc
        return SendResult(250, "accepted") if sent else SendResult(550, "not accepted")


Transport = SmtpTransport | BackendTransport


def transport_open() -> Transport:
    """The transport EMAIL_URL names (see config/env.py)."""
    if settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend":
        return SmtpTransport(
            host=settings.EMAIL_HOST,
            port=int(settings.EMAIL_PORT),
            use_tls=bool(settings.EMAIL_USE_TLS),
            use_ssl=bool(settings.EMAIL_USE_SSL),
            username=settings.EMAIL_HOST_USER,
            password=settings.EMAIL_HOST_PASSWORD,
            timeout=float(getattr(settings, "EMAIL_TIMEOUT", None) or 30),
        )
    return BackendTransport()
