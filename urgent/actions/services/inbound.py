"""What comes back from officials' mail servers, officials and fax services.

The inbound mail receiver parses messages and calls these functions: bounce reports,
replies, and email-to-fax reports. Each says whether the message was about a letter (or a
fax) sent through Urgent.
"""

from __future__ import annotations

import datetime
import email.message
import email.utils
import re
import uuid
from typing import cast

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from urgent.actions.letters import text_clean
from urgent.actions.models import FaxTransmission, LetterDelivery, OfficialReply
from urgent.actions.services.common import message_id_normalise, reply_address_read
from urgent.actions.services.delivery import fax_status_record
from urgent.core.mail.headers import header_values
from urgent.core.redact import addresses_masked
from urgent.officials.services import contact_point_bounce_record

S = LetterDelivery.Status
_MSGID = re.compile(r"<[^<>\s]+>")


def letter_bounce_record(
    *,
    message_id: str,
    recipient: str,
    permanent: bool,
    diagnostic: str,
    delivery_id: int | None = None,
    reported_by: str | None = None,
) -> bool:
    """A delivery status notification about a letter: mark it, count it on the address.

    Only a report that proves it is about a letter Urgent sent counts: it quotes the
    letter's Message-ID (random, known only to the letter's recipients), or it came back to
    the letter's signed return path (`delivery_id`, read by `bounce_address_read`). A report
    naming only an address proves nothing: anyone can write one. Each letter is counted on
    its address once, however often its report arrives.

    `reported_by` is the host that wrote the report (its Reporting-MTA, else the host that
    handed it on), when the caller read one from mail. The letter is marked either way, but
    the report counts on the address's health only when that host is the receiving side's:
    in the address's domain, or a relay in URGENT_BOUNCE_RELAYS (`bounce_reporter_plausible`).
    """
    matched = _bounced_deliveries(
        message_id=message_id, recipient=recipient, delivery_id=delivery_id
    )
    if not matched:
        return False
    with transaction.atomic():
        fresh = list(
            LetterDelivery.objects.select_for_update()
            .filter(pk__in=[d.pk for d in matched])
            .exclude(status=S.BOUNCED)
            .values_list("pk", "contact_point_id", "contact_point__value")
        )
        LetterDelivery.objects.filter(pk__in=[pk for pk, _point, _value in fresh]).update(
            status=S.BOUNCED if permanent else S.DEFERRED,
            # A delayed-delivery report: the remote server is still trying, so we do not
            # send it again (no next attempt), we only show what it said.
            next_attempt_at=None,
            error=("bounced: " if permanent else "delayed by the receiving server: ")
            + addresses_masked(diagnostic)[:1900],
        )
        counted = {
            point
            for _pk, point, value in fresh
            if reported_by is None or bounce_reporter_plausible(host=reported_by, address=value)
        }
        for point_id in counted:
            contact_point_bounce_record(
                contact_point_id=point_id, permanent=permanent, diagnostic=diagnostic
            )
    return True


def _within(host: str, domain: str) -> bool:
    return bool(domain) and (host == domain or host.endswith("." + domain))


def bounce_reporter_plausible(*, host: str, address: str) -> bool:
    """Whether a report written by `host` may speak for the mailbox `address`.

    A receiving side reports from its own domain (mx1.ministry.example for
    desk@ministry.example) or from a relay the operator lists in URGENT_BOUNCE_RELAYS (the
    outgoing relay that heard the refusal, a provider receiving for the domain). Decided
    from names alone, offline: the report is about a letter of ours already, this only
    keeps a stranger's server from counting bounces on an official's address.
    """
    host = host.strip().strip(".").lower()
    domain = address.rpartition("@")[2].strip().strip(">").strip(".").lower()
    if not host or not domain:
        return False
    return _within(host, domain) or any(_within(host, r) for r in settings.URGENT_BOUNCE_RELAYS)


def fax_report_record(*, references: list[str], status: str, detail: str) -> bool:
    """An email-to-fax service's report on a fax it was handed: confirmed, or failed.

    `references` are the fax references (delivery UUIDs, random) the report quotes: the
    proof that it is about a fax of ours. False when it names none; a second report about
    the same fax changes nothing (`fax_status_record`).
    """
    transmission = (
        FaxTransmission.objects.filter(gateway="email", delivery__uuid__in=references)
        .order_by("-created_at", "-id")
        .first()
    )
    if transmission is None:
        return False
    fax_status_record(transmission=transmission, status=status, pages=None, detail=detail)
    return True


def _bounced_deliveries(
    *, message_id: str, recipient: str, delivery_id: int | None
) -> list[LetterDelivery]:
    recipient = recipient.strip().strip("<>").lower()
    message_id = message_id_normalise(message_id)
    rows = LetterDelivery.objects.filter(channel="email")
    if delivery_id is not None:
        own = rows.filter(pk=delivery_id).first()
        if own is None:
            return []
        # A digest goes once to an address for several letters, with the first one's path.
        same = Q(digest_message_id=own.digest_message_id) if own.digest_message_id else Q()
        rows = rows.filter(Q(pk=own.pk) | same, contact_point_id=own.contact_point_id)
    elif message_id:
        rows = rows.filter(Q(message_id=message_id) | Q(digest_message_id=message_id))
        if recipient:  # the copies to the other officials share the Message-ID
            rows = rows.filter(contact_point__value__iexact=recipient)
    else:
        return []
    return list(rows.order_by("id"))


def _header(message: email.message.EmailMessage, name: str) -> str:
    found = header_values(message, name)
    return found[0].strip() if found else ""


def _addresses(message: email.message.EmailMessage, *names: str) -> list[str]:
    values = [v for name in names for v in header_values(message, name)]
    try:
        pairs = email.utils.getaddresses(values)
    except Exception:
        return []
    return [addr.lower() for _name, addr in pairs if addr and "\n" not in addr]


def _written_at(
    message: email.message.EmailMessage, received: datetime.datetime
) -> datetime.datetime:
    """When the reply says it was written; the time received when its Date cannot be read
    or is far from the truth (a reply dated before the letter or in the future)."""
    try:
        date = email.utils.parsedate_to_datetime(_header(message, "Date"))
    except (TypeError, ValueError, IndexError, OverflowError):
        return received
    if timezone.is_naive(date):
        date = timezone.make_aware(date, datetime.UTC)
    if not (
        received - datetime.timedelta(days=366) <= date <= received + datetime.timedelta(days=1)
    ):
        return received
    return date


def _reply_text(message: email.message.EmailMessage) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except Exception:  # a body the parser cannot walk: the raw message is kept anyway
        return ""
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, KeyError, ValueError):  # a charset Python does not know
        # A body part is a leaf, so its decoded payload is bytes.
        content = cast(bytes, part.get_payload(decode=True)).decode("utf-8", "replace")
    text = str(content)
    if part.get_content_subtype() == "html":
        text = re.sub(r"(?i)<br\s*/?>|</p>", "\n", text)
    return text_clean(text)


def _delivery_for(message: email.message.EmailMessage) -> LetterDelivery | None:
    for address in _addresses(message, "To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To"):
        delivery_id = reply_address_read(address)
        if delivery_id is not None:
            found = LetterDelivery.objects.filter(pk=delivery_id).first()
            if found is not None:
                return found
    references = _MSGID.findall(
        " ".join(header_values(message, "In-Reply-To") + header_values(message, "References"))
    )
    if not references:
        return None
    candidates = sorted(
        LetterDelivery.objects.filter(
            Q(message_id__in=references) | Q(digest_message_id__in=references)
        ).select_related("contact_point"),
        # The main recipient first, then the copies: who a reply from elsewhere answers.
        key=lambda d: (d.role != LetterDelivery.Role.TO, d.pk),
    )
    if not candidates:
        return None
    sender = {a for a in _addresses(message, "From", "Sender", "Reply-To")}
    for delivery in candidates:
        if delivery.contact_point.value.lower() in sender:
            return delivery
    return candidates[0]


def official_reply_record(
    *,
    message: email.message.EmailMessage,
    raw: bytes,
    received_at: datetime.datetime | None = None,
) -> bool:
    """Keep an official's reply to a letter as evidence; the raw message is stored as is.

    Headers that cannot be read never lose the reply: a bad Date is the time received.
    """
    delivery = _delivery_for(message)
    if delivery is None:
        return False
    message_id = _header(message, "Message-ID")[:250]
    if (
        message_id
        and OfficialReply.objects.filter(delivery=delivery, message_id=message_id).exists()
    ):
        return True  # the same reply, delivered twice
    now = received_at or timezone.now()
    path = default_storage.save(f"replies/{now:%Y/%m}/{uuid.uuid4().hex}.eml", ContentFile(raw))
    sender = _addresses(message, "From")
    OfficialReply.objects.create(
        delivery=delivery,
        case_id=delivery.case_id,
        official_id=delivery.official_id,
        from_address=(sender[0] if sender else "")[:320],
        subject=text_clean(_header(message, "Subject"), multiline=False)[:998],
        text=_reply_text(message),
        received_at=_written_at(message, now),
        message_id=message_id,
        raw_path=path,
    )
    return True
