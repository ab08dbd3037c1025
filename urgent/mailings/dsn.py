"""Reading bounce messages: RFC 3464 delivery status notifications and the common others.

`dsn_parse` is a pure function: an `email.message.EmailMessage` in, one `DsnRecipient`
per reported recipient out, or [] when the message is not a bounce. The Message-ID of the
returned message (from its message/rfc822 or text/rfc822-headers part, or quoted in the
text) is what ties a bounce to a Delivery, since every bulk message carries a stable one.

Besides multipart/report, three shapes still seen in the wild are read: qmail's
"Hi. This is the qmail-send program", Exim's plain-text "Mail delivery failed" and the
generic "Undelivered Mail" text with an attached original. Their status is taken from an
enhanced status code or SMTP reply in the text, or else assumed permanent (5.0.0), as a
bounce that says nothing more is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.parser import HeaderParser

ACTIONS = frozenset({"failed", "delayed", "delivered", "relayed", "expanded"})


@dataclass(frozen=True)
class DsnRecipient:
    recipient: str
    action: str
    status: str
    permanent: bool
    diagnostic: str
    original_message_id: str | None

    @property
    def message_id(self) -> str | None:
        """The original Message-ID under a shorter name."""
        return self.original_message_id


_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_REPLY = re.compile(r"(?<![\d.])([45])\d\d(?=[ -])")
_MESSAGE_ID = re.compile(r"^\s*Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)
_ADDRESS = re.compile(r"<?([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?")
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery (status notification|failure|has failed)|mail delivery failed|"
    r"returned mail|failure notice|delivery problem|non.?delivery|could not be delivered",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"mailer-daemon|postmaster|mail delivery (subsystem|system)", re.IGNORECASE)


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        charset = part.get_content_charset() or "utf-8"
        try:
            return payload.decode(charset, "replace")
        except LookupError:
            return payload.decode("utf-8", "replace")
    raw = part.get_payload()
    return raw if isinstance(raw, str) else ""


def _address(value: str | None) -> str:
    """`rfc822; ana@example.org` -> `ana@example.org`."""
    if not value:
        return ""
    _type, sep, address = str(value).partition(";")
    address = (address if sep else _type).strip().strip("<>").strip()
    return address.lower()


def _status_of(*texts: str) -> str:
    for text in texts:
        match = _STATUS.search(text or "")
        if match:
            return ".".join(match.groups())
    for text in texts:
        match = _REPLY.search(text or "")
        if match:
            return f"{match.group(1)}.0.0"
    return ""


def _original_message_id(message: Message) -> str | None:
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                found = inner[0].get("Message-ID")
                if found:
                    return str(found).strip()
        elif content_type == "text/rfc822-headers":
            headers = HeaderParser().parsestr(_text(part))
            if headers.get("Message-ID"):
                return str(headers["Message-ID"]).strip()
    for part in message.walk():
        if part.get_content_maintype() == "text":
            match = _MESSAGE_ID.search(_text(part))
            if match:
                return match.group(1)
    return None


def _report_fields(part: Message) -> list[Message]:
    """The field blocks of a message/delivery-status part (per-message first)."""
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        return [block for block in payload if isinstance(block, Message)]
    # Some senders base64 the part or use text/plain inside: parse the blocks ourselves.
    text = _text(part).replace("\r\n", "\n")
    return [HeaderParser().parsestr(block + "\n") for block in re.split(r"\n\s*\n", text) if block]


def _from_report(message: Message) -> list[DsnRecipient]:
    report = next(
        (
            p
            for p in message.walk()
            if p.get_content_type() in ("message/delivery-status", "message/global-delivery-status")
        ),
        None,
    )
    if report is None:
        return []
    original = _original_message_id(message)
    blocks = _report_fields(report)
    found = []
    for block in blocks[1:] if len(blocks) > 1 else blocks:
        recipient = _address(block.get("Final-Recipient")) or _address(
            block.get("Original-Recipient")
        )
        if not recipient:
            continue
        action = str(block.get("Action", "")).strip().lower()
        diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
        _kind, _sep, diagnostic_text = diagnostic.partition(";")
        status = _status_of(str(block.get("Status", "")), diagnostic)
        if action not in ACTIONS:
            action = "failed" if status.startswith("5") else "delayed"
        if not status:
            status = "5.0.0" if action == "failed" else "4.0.0"
        found.append(
            DsnRecipient(
                recipient=recipient,
                action=action,
                status=status,
                permanent=action == "failed" and status.startswith("5"),
                diagnostic=(diagnostic_text or diagnostic).strip(),
                original_message_id=original,
            )
        )
    return found


def _looks_like_bounce(message: Message) -> bool:
    sender = str(message.get("From", ""))
    subject = str(message.get("Subject", ""))
    return bool(_BOUNCE_SUBJECT.search(subject)) and (
        bool(_DAEMON.search(sender)) or message.get("Return-Path", "").strip() in ("<>", "")
    )


def _qmail(text: str, original: str | None) -> list[DsnRecipient]:
    found = []
    for block in re.split(r"\n\s*\n", text):
        match = re.match(r"\s*<([^>]+@[^>]+)>:\s*(.*)", block, re.DOTALL)
        if not match:
            continue
        diagnostic = " ".join(match.group(2).split())
        status = _status_of(diagnostic) or "5.0.0"
        found.append(
            DsnRecipient(
                recipient=match.group(1).lower(),
                action="failed" if status.startswith("5") else "delayed",
                status=status,
                permanent=status.startswith("5"),
                diagnostic=diagnostic,
                original_message_id=original,
            )
        )
    return found


def _plain(text: str, original: str | None) -> list[DsnRecipient]:
    """Exim and other plain-text bounces: the failed addresses sit on indented lines."""
    found: dict[str, DsnRecipient] = {}
    lines = text.splitlines()
    delayed = bool(re.search(r"\bdelayed\b|has not yet been delivered|will retry", text, re.I))
    for index, line in enumerate(lines):
        if not line.startswith((" ", "\t")) or line.strip().lower().startswith("message-id"):
            continue
        match = _ADDRESS.fullmatch(line.strip().split()[0]) if line.strip() else None
        if not match:
            continue
        context = " ".join(lines[index : index + 4])
        diagnostic = " ".join(" ".join(lines[index + 1 : index + 4]).split()) or line.strip()
        status = _status_of(context) or ("4.0.0" if delayed else "5.0.0")
        recipient = match.group(1).lower()
        found.setdefault(
            recipient,
            DsnRecipient(
                recipient=recipient,
                action="failed" if status.startswith("5") else "delayed",
                status=status,
                permanent=status.startswith("5"),
                diagnostic=diagnostic,
                original_message_id=original,
            ),
        )
    return list(found.values())


def dsn_parse(message: EmailMessage | Message) -> list[DsnRecipient]:
    """One record per recipient a bounce reports; [] for anything that is not a bounce."""
    if message.get_content_type() == "multipart/report":
        report_type = str(message.get_param("report-type", "") or "").lower()
        if report_type in ("delivery-status", "global-delivery-status", ""):
            found = _from_report(message)
            if found:
                return found
        if report_type and report_type not in ("delivery-status", "global-delivery-status"):
            return []  # feedback reports (complaints), read receipts
    if not _looks_like_bounce(message):
        return []
    text_parts = [
        p
        for p in message.walk()
        if p.get_content_type() == "text/plain" and p.get_content_disposition() != "attachment"
    ]
    text = _text(text_parts[0]).replace("\r\n", "\n") if text_parts else ""
    original = _original_message_id(message)
    # The quoted original at the end of the text must not be read as recipients.
    body = re.split(
        r"\n-{3,}.*(?:original message|below this line|returned message).*\n|\n\s*Message-ID:",
        text,
        maxsplit=1,
        flags=re.IGNORECASE,
    )[0]
    if "qmail-send program" in body:
        return _qmail(body, original)
    return _plain(body, original)
