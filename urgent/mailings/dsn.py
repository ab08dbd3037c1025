"""Reading bounce messages: which recipients failed, for good or for now, and which message.

Which recipients a bounce reports, and whether for good, is flufl.bounce's job (Mailman's
detectors: RFC 3464 delivery status notifications and the many older shapes, qmail, Exim,
Exchange, Postfix, ...). What stays here is what ties a bounce to one of our messages: the
Message-ID of the returned original (from its message/rfc822 or text/rfc822-headers part,
or quoted in the text), since every message Urgent sends carries a stable one, and the
status and server's words that an RFC 3464 report gives for each recipient.

`dsn_parse` is a pure function: a message in, one `DsnRecipient` per reported recipient
out, or [] when the message is not a bounce (a reply, an auto-reply, a complaint report).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.parser import HeaderParser

from flufl.bounce import all_failures

logger = logging.getLogger(__name__)

_MESSAGE_ID = re.compile(r"^\s*Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_DELIVERY_STATUS = ("message/delivery-status", "message/global-delivery-status")


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


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        try:
            return payload.decode(part.get_content_charset() or "utf-8", "replace")
        except LookupError:
            return payload.decode("utf-8", "replace")
    raw = part.get_payload()
    return raw if isinstance(raw, str) else ""


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


def _reported(message: Message) -> dict[str, tuple[str, str]]:
    """{recipient: (status, diagnostic)} from an RFC 3464 report's per-recipient fields."""
    found: dict[str, tuple[str, str]] = {}
    for part in message.walk():
        if part.get_content_type() not in _DELIVERY_STATUS:
            continue
        blocks = part.get_payload()
        if not isinstance(blocks, list):  # encoded oddly: parse the field blocks here
            text = _text(part).replace("\r\n", "\n")
            blocks = [HeaderParser().parsestr(b + "\n") for b in re.split(r"\n\s*\n", text) if b]
        for block in blocks:
            if not isinstance(block, Message):
                continue
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            address = recipient.partition(";")[2].strip().strip("<>").lower()
            if not address:
                continue
            diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
            diagnostic = diagnostic.partition(";")[2].strip() or diagnostic
            status = _STATUS.search(str(block.get("Status", "")) or diagnostic)
            found[address] = (status.group(1) if status else "", diagnostic)
    return found


def _is_other_report(message: Message) -> bool:
    """A multipart/report that is not about delivery (a complaint, a read receipt)."""
    report_type = str(message.get_param("report-type", "") or "").lower()
    return message.get_content_type() == "multipart/report" and report_type not in (
        "",
        "delivery-status",
        "global-delivery-status",
    )


def dsn_parse(message: EmailMessage | Message) -> list[DsnRecipient]:
    """One record per recipient a bounce reports; [] for anything that is not a bounce."""
    if _is_other_report(message):
        return []
    try:
        temporary, permanent = all_failures(message)
    except Exception:
        # (an empty From is an IndexError): a report they cannot read is no report.
        logger.info("delivery report unreadable by flufl.bounce", exc_info=True)
        return []
    if not temporary and not permanent:
        return []
    original = _original_message_id(message)
    reported = _reported(message)
    sender = " ".join(str(message.get("From", "the mail system")).split())
    records = []
    for raw, is_permanent in [(a, True) for a in permanent] + [(a, False) for a in temporary]:
        address = (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw).lower()
        status, diagnostic = reported.get(address, ("", ""))
        records.append(
            DsnRecipient(
                recipient=address,
                action="failed" if is_permanent else "delayed",
                status=status or ("5.0.0" if is_permanent else "4.0.0"),
                permanent=is_permanent,
                diagnostic=diagnostic or f"reported by {sender}",
                original_message_id=original,
            )
        )
    return sorted(records, key=lambda r: (not r.permanent, r.recipient))
