"""Bulk messages as bytes, built from stdlib `email` pieces without a tree per message.

`email.message.EmailMessage` costs about half a millisecond to build and serialise a
two-part message; a fan-out of 100,000 cannot afford it. The parts that never change in a
mailing (sender, boundary, part headers) are made once, and each message is a few string
joins, `email.utils.formataddr`, `email.header.Header` for non-ASCII subjects and names, and
quoted-printable bodies from `binascii.b2a_qp` (C). Tests parse the result back with the
stdlib parser.
"""

from __future__ import annotations

import binascii
import re
import secrets
import time
from email.header import Header
from email.utils import formataddr, formatdate, parseaddr
from functools import lru_cache
from urllib.parse import quote

_URL_SAFE = re.compile(r"[A-Za-z0-9_.:~-]*")


class AddressError(ValueError):
    """A recipient address that cannot be written into a message or an envelope."""


def address_domain(address: str) -> str:
    return parseaddr(address)[1].rpartition("@")[2].lower() or "localhost"


def envelope_address(address: str) -> str:
    """The address as SMTP carries it: IDNA domain; refuses what would break a command."""
    if any(c in address for c in "\r\n<> \t,;") or address.count("@") != 1:
        raise AddressError(f"the address {address!r} cannot be used in SMTP")
    local, _at, domain = address.rpartition("@")
    if not local or not domain:
        raise AddressError(f"the address {address!r} has no local part or domain")
    if not local.isascii():
        raise AddressError(
            f"the address {address!r} needs SMTPUTF8, which this sender does not use"
        )
    try:
        ascii_domain = domain.encode("idna").decode("ascii") if not domain.isascii() else domain
    except UnicodeError as exc:
        raise AddressError(f"the domain of {address!r} is not a valid name") from exc
    return f"{local}@{ascii_domain}"


def _qp(text: str) -> bytes:
    data = "\n".join(text.splitlines()).encode("utf-8")
    return binascii.b2a_qp(data, istext=True).replace(b"\n", b"\r\n")


@lru_cache(maxsize=512)
def _subject_header(subject: str) -> str:
    if subject.isascii() and len(subject) < 900:
        return subject
    return Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")


class _Clock:
    """RFC 5322 Date, formatted once a second."""

    def __init__(self) -> None:
        self.second = -1
        self.value = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self.second:
            self.second, self.value = second, formatdate(second, usegmt=True)
        return self.value


class MessageBuilder:
    """Makes the bytes of each message of one mailing."""

    def __init__(
        self,
        *,
        from_email: str,
        list_id: str,
        boundary: str | None = None,
    ) -> None:
        name, address = parseaddr(from_email)
        self.from_address = address
        self.domain = address_domain(from_email)
        self.from_header = formataddr((name, address), charset="utf-8") if name else address
        self.list_id = list_id
        self.boundary = boundary or f"=_urgent_{secrets.token_hex(12)}"
        self.clock = _Clock()
        part = (
            'Content-Type: text/{}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        )
        self.text_part_head = part.format("plain").encode()
        self.html_part_head = part.format("html").encode()
        self.delimiter = f"\r\n--{self.boundary}\r\n".encode()
        self.closing = f"\r\n--{self.boundary}--\r\n".encode()

    def message_id(self, *, mailing_hex: str, supporter_hex: str) -> str:
        """Stable per mailing and supporter, so a retry after a crash reuses it."""
        return f"<m{mailing_hex}.{supporter_hex}@{self.domain}>"

    def build(
        self,
        *,
        to_name: str,
        to_address: str,
        subject: str,
        text: str,
        html: str | None,
        message_id: str,
        unsubscribe_url: str,
        unsubscribe_token: str,
    ) -> bytes:
        to_name = " ".join(to_name.split())
        to_header = formataddr((to_name, to_address), charset="utf-8") if to_name else to_address
        # Signed tokens are URL-safe already; quote() only when one is not.
        token = (
            unsubscribe_token
            if _URL_SAFE.fullmatch(unsubscribe_token)
            else quote(unsubscribe_token)
        )
        mailto = f"mailto:{self.from_address}?subject=unsubscribe%20{token}"
        head = (
            f"From: {self.from_header}\r\n"
            f"To: {to_header}\r\n"
            f"Subject: {_subject_header(' '.join(subject.split()))}\r\n"
            f"Date: {self.clock.now()}\r\n"
            f"Message-ID: {message_id}\r\n"
            f"List-Id: {self.list_id}\r\n"
            f"List-Unsubscribe: <{unsubscribe_url}>,\r\n <{mailto}>\r\n"
            "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
            "MIME-Version: 1.0\r\n"
        )
        if html is None:
            data = (
                head.encode()
                + b'Content-Type: text/plain; charset="utf-8"\r\n'
                + b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
                + _qp(text)
                + b"\r\n"
            )
        else:
            data = b"".join(
                (
                    head.encode(),
                    f'Content-Type: multipart/alternative; boundary="{self.boundary}"\r\n\r\n'
                    "This is a message in two formats: text and HTML.".encode(),
                    self.delimiter,
                    self.text_part_head,
                    _qp(text),
                    self.delimiter,
                    self.html_part_head,
                    _qp(html),
                    self.closing,
                )
            )
        return data
