"""Outgoing mail kept in a local Maildir when no EMAIL_URL is set.

Nothing leaves the machine; staff read what would have been sent at /staff/mail/. Each
stored message records its envelope recipients in an `X-Envelope-To` header (an SMTP
server would have been given them apart from the message). A letter to two officials is
sent once to each address under one Message-ID; the list shows it as one message to two
addresses, not as two identical rows.
"""

from __future__ import annotations

import datetime
import mailbox
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage as ParsedMessage
from email.parser import BytesParser
from email.utils import formataddr, getaddresses, parsedate_to_datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

ENVELOPE_HEADER = "X-Envelope-To"
_parser = BytesParser(policy=policy.default)

# Says whether an address may be shown to the reader; the caller decides (core does not know
# who is an official and who a supporter).
AddressShown = Callable[[str], bool]
ADDRESS_MASK = "(hidden)"
# The headers that name people by address: a hidden mailbox loses its display name too.
ADDRESS_HEADERS = frozenset(
    {"to", "cc", "bcc", "reply-to", "delivered-to", ENVELOPE_HEADER.lower()}
)
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def addresses_mask(value: str, *, shown: AddressShown) -> str:
    """An address header's mailboxes, each one not shown replaced (name and all) by a mask."""
    parts = []
    for name, addr in getaddresses([value]):
        if not addr and not name:
            continue
        parts.append(formataddr((name, addr)) if addr and shown(addr) else ADDRESS_MASK)
    return ", ".join(parts)


def text_addresses_mask(text: str, *, shown: AddressShown) -> str:
    """Free text (a body) with every address not shown replaced by a mask."""
    return _ADDRESS.sub(lambda m: m.group(0) if shown(m.group(0)) else ADDRESS_MASK, text)


def maildir() -> mailbox.Maildir:
    path = Path(settings.URGENT_MAILDIR)
    path.parent.mkdir(parents=True, exist_ok=True)
    return mailbox.Maildir(path, create=True)


class MaildirBackend(BaseEmailBackend):
    def __init__(self, fail_silently: bool = False, **kwargs: Any) -> None:
        super().__init__(fail_silently=fail_silently, **kwargs)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        box = maildir()
        sent = 0
        for message in email_messages:
            recipients = message.recipients()
            if not recipients:
                continue
            # Put on top, as a receiving server adds its trace headers; the message made
            # (perhaps signed already) is kept byte for byte below it.
            envelope = f"{ENVELOPE_HEADER}: {', '.join(recipients)}\n".encode()
            raw = message.message().as_bytes(linesep="\n")
            box.add(mailbox.MaildirMessage(envelope + raw))
            sent += 1
        return sent


@dataclass
class StoredMail:
    """One message as staff see it in the list: its copies share everything but the envelope."""

    key: str
    message_id: str
    date: datetime.datetime | None
    sender: str
    to: str
    cc: str
    subject: str
    envelope: list[str] = field(default_factory=list)
    copies: int = 1


def _date(message: ParsedMessage) -> datetime.datetime | None:
    try:
        return parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        return None


def mail_summary(
    key: str, message: ParsedMessage, *, shown: AddressShown | None = None
) -> StoredMail:
    """The list row of a message; with `shown`, recipients it rejects are masked."""
    envelope = [addr for _name, addr in getaddresses([str(message[ENVELOPE_HEADER] or "")])]
    to, cc = str(message["To"] or ""), str(message["Cc"] or "")
    if shown is not None:
        to, cc = addresses_mask(to, shown=shown), addresses_mask(cc, shown=shown)
        envelope = [a if shown(a) else ADDRESS_MASK for a in envelope if a]
    return StoredMail(
        key=key,
        message_id=str(message["Message-ID"] or "").strip(),
        date=_date(message),
        sender=str(message["From"] or ""),
        to=to,
        cc=cc,
        subject=str(message["Subject"] or ""),
        envelope=[a for a in envelope if a],
    )


def mail_grouped(summaries: Iterable[StoredMail]) -> list[StoredMail]:
    """Messages newest first, copies of one message folded into one row."""
    groups: dict[str, StoredMail] = {}
    for mail in summaries:
        first = groups.setdefault(mail.message_id or mail.key, mail)
        if first is not mail:
            first.copies += 1
            first.envelope.extend(a for a in mail.envelope if a not in first.envelope)
    epoch = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return sorted(groups.values(), key=lambda m: m.date or epoch, reverse=True)


def maildir_list(*, shown: AddressShown | None = None) -> list[StoredMail]:
    """The folder's messages grouped; with `shown`, recipients it rejects are masked."""
    box = maildir()
    summaries = []
    for key in box.iterkeys():
        headers = _parser.parsebytes(box.get_bytes(key), headersonly=True)
        assert isinstance(headers, ParsedMessage)
        summaries.append(mail_summary(key, headers, shown=shown))
    return mail_grouped(summaries)
