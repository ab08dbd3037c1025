"""Parsing raw inbound mail, and telling readable messages from broken or automatic ones."""

from __future__ import annotations

import codecs
import re
from email import errors, policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from urgent.mailings.dsn import DELIVERY_STATUS_TYPES, report_fields

# Defects after which the structure of a message cannot be trusted.
_FATAL_DEFECTS = (
    errors.NoBoundaryInMultipartDefect,
    errors.StartBoundaryNotFoundDefect,
    errors.CloseBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
    errors.MissingHeaderBodySeparatorDefect,
    errors.InvalidMultipartContentTransferEncodingDefect,
)
_ENCODED_WORD_CHARSET = re.compile(r"=\?([^?*]+)(?:\*[^?]*)?\?[QqBb]\?", re.ASCII)
_MESSAGE_ID = re.compile(r"^<[^<>\s]{1,250}>$")
# Senders that are programs, never people (RFC 3834 section 2).
_ROBOT_LOCALPARTS = re.compile(
    r"^(?:mailer-daemon|postmaster|listserv|majordomo|noreply|no-reply|do-not-reply|"
    r"donotreply|owner-.*|.*-request|.*-bounces?)$",
    re.IGNORECASE,
)


class Unreadable(Exception):
    """The message cannot be read safely; the reason is logged and the message dropped."""


def _charset_known(name: str) -> bool:
    try:
        codecs.lookup(name.strip().strip('"'))
    except LookupError:
        return False
    return True


def message_read(raw: bytes) -> EmailMessage:
    """The parsed message, or Unreadable for broken MIME and unknown character sets."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is lenient; anything it raises is a broken message
        raise Unreadable(f"cannot parse the message: {exc}") from exc
    assert isinstance(message, EmailMessage)
    for part in message.walk():
        for defect in part.defects:
            if isinstance(defect, _FATAL_DEFECTS):
                raise Unreadable(f"broken MIME structure: {type(defect).__name__}")
        charset = part.get_param("charset")
        if isinstance(charset, str) and charset and not _charset_known(charset):
            kind = part.get_content_type()
            raise Unreadable(f"unknown character set {charset[:40]!r} in a {kind} part")
    for name, value in message.raw_items():
        if name.lower() in {"subject", "from", "to", "reply-to"}:
            for found in _ENCODED_WORD_CHARSET.findall(str(value)):
                if not _charset_known(found):
                    raise Unreadable(f"unknown character set {found[:40]!r} in the {name} header")
    try:
        str(message.get("subject", ""))
        str(message.get("from", ""))
    except Exception as exc:
        raise Unreadable(f"unreadable headers: {exc}") from exc
    return message


def header(message: EmailMessage, name: str) -> str:
    """One header as plain text on one line ("" when absent or unreadable)."""
    try:
        value = message.get(name)
    except Exception:
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def sender_address(message: EmailMessage) -> str:
    """The address in From (not proof of anything: anyone can write any From)."""
    return parseaddr(header(message, "from"))[1].strip()


def recipient_addresses(message: EmailMessage, envelope: list[str]) -> set[str]:
    """Envelope recipients when known, else the addresses in To and Cc, lower-cased."""
    if envelope:
        return {a.strip().strip("<>").lower() for a in envelope if a.strip()}
    pairs = getaddresses([header(message, "to"), header(message, "cc")])
    return {addr.lower() for _name, addr in pairs if addr}


def message_id(message: EmailMessage) -> str:
    value = header(message, "message-id")
    return value if _MESSAGE_ID.match(value) else ""


def message_text(message: EmailMessage, *, limit: int = 4000) -> str:
    """The start of the message's text (plain, else HTML with its tags dropped); "" if none."""
    try:
        part = message.get_body(preferencelist=("plain", "html"))
        content = part.get_content() if part is not None else ""
    except Exception:  # a body the parser cannot walk or decode reads as no text
        return ""
    text = str(content)[: limit * 4]
    if part is not None and part.get_content_subtype() == "html":
        text = re.sub(r"<[^>]*>", " ", text)
    return " ".join(text.split())[:limit]


def is_delivery_report(message: EmailMessage) -> bool:
    if message.get_content_type() == "multipart/report":
        return True
    return any(part.get_content_type() in DELIVERY_STATUS_TYPES for part in message.walk())


_RECEIVED_FROM = re.compile(r"^\s*from\s+([A-Za-z0-9.-]+)", re.IGNORECASE)


def report_origin(message: EmailMessage) -> str:
    """The host that wrote a delivery report, lower-cased ("" when it names none).

    Its Reporting-MTA (RFC 3464, `dns; mx1.example.org`), else the host that handed the
    message on, named by the topmost Received header (`from mx1.example.org ...`).
    """
    for fields in report_fields(message):
        reporting = fields.get("reporting-mta", "").partition(";")[2].split()
        if reporting:
            return reporting[0].strip(".").lower()
    try:
        received = [str(value) for value in message.get_all("received") or []]
    except Exception:  # a header the parser chokes on names no host
        received = []
    hop = _RECEIVED_FROM.match(" ".join(received[0].split())) if received else None
    return hop.group(1).strip(".").lower() if hop else ""


def automatic_reason(message: EmailMessage, *, envelope_sender: str | None) -> str | None:
    """Why this message must never be answered (RFC 3834), or None for a person's mail.

    `envelope_sender` is None when the transport did not say (some webhooks); an empty
    string is the null sender `<>` that bounces use.
    """
    auto = header(message, "auto-submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto[:40]}"
    precedence = header(message, "precedence").lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        return f"Precedence: {precedence}"
    for name in ("x-autoreply", "x-autorespond", "list-id"):
        if header(message, name):
            return f"{name} header"
    if envelope_sender is not None and envelope_sender.strip() in {"", "<>"}:
        return "null envelope sender"
    for address in (envelope_sender or "", sender_address(message)):
        local = address.rpartition("@")[0] if "@" in address else ""
        if local and _ROBOT_LOCALPARTS.match(local):
            return f"sent by a program ({local})"
    if is_delivery_report(message):
        return "delivery status notification"
    return None
