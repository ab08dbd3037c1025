"""Redacting a person from text and from a raw email message (erasure).

A message kept as evidence (an official's reply) may quote the letter it answers, and
carry the writer's address in its To or Cc. Erasure keeps the evidence and removes the
person: every text part and header loses their address and names; attachments (an
official's scanned letter) are kept as they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email import message_from_bytes, policy
from email.message import EmailMessage

ERASED_ADDRESS = "erased@erased.invalid"
ADDRESS_MASK = "<address>"
# Anything shaped like an email address, in a server's answer or a bounce's diagnostic.
_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
ERASED_TEXT = "[erased]"
# A name shorter than this would match inside ordinary words.
NAME_MIN = 3


def _patterns(needles: Iterable[str]) -> list[tuple[re.Pattern[str], str]]:
    found: dict[str, tuple[re.Pattern[str], str]] = {}
    for needle in needles:
        needle = " ".join((needle or "").split())
        if len(needle) < NAME_MIN or needle.lower() in found:
            continue
        # Names match as whole words, with any run of white space between their parts.
        body = r"\s+".join(re.escape(part) for part in needle.split(" "))
        replacement = ERASED_ADDRESS if "@" in needle else ERASED_TEXT
        found[needle.lower()] = (re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE), replacement)
    # Addresses first, then longer names, so "Ana Example" goes before "Ana".
    return sorted(found.values(), key=lambda p: ("@" not in p[0].pattern, -len(p[0].pattern)))


def addresses_masked(text: str) -> str:
    """`text` with every email address replaced by "<address>".

    For what servers answer (a refusal, a bounce's diagnostic), which is stored on the
    delivery row in clear: the row already says whose delivery it is, and a copy of the
    database must not list supporters' addresses in its error column.
    """
    return _ADDRESS.sub(ADDRESS_MASK, text) if "@" in text else text


def text_redact(text: str, needles: Iterable[str]) -> str:
    """`text` without any of `needles` (addresses and names), case-insensitively."""
    for pattern, replacement in _patterns(needles):
        text = pattern.sub(replacement, text)
    return text


def message_redact(raw: bytes, needles: Iterable[str]) -> bytes:
    """The raw message with `needles` gone from its headers and text parts."""
    needles = list(needles)
    message = message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    for part in message.walk():
        for name, value in list(part.items()):
            cleaned = text_redact(str(value), needles)
            if cleaned != str(value):
                part.replace_header(name, cleaned)
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        if part.get_content_disposition() == "attachment":
            continue
        try:
            content = part.get_content()
        except (LookupError, KeyError, ValueError):
            payload = part.get_payload(decode=True)
            content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
        cleaned = text_redact(str(content), needles)
        if cleaned != content:
            part.set_content(cleaned, subtype=part.get_content_subtype(), charset="utf-8")
    return message.as_bytes(policy=policy.default)
