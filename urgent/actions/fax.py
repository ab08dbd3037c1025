"""Fax gateways: one small interface, an HTTP fax service and email-to-fax.

URGENT_FAX_GATEWAY picks the adapter. The HTTP adapter speaks a plain JSON API that most
fax services resemble (or that a small shim can provide):

    POST {URGENT_FAX_URL}           {"to": "+12125550142", "document": <base64 PDF>,
                                     "filename": "letter.pdf", "reference": "<uuid>",
                                     "callback_url": "<our status URL>"}
      -> 200/201/202                {"id": "abc", "status": "queued|sending|sent|failed",
                                     "pages": 1, "error": ""}
    GET  {URGENT_FAX_URL}/{id}      -> the same shape, for polling
    POST <callback_url>             the same shape, when the service pushes a status

A user:password or token in the URL becomes HTTP Basic or Bearer authentication.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import unquote, urlsplit, urlunsplit

import phonenumbers
from django.conf import settings

from urgent.core.mail import mail_send


class FaxTemporaryError(Exception):
    """The gateway could not take the fax now (down, busy, 5xx): try again later."""


class FaxPermanentError(Exception):
    """The gateway refused the fax (bad number, 4xx): retrying would not help."""


@dataclass(frozen=True)
class FaxResult:
    remote_id: str
    status: str  # submitted, handed (taken, no confirmation to come by itself), sent, failed
    pages: int | None = None
    detail: str = ""


class FaxGateway(Protocol):
    name: str

    def send(self, *, number: str, pdf: bytes, reference: str, callback_url: str) -> FaxResult:
        """Hand a fax to the gateway; raises FaxTemporaryError or FaxPermanentError."""
        ...

    def status(self, *, remote_id: str) -> FaxResult:
        """What became of a fax handed over earlier."""
        ...


def fax_number_e164(number: str) -> str:
    """The number in E.164 (+12125550142); numbers in directories are written every way."""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException as exc:
        raise FaxPermanentError(f"not an international fax number: {number!r}") from exc
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


_STATUS = {
    "queued": "submitted",
    "submitted": "submitted",
    "sending": "submitted",
    "in_progress": "submitted",
    "sent": "sent",
    "delivered": "sent",
    "success": "sent",
    "failed": "failed",
    "error": "failed",
}


def _result(data: object) -> FaxResult:
    if not isinstance(data, dict) or "id" not in data:
        raise FaxTemporaryError("the fax service answered without a fax id")
    status = _STATUS.get(str(data.get("status", "")).lower(), "submitted")
    pages = data.get("pages")
    return FaxResult(
        remote_id=str(data["id"])[:200],
        status=status,
        pages=int(pages) if isinstance(pages, int) else None,
        detail=str(data.get("error") or "")[:1000],
    )


class HttpFaxGateway:
    name = "http"

    def __init__(self, url: str, timeout: float = 30) -> None:
        parts = urlsplit(url)
        self.auth = ""
        if parts.username and parts.password:
            pair = f"{unquote(parts.username)}:{unquote(parts.password)}".encode()
            self.auth = "Basic " + base64.b64encode(pair).decode()
        elif parts.username:
            self.auth = "Bearer " + unquote(parts.username)
        netloc = parts.hostname or ""
        if parts.port:
            netloc = f"{netloc}:{parts.port}"
        self.url = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), parts.query, ""))
        self.timeout = timeout

    def _call(self, url: str, body: dict[str, object] | None) -> FaxResult:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the operator configures the URL
            url, data=data, method="POST" if body is not None else "GET"
        )
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.auth:
            request.add_header("Authorization", self.auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return _result(json.loads(response.read() or b"{}"))
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode("utf-8", "replace")
            if exc.code in {408, 425, 429} or exc.code >= 500:
                raise FaxTemporaryError(f"fax service HTTP {exc.code}: {detail}") from exc
            raise FaxPermanentError(f"fax service refused it (HTTP {exc.code}): {detail}") from exc
        except (OSError, ValueError) as exc:
            raise FaxTemporaryError(f"fax service unreachable: {exc}") from exc

    def send(self, *, number: str, pdf: bytes, reference: str, callback_url: str) -> FaxResult:
        return self._call(
            self.url,
            {
                "to": fax_number_e164(number),
                "document": base64.b64encode(pdf).decode(),
                "filename": "letter.pdf",
                "reference": reference,
                "callback_url": callback_url,
            },
        )

    def status(self, *, remote_id: str) -> FaxResult:
        return self._call(f"{self.url}/{urllib.parse.quote(remote_id, safe='')}", None)


# What email-to-fax services write in their reports, and what it means. The first phrase
# found (in this order) in the subject, then the text, decides: failures come first, since
# "not delivered" and "could not be sent" contain the words of a success.
EMAIL_FAX_OUTCOMES: tuple[tuple[str, str], ...] = (
    ("not delivered", "failed"),
    ("undelivered", "failed"),
    ("could not be sent", "failed"),
    ("not sent", "failed"),
    ("failed", "failed"),
    ("failure", "failed"),
    ("busy", "failed"),
    ("no answer", "failed"),
    ("unsuccessful", "failed"),
    ("successfully sent", "sent"),
    ("delivered", "sent"),
    ("success", "sent"),
    ("sent", "sent"),
)
_OUTCOME = [(re.compile(rf"\b{re.escape(p)}\b", re.IGNORECASE), s) for p, s in EMAIL_FAX_OUTCOMES]
_FAX_REFERENCE = re.compile(r"\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b", re.IGNORECASE)


def email_fax_message_id(reference: str) -> str:
    """The Message-ID of the mail carrying fax `reference`: a gateway's report quotes it."""
    return f"<fax.{reference}@{settings.URGENT_FAX['domain'] or 'fax.invalid'}>"


def email_fax_references(*texts: str) -> list[str]:
    """The fax references (delivery UUIDs) named in a report's subject or reply headers."""
    found = [m.group(0).lower() for text in texts for m in _FAX_REFERENCE.finditer(text)]
    return list(dict.fromkeys(found))


def email_fax_outcome(*, subject: str, text: str) -> tuple[str, str] | None:
    """("sent" or "failed", the phrase that says so) from a report; None when it says neither."""
    for part in (subject, text):
        for pattern, status in _OUTCOME:
            match = pattern.search(part)
            if match:
                return status, match.group(0).lower()
    return None


def email_fax_sender_is_gateway(address: str) -> bool:
    """Whether `address` is the email-to-fax service's (URGENT_FAX_EMAIL_FROM, else its domain)."""
    config = settings.URGENT_FAX
    expected = str(config.get("from") or config.get("domain") or "").lower()
    address = address.strip().lower()
    if config.get("kind") != "email" or not expected or "@" not in address:
        return False
    if "@" in expected:
        return address == expected
    domain = address.rpartition("@")[2]
    return domain == expected or domain.endswith("." + expected)


class EmailFaxGateway:
    """Email-to-fax: the PDF is mailed to <number>@<domain>; the service dials it."""

    name = "email"

    def __init__(self, domain: str) -> None:
        self.domain = domain

    def send(self, *, number: str, pdf: bytes, reference: str, callback_url: str) -> FaxResult:
        digits = fax_number_e164(number).lstrip("+")
        address = f"{digits}@{self.domain}"
        try:
            mail_send(
                to=[address],
                template_prefix="actions/mail/fax",
                context={"reference": reference},
                headers={"Message-ID": email_fax_message_id(reference)},
                attachments=[("letter.pdf", pdf, "application/pdf")],
            )
        except OSError as exc:
            raise FaxTemporaryError(f"mail server unreachable: {exc}") from exc
        # The service only says more by mail (if at all): handed over is as far as we know,
        # and "sent" would claim a transmission nobody has confirmed.
        return FaxResult(remote_id=address, status="handed", detail="handed to email-to-fax")

    def status(self, *, remote_id: str) -> FaxResult:
        return FaxResult(remote_id=remote_id, status="handed")


def fax_gateway() -> FaxGateway | None:
    config = settings.URGENT_FAX
    if config["kind"] == "http":
        return HttpFaxGateway(config["url"])
    if config["kind"] == "email":
        return EmailFaxGateway(config["domain"])
    return None
