"""Reading bounce messages: which recipients failed, for good or for now, and which message.

An RFC 3464 delivery status notification (and its RFC 6533 form for international
addresses, `message/global-delivery-status`) is read here, field by field: each recipient's
Action, Status and the server's words. Such a report is what nearly every mail server sends
today. The older shapes that carry no fields (qmail, Exim's plain text, old Exchange, ...)
are flufl.bounce's job (Mailman's detectors), used when a message's fields say nothing.

What ties a bounce to one of our messages is the Message-ID of the returned original (in its
`message/rfc822`, `text/rfc822-headers` or `message/global-headers` part, or quoted in the
text), since every message Urgent sends carries a stable one.

`dsn_parse` is a pure function: a message in, one `DsnRecipient` per failed or delayed
recipient out, or [] when the message is not a bounce (a reply, an auto-reply, a complaint
report, a report that a message was delivered).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.parser import HeaderParser
from typing import cast

from flufl.bounce import all_failures

from urgent.core.mail.headers import header_values

logger = logging.getLogger(__name__)

_MESSAGE_ID = re.compile(r"^\s*Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)
_ONE_ID = re.compile(r"<[^<>\s]+>")
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
# RFC 6533 writes a non-ASCII character of a utf-8 address as \x{HEX} outside global reports.
_UTF8_ESCAPE = re.compile(r"\\x\{([0-9A-Fa-f]{1,6})\}")
DELIVERY_STATUS_TYPES = ("message/delivery-status", "message/global-delivery-status")
_RETURNED_MESSAGE = ("message/rfc822", "message/global", "message/global-headers")
_DELIVERY_REPORT_TYPES = ("", "delivery-status", "global-delivery-status")


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


@dataclass(frozen=True)
class _Reported:
    """What one per-recipient field block says."""

    permanent: bool | None  # None: not a failure
    arrived: bool  # delivered, relayed or expanded: the report says the message went on
    status: str
    diagnostic: str


def _decoded(data: bytes, charset: str | None = None) -> str:
    """Bytes as text in their charset (UTF-8 when none is named or Python does not know
    it); bytes invalid in it become U+FFFD rather than stopping the report."""
    try:
        return data.decode(charset or "utf-8", "replace")
    except LookupError:
        return data.decode("utf-8", "replace")


def _text(part: Message) -> str:
    """A leaf part's text (only leaves are read this way, so the payload is bytes)."""
    return _decoded(cast(bytes, part.get_payload(decode=True)), part.get_content_charset())


def _header(message: Message, name: str) -> str:
    """A header's first value as text ("" when absent), hostile ones as written."""
    return next(iter(header_values(message, name)), "")


def _fields(block: str) -> dict[str, str]:
    """One block of `Name: value` lines, names lower-cased, values unfolded; the first of a
    repeated name counts."""
    found: dict[str, str] = {}
    for name, value in HeaderParser().parsestr(block + "\n").items():
        found.setdefault(name.lower(), " ".join(str(value).split()))
    return found


def _block_text(block: Message) -> str:
    # The parser keeps raw 8-bit header bytes as surrogates; RFC 6533 fields are UTF-8.
    lines = "\n".join(f"{name}: {value}" for name, value in block.raw_items())
    rest = cast(bytes, block.get_payload(decode=True))
    return _decoded(lines.encode("utf-8", "surrogateescape")) + "\n\n" + _decoded(rest)


def _status_text(part: Message) -> str:
    """A delivery-status part's fields as text, however Python's parser left them: a list of
    blocks (`message/delivery-status`), one message whose body holds the later blocks
    (`message/global-delivery-status`), or a block of transfer-encoded text."""
    payload = part.get_payload()
    if not isinstance(payload, list):
        return _text(part)
    text = "\n\n".join(_block_text(b) for b in payload if isinstance(b, Message))
    encoding = _header(part, "Content-Transfer-Encoding").strip().lower()
    if encoding in ("base64", "quoted-printable"):  # left undecoded in the one "block"
        holder = Message()
        holder["Content-Transfer-Encoding"] = encoding
        holder.set_payload(text)
        return _decoded(cast(bytes, holder.get_payload(decode=True)), part.get_content_charset())
    return text


def report_fields(message: Message) -> list[dict[str, str]]:
    """The field blocks of a message's delivery-status parts, in order: the per-message
    block (Reporting-MTA, ...) then one block per recipient."""
    blocks: list[dict[str, str]] = []
    for part in message.walk():
        if part.get_content_type() in DELIVERY_STATUS_TYPES:
            text = _status_text(part).replace("\r\n", "\n")
            blocks += [_fields(chunk.strip()) for chunk in _BLANK_LINE.split(text) if chunk.strip()]
    return blocks


def _address(recipient_field: str) -> str:
    """`rfc822; desk@example.org` (or `utf-8; ...`, or a bare `<desk@example.org>`) -> the
    address, lower-cased; "" when the field names none."""
    kind, separator, value = recipient_field.partition(";")
    address = value if separator else kind
    address = _UTF8_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), address)
    address = address.strip().strip("<>").strip().lower()
    return address if "@" in address else ""


def _permanence(action: str) -> bool | None:
    if action.startswith("delayed"):
        return False
    # "error" is not RFC 3464's, but OpenSMTPD writes it for a failure.
    if action.startswith(("fail", "error")):
        return True
    return None


def _reported(message: Message) -> dict[str, _Reported]:
    """{recipient: what its field block says} from an RFC 3464 report."""
    found: dict[str, _Reported] = {}
    for fields in report_fields(message):
        # The address as our server gave it (Original-Recipient) is the one we know; the
        # final one may be where the receiving side forwarded it.
        address = _address(fields.get("original-recipient", "")) or _address(
            fields.get("final-recipient", "")
        )
        if not address:
            continue  # the per-message block, or a recipient block naming no one
        action = fields.get("action", "").lower()
        diagnostic = fields.get("diagnostic-code", "")
        diagnostic = diagnostic.partition(";")[2].strip() or diagnostic
        status = _STATUS.search(fields.get("status", "") or diagnostic)
        found[address] = _Reported(
            permanent=_permanence(action),
            arrived=action.startswith(("delivered", "relayed", "expanded")),
            status=status.group(1) if status else "",
            diagnostic=diagnostic,
        )
    return found


def _other_shapes(message: Message) -> dict[str, bool]:
    """{recipient: permanent} from the bounce shapes that carry no RFC 3464 fields."""
    try:
        temporary, permanent = all_failures(message)
    except Exception:
        # (an empty From is an IndexError): a report they cannot read is no report.
        logger.info("bounce unreadable by flufl.bounce", exc_info=True)
        return {}
    # flufl.bounce reports ASCII addresses only, as bytes.
    found = {_decoded(a).lower(): False for a in temporary}
    found.update({_decoded(a).lower(): True for a in permanent})
    return found


def _original_message_id(message: Message) -> str | None:
    """The returned original's Message-ID: from its returned headers first, then from a
    `Message-ID:` line quoted in any text part."""
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type in _RETURNED_MESSAGE:
            inner = part.get_payload()  # [the returned message, or its headers]
            found = (
                _header(cast(Message, inner[0]), "Message-ID") if isinstance(inner, list) else ""
            )
        elif content_type == "text/rfc822-headers":
            found = _header(HeaderParser().parsestr(_text(part)), "Message-ID")
        else:
            continue
        match = _ONE_ID.search(found)  # one that a hostile header left unreadable is none
        if match:
            return match.group(0)
    for part in message.walk():
        if part.get_content_maintype() == "text":
            match = _MESSAGE_ID.search(_text(part))
            if match:
                return match.group(1)
    return None


def _is_other_report(message: Message) -> bool:
    """A multipart/report that is not about delivery (a complaint, a read receipt)."""
    report_type = str(message.get_param("report-type") or "").lower()
    return (
        message.get_content_type() == "multipart/report"
        and report_type not in _DELIVERY_REPORT_TYPES
    )


def dsn_parse(message: EmailMessage | Message) -> list[DsnRecipient]:
    """One record per recipient a bounce reports; [] for anything that is not a bounce.

    A report with RFC 3464 recipient fields is read from them: each Action says failed or
    delayed, and a report that a message was delivered or relayed is no bounce. A message
    whose fields say neither (none at all, or no Action) goes to the detectors of older
    shapes, which read the text.
    """
    if _is_other_report(message):
        return []
    reported = _reported(message)
    failures = {a: r.permanent for a, r in reported.items() if r.permanent is not None}
    if not failures and not any(r.arrived for r in reported.values()):
        failures = _other_shapes(message)  # no fields, or fields that say nothing
    if not failures:
        return []
    original = _original_message_id(message)
    sender = " ".join((_header(message, "From") or "the mail system").split())
    records = []
    for address, permanent in failures.items():
        said = reported.get(address)
        status, diagnostic = (said.status, said.diagnostic) if said else ("", "")
        records.append(
            DsnRecipient(
                recipient=address,
                action="failed" if permanent else "delayed",
                status=status or ("5.0.0" if permanent else "4.0.0"),
                permanent=permanent,
                diagnostic=diagnostic or f"reported by {sender}",
                original_message_id=original,
            )
        )
    return sorted(records, key=lambda r: (not r.permanent, r.recipient))
