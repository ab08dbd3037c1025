"""Messages whose bytes were made ahead (bulk mail), sent through any Django email backend.

A fan-out builds each message's bytes itself (`urgent.mailings.message`: a few string
joins, where building `email.message.EmailMessage` trees would cost more than sending),
then hands them over as a `PreparedMessage`, an `EmailMessage` carrying those bytes. The
SMTP backend (`smtp.EmailBackend`) sends them as they are, pipelined; any other backend
(the local mail folder, a provider's API, the test outbox) gets them one by one through
`send_messages`, and reads the parsed message when it asks for one.
"""

from __future__ import annotations

from email import message_from_bytes, policy
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from urgent.core.mail.smtp import EmailBackend, SendResult, TransportError


class PreparedMessage(EmailMessage):
    """Ready-made bytes (CRLF line ends) wearing Django's EmailMessage."""

    def __init__(self, data: bytes, *, sender: str, recipient: str) -> None:
        super().__init__(from_email=sender, to=[recipient])
        self.data = data
        self.envelope = (sender, (recipient,))

    def message(self, *, policy: Any = None) -> Any:
        return _Parsed(self.data)


class _Parsed:
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


def mail_send_one(
    connection: BaseEmailBackend, message: EmailMessage, *, then: EmailMessage | None = None
) -> SendResult:
    """Send one message on an open backend and report the reply; TransportError if lost.

    The SMTP backend answers with the server's own reply (and pipelines `then`); another
    backend either takes the message (250) or raises, which counts as a lost connection.
    """
    if isinstance(connection, EmailBackend):
        return connection.send_one(message, then=then)
    try:
        sent = connection.send_messages([message])
    except Exception as exc:
        raise TransportError(f"the email backend failed: {exc}") from exc
    return SendResult(250, "accepted") if sent else SendResult(550, "not accepted")


def mail_connection_describe(connection: BaseEmailBackend) -> str:
    if isinstance(connection, EmailBackend):
        return connection.describe()
    return f"{type(connection).__module__}.{type(connection).__name__}"
