"""Where an inbound message goes, in a fixed order.

0. "unsubscribe <signed token>", the mailto: form of List-Unsubscribe that bulk mail carries:
   the token is the proof, nothing is answered, so it is honoured even from a robot.
   A report from the email-to-fax service (URGENT_FAX_EMAIL_FROM) about a fax it was
   handed, quoting the fax's reference: the fax is confirmed, or failed and dialled again.
1. Automatic mail (RFC 3834: Auto-Submitted, Precedence, X-Autoreply, the null sender,
   mailer-daemon): never answered. Delivery reports are handed to the bounce recorders of
   mailings and actions (with the host that wrote the report: only the receiving side's
   count on an official's address); other automatic replies (a ministry's
   acknowledgement) are offered to the official-reply recorder, as evidence that a letter
   arrived.
2. "Keep me updated on UA 118/21" in any of the forms people write it: the sender is
   mailed a confirmation link; nothing is subscribed until it is followed. An unknown
   reference gets a polite reply saying how to find the case.
3. Replies from officials, recognised by actions' `official_reply_record`.
4. Anything else is kept and logged as unmatched.

The recorders are the owning apps' services (mailings, actions, supporters): inbound sits
above them all and only decides which one a message is for.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.utils.translation import check_for_language

from urgent.actions.fax import (
    email_fax_outcome,
    email_fax_references,
    email_fax_sender_is_gateway,
)
from urgent.actions.services import (
    bounce_reporter_plausible,
    fax_report_record,
    letter_bounce_record,
    official_reply_record,
)
from urgent.actions.services.common import bounce_address_read
from urgent.core.mail import mail_send
from urgent.core.ratelimit import ratelimit_hit, ratelimit_key
from urgent.inbound import selectors
from urgent.inbound.models import InboundMessage
from urgent.inbound.reading import (
    automatic_reason,
    header,
    is_delivery_report,
    message_id,
    message_text,
    recipient_addresses,
    report_origin,
    sender_address,
)
from urgent.inbound.subjects import subject_is_bare_reference, subject_parse
from urgent.mailings.dsn import dsn_parse
from urgent.mailings.services import mailing_bounce_record
from urgent.supporters.addresses import AddressRejected, address_check
from urgent.supporters.consent import consent_case_wording
from urgent.supporters.models import Confirmation, Supporter
from urgent.supporters.selectors import case_from_link_extra, supporter_from_link
from urgent.supporters.services import confirmation_request, supporter_unsubscribe

logger = logging.getLogger(__name__)

# Polite replies to one sender per day: a forged sender must not turn us into a mail cannon.
REPLIES_PER_SENDER_PER_DAY = 3

# The mailto: in List-Unsubscribe asks for "unsubscribe <token>" as the subject.
_UNSUBSCRIBE = re.compile(r"^\s*unsubscribe\s+([A-Za-z0-9_:%.\-]{20,400})\s*$", re.IGNORECASE)

Status = InboundMessage.Status
Route = InboundMessage.Route


@dataclass
class Routed:
    status: str
    route: str
    note: str = ""
    supporter: Supporter | None = None


def message_route(*, row: InboundMessage, message: EmailMessage) -> Routed:
    unsubscribed = _unsubscribe(message)
    if unsubscribed is not None:
        return unsubscribed
    fax_report = _fax_report(row=row, message=message)
    if fax_report is not None:
        return fax_report
    envelope_sender = row.mail_from if row.source == "smtp" else (row.mail_from or None)
    reason = automatic_reason(message, envelope_sender=envelope_sender)
    if reason is not None:
        if is_delivery_report(message) or "null envelope" in reason or "program" in reason:
            return _bounce(row=row, message=message, reason=reason)
        return _automatic_reply(row=row, message=message, reason=reason)
    routed = _keep_updated(row=row, message=message)
    if routed is not None:
        return routed
    return _official_reply(row=row, message=message)


def _unsubscribe(message: EmailMessage) -> Routed | None:
    match = _UNSUBSCRIBE.match(header(message, "subject"))
    if match is None:
        return None
    found = supporter_from_link(token=unquote(match.group(1)), purpose="unsubscribe")
    if found is None:
        return Routed(Status.IGNORED, Route.UNSUBSCRIBE, "invalid or expired unsubscribe token")
    supporter, extra = found
    case = case_from_link_extra(extra)
    supporter_unsubscribe(supporter=supporter, case=case, source="email (List-Unsubscribe mailto)")
    what = case.reference if case is not None else "everything"
    return Routed(Status.PROCESSED, Route.UNSUBSCRIBE, f"unsubscribed from {what}", supporter)


def _fax_report(*, row: InboundMessage, message: EmailMessage) -> Routed | None:
    sender = sender_address(message) or row.mail_from
    if not email_fax_sender_is_gateway(sender):
        return None
    subject = header(message, "subject")
    references = email_fax_references(
        subject, header(message, "in-reply-to"), header(message, "references")
    )
    outcome = email_fax_outcome(subject=subject, text=message_text(message))
    if not references or outcome is None:
        what = "no fax reference" if not references else "no outcome it recognises"
        return Routed(Status.IGNORED, Route.FAX_REPORT, f"from the fax gateway; {what}")
    status, phrase = outcome
    if not fax_report_record(references=references, status=status, detail=f"gateway: {phrase}"):
        return Routed(Status.IGNORED, Route.FAX_REPORT, "from the fax gateway; matches no fax")
    return Routed(Status.PROCESSED, Route.FAX_REPORT, f"fax {status} ({phrase})")


def _field(item: Any, name: str) -> Any:
    return item.get(name) if isinstance(item, dict) else getattr(item, name, None)


def _bounce(*, row: InboundMessage, message: EmailMessage, reason: str) -> Routed:
    reports = list(dsn_parse(message) or [])
    if not reports:
        return _automatic_reply(row=row, message=message, reason=f"{reason}; no report inside")
    # The letter's signed return path, when the report came back to it (VERP).
    returned = [bounce_address_read(a) for a in recipient_addresses(message, list(row.rcpt_to))]
    delivery_id = next((found for found in returned if found is not None), None)
    origin = report_origin(message)
    counted = 0
    not_trusted: set[str] = set()
    for report in reports:
        message_id = str(_field(report, "message_id") or "")
        recipient = str(_field(report, "recipient") or "")
        permanent = bool(_field(report, "permanent"))
        diagnostic = str(_field(report, "diagnostic") or "")
        to_supporter = mailing_bounce_record(
            message_id=message_id, recipient=recipient, permanent=permanent, diagnostic=diagnostic
        )
        about_letter = letter_bounce_record(
            message_id=message_id,
            recipient=recipient,
            permanent=permanent,
            diagnostic=diagnostic,
            delivery_id=delivery_id,
            reported_by=origin,
        )
        counted += bool(to_supporter or about_letter)
        if about_letter and not bounce_reporter_plausible(host=origin, address=recipient):
            not_trusted.add(recipient)
    if not counted:
        # Nothing in it proves it is about a message we sent: anyone can write a report.
        return Routed(
            Status.IGNORED,
            Route.BOUNCE,
            f"{len(reports)} recipient(s) reported; "
            "no Message-ID or return path of ours, not counted",
        )
    note = f"{len(reports)} recipient(s) reported"
    if not_trusted:
        note += (
            f"; written by {origin or 'an unnamed host'}, not the receiving side's: "
            "letter marked, not counted on the address"
        )
    return Routed(Status.PROCESSED, Route.BOUNCE, note)


def _automatic_reply(*, row: InboundMessage, message: EmailMessage, reason: str) -> Routed:
    if official_reply_record(message=message, raw=bytes(row.raw), received_at=row.received_at):
        return Routed(Status.PROCESSED, Route.OFFICIAL_REPLY, f"automatic reply ({reason})")
    return Routed(Status.IGNORED, Route.AUTO_REPLY, reason)


def _official_reply(*, row: InboundMessage, message: EmailMessage) -> Routed:
    if official_reply_record(message=message, raw=bytes(row.raw), received_at=row.received_at):
        return Routed(Status.PROCESSED, Route.OFFICIAL_REPLY)
    logger.info("inbound message %s matched nothing", row.pk)
    return Routed(Status.UNMATCHED, Route.OTHER, "matched no request, case or letter")


def _reply_language(language: str | None) -> str:
    if language and check_for_language(language) and language in dict(settings.LANGUAGES):
        return language
    return settings.LANGUAGE_CODE


def _reply_headers(message: EmailMessage) -> dict[str, str]:
    # RFC 3834: mark what we send in answer, so other robots do not answer it in turn.
    headers = {"Auto-Submitted": "auto-replied"}
    original = message_id(message)
    if original:
        headers["In-Reply-To"] = original
        headers["References"] = original
    return headers


def _keep_updated(*, row: InboundMessage, message: EmailMessage) -> Routed | None:
    subject = header(message, "subject")
    request = subject_parse(subject)
    recipients = recipient_addresses(message, list(row.rcpt_to))
    to_updates = bool(recipients & selectors.updates_addresses())
    replying = request.is_reply or bool(header(message, "in-reply-to"))
    if replying and not to_updates:
        return None
    names_case = request.reference is not None and (
        request.asks_updates or to_updates or subject_is_bare_reference(subject)
    )
    if not names_case and not (request.asks_updates and to_updates):
        return None
    sender = sender_address(message)
    ours = {parseaddr(settings.URGENT_FROM_EMAIL)[1].lower(), *recipients}
    if not sender or sender.lower() in ours:
        return Routed(Status.IGNORED, Route.AUTO_REPLY, "sent by this site or with no sender")
    language = _reply_language(request.language)
    case = (
        selectors.case_find_by_reference(key=request.reference, recipients=recipients)
        if request.reference
        else None
    )
    if case is None:
        return _unknown_case(message=message, sender=sender, subject=subject, language=language)
    try:
        confirmation = confirmation_request(
            email=sender,
            kind=Confirmation.Kind.CASE,
            case=case,
            wording=consent_case_wording(language=language, reference=case.reference),
            source=f"email: “{subject[:80]}” to {', '.join(sorted(recipients))[:60]}",
            language=language,
            reply_headers=_reply_headers(message),
        )
    except AddressRejected as exc:
        return Routed(Status.IGNORED, Route.KEEP_UPDATED, f"sender refused: {exc.message}")
    return Routed(
        Status.PROCESSED,
        Route.KEEP_UPDATED,
        f"confirmation for {case.reference} requested",
        confirmation.supporter if confirmation else None,
    )


def _unknown_case(*, message: EmailMessage, sender: str, subject: str, language: str) -> Routed:
    try:
        sender = address_check(sender)
    except AddressRejected as exc:
        return Routed(Status.IGNORED, Route.UNKNOWN_CASE, f"sender refused: {exc.message}")
    if not ratelimit_hit(
        key=ratelimit_key("inbound-reply", sender.lower()),
        limit=REPLIES_PER_SENDER_PER_DAY,
        window_seconds=86400,
    ):
        return Routed(Status.PROCESSED, Route.UNKNOWN_CASE, "no reply: daily limit for sender")
    mail_send(
        to=[sender],
        template_prefix="emails/inbound_unknown_case",
        context={"subject": subject, "cases": selectors.case_list_for_reply()},
        language=language,
        headers=_reply_headers(message),
    )
    return Routed(Status.PROCESSED, Route.UNKNOWN_CASE, "replied with how to find the case")
