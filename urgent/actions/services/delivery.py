"""Letters to officials: claimed like a queue, paced per official, retried, held, digested.

Each LetterDelivery row is one letter to one contact point. A worker claims due rows in a
short transaction (SKIP LOCKED on PostgreSQL, where an advisory lock also serialises the
budget check; BEGIN IMMEDIATE on SQLite), marks them *sending* with a lease, sends, and
records the outcome. A worker that dies leaves rows whose lease runs out; the sweep puts
them back. Nothing depends on a process's memory.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections import defaultdict
from dataclasses import dataclass, field
from email.utils import formataddr

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from urgent.actions.fax import FaxPermanentError, FaxTemporaryError, fax_gateway
from urgent.actions.models import Action, DigestTarget, FaxTransmission, LetterDelivery
from urgent.actions.services.common import from_address, message_id_for, reply_address
from urgent.cases.models import Case
from urgent.core.mail import mail_send
from urgent.officials.models import ContactPoint
from urgent.officials.services import contact_point_bounce_record

log = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=5)
FAX_LEASE = datetime.timedelta(days=1)
# Waits after the 1st, 2nd, ... temporary failure; past the last, the letter has failed.
BACKOFF = [
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=15),
    datetime.timedelta(hours=1),
    datetime.timedelta(hours=3),
    datetime.timedelta(hours=6),
    datetime.timedelta(hours=12),
    datetime.timedelta(hours=24),
]
_CLAIM_LOCK = 0x55524745  # "URGE": serialises claims on PostgreSQL

S = LetterDelivery.Status


@dataclass
class SendReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    bounced: int = 0
    paced: int = 0
    submitted: int = 0
    errors: list[str] = field(default_factory=list)


def _accepting(prefix: str = "case__") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}status": Case.Status.ACTIVE, f"{prefix}actions_stopped": False}) & (
        Q(**{f"{prefix}deadline__isnull": True}) | Q(**{f"{prefix}deadline__gte": today})
    )


def _due(now: datetime.datetime) -> Q:
    return (
        Q(status=S.QUEUED) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    ) | Q(status=S.DEFERRED, next_attempt_at__lte=now)


def deliveries_due_exist(*, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return LetterDelivery.objects.filter(_due(now), _accepting(), digest=False).exists()


def deliveries_hold_and_release() -> tuple[int, int]:
    """Hold waiting letters of cases that stopped taking action; release them when it resumes."""
    waiting = [S.QUEUED, S.DEFERRED]
    held = (
        LetterDelivery.objects.filter(status__in=waiting)
        .exclude(_accepting())
        .update(status=S.HELD, error="held: the case is closed, past its deadline or stopped")
    )
    released = LetterDelivery.objects.filter(_accepting(), status=S.HELD).update(
        status=S.QUEUED, error=""
    )
    return held, released


def deliveries_reclaim(*, now: datetime.datetime | None = None) -> int:
    """Put back letters whose worker died mid-send: their lease ran out."""
    now = now or timezone.now()
    return LetterDelivery.objects.filter(status=S.SENDING, claimed_until__lt=now).update(
        status=S.DEFERRED,
        next_attempt_at=now,
        claimed_until=None,
        error="the worker sending it stopped; trying again",
    )


def _usage(official_ids: set[int], now: datetime.datetime) -> dict[int, tuple[int, int]]:
    """Letters each official received in the last hour and day (sending ones count too)."""
    hour, day = now - datetime.timedelta(hours=1), now - datetime.timedelta(days=1)
    rows = (
        LetterDelivery.objects.filter(official_id__in=official_ids, digest=False)
        .filter(Q(sent_at__gte=day) | Q(status=S.SENDING))
        .values("official_id")
        .annotate(
            hour=Count("id", filter=Q(sent_at__gte=hour) | Q(status=S.SENDING)),
            day=Count("id"),
        )
    )
    return {r["official_id"]: (r["hour"], r["day"]) for r in rows}


def deliveries_claim(*, limit: int = 50, now: datetime.datetime | None = None) -> list[int]:
    """Claim up to `limit` due letters within each official's hourly and daily budget."""
    now = now or timezone.now()
    per_hour = settings.URGENT_OFFICIAL_MAX_PER_HOUR
    per_day = settings.URGENT_OFFICIAL_MAX_PER_DAY
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CLAIM_LOCK])
        candidates = list(
            LetterDelivery.objects.filter(_due(now), _accepting(), digest=False)
            .exclude(contact_point__health=ContactPoint.Health.DEAD)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("id")
            .values_list("id", "official_id")[: limit * 4]
        )
        usage = _usage({official for _pk, official in candidates}, now)
        chosen: list[int] = []
        paced: dict[int, list[int]] = defaultdict(list)
        for pk, official in candidates:
            hour, day = usage.get(official, (0, 0))
            if len(chosen) < limit and hour < per_hour and day < per_day:
                chosen.append(pk)
                usage[official] = (hour + 1, day + 1)
            elif hour >= per_hour or day >= per_day:
                paced[official].append(pk)
        for official, pks in paced.items():
            hour, day = usage[official]
            wait = datetime.timedelta(hours=1) if day >= per_day else datetime.timedelta(minutes=5)
            LetterDelivery.objects.filter(pk__in=pks).update(
                next_attempt_at=now + wait,
                error=(
                    f"paced: this official has had {hour} letters in the last hour and "
                    f"{day} in the last day"
                ),
            )
        LetterDelivery.objects.filter(pk__in=chosen).update(
            status=S.SENDING, claimed_until=now + LEASE
        )
    return chosen


def deliveries_fail_dead() -> int:
    return LetterDelivery.objects.filter(
        status__in=[S.QUEUED, S.DEFERRED, S.HELD], contact_point__health=ContactPoint.Health.DEAD
    ).update(status=S.FAILED, error="the address stopped working (it bounced repeatedly)")


def deliveries_send_due(*, limit: int = 50) -> SendReport:
    """Claim a batch and send it; returns what happened, for the worker's log and tests."""
    report = SendReport()
    deliveries_fail_dead()
    ids = deliveries_claim(limit=limit)
    if not ids:
        return report
    rows = list(
        LetterDelivery.objects.filter(pk__in=ids)
        .select_related("action", "case__organisation", "contact_point", "official", "supporter")
        .order_by("id")
    )
    # Everyone a letter is addressed to, for its To and Cc headers (one query for the batch).
    addressed: dict[int, list[LetterDelivery]] = defaultdict(list)
    for other in (
        LetterDelivery.objects.filter(action_id__in={r.action_id for r in rows}, channel="email")
        .select_related("contact_point", "official")
        .order_by("id")
    ):
        addressed[other.action_id].append(other)
    for delivery in rows:
        if delivery.channel == "fax":
            _send_fax(delivery, report)
        else:
            _send_email(delivery, addressed[delivery.action_id], report)
    return report


def _header_list(deliveries: list[LetterDelivery], role: str) -> str:
    return ", ".join(
        formataddr((str(d.official), d.contact_point.value)) for d in deliveries if d.role == role
    )


def _sender(action: Action, organisation: str) -> str:
    name = f"{action.signature} via {organisation}" if action.signature else organisation
    return formataddr((name, from_address()))


def _send_email(
    delivery: LetterDelivery, addressed: list[LetterDelivery], report: SendReport
) -> None:
    action = delivery.action
    reply_to = [reply_address(delivery.pk)]
    if delivery.supporter and delivery.supporter.email:
        reply_to.insert(0, formataddr((action.signature, delivery.supporter.email)))
    headers = {
        "Message-ID": delivery.message_id,
        "To": _header_list(addressed, LetterDelivery.Role.TO) or delivery.contact_point.value,
    }
    cc = _header_list(addressed, LetterDelivery.Role.CC)
    if cc:
        headers["Cc"] = cc
    try:
        mail_send(
            to=[delivery.contact_point.value],
            template_prefix="actions/mail/letter",
            context={"subject": action.subject, "body": action.letter},
            language=action.language or None,
            reply_to=reply_to,
            headers=headers,
            from_email=_sender(action, delivery.case.organisation.name),
        )
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (450, b""))
        _smtp_failed(delivery, code, _text(text), report, recipient_refused=True)
    except smtplib.SMTPResponseException as exc:
        _smtp_failed(delivery, exc.smtp_code, _text(exc.smtp_error), report)
    except (smtplib.SMTPException, OSError) as exc:
        _retry_later(delivery, f"mail server unavailable: {exc}", report)
    else:
        _sent(delivery, report)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _sent(delivery: LetterDelivery, report: SendReport) -> None:
    LetterDelivery.objects.filter(pk=delivery.pk).update(
        status=S.SENT,
        sent_at=timezone.now(),
        attempts=delivery.attempts + 1,
        claimed_until=None,
        next_attempt_at=None,
        error="",
    )
    report.sent += 1


def _retry_later(delivery: LetterDelivery, error: str, report: SendReport) -> None:
    attempts = delivery.attempts + 1
    if attempts > len(BACKOFF):
        LetterDelivery.objects.filter(pk=delivery.pk).update(
            status=S.FAILED,
            attempts=attempts,
            claimed_until=None,
            error=f"gave up after {attempts} attempts: {error}"[:2000],
        )
        report.failed += 1
        return
    LetterDelivery.objects.filter(pk=delivery.pk).update(
        status=S.DEFERRED,
        attempts=attempts,
        claimed_until=None,
        next_attempt_at=timezone.now() + BACKOFF[attempts - 1],
        error=error[:2000],
    )
    report.deferred += 1
    report.errors.append(error)


def _smtp_failed(
    delivery: LetterDelivery,
    code: int,
    text: str,
    report: SendReport,
    *,
    recipient_refused: bool = False,
) -> None:
    error = f"{code} {text}".strip()
    if code < 500:
        _retry_later(delivery, f"mail server said: {error}", report)
        return
    if recipient_refused:
        # The official's address was refused outright: a bounce, counted on the address.
        LetterDelivery.objects.filter(pk=delivery.pk).update(
            status=S.BOUNCED, attempts=delivery.attempts + 1, claimed_until=None, error=error
        )
        contact_point_bounce_record(
            contact_point_id=delivery.contact_point_id, permanent=True, diagnostic=error
        )
        report.bounced += 1
        return
    LetterDelivery.objects.filter(pk=delivery.pk).update(
        status=S.FAILED, attempts=delivery.attempts + 1, claimed_until=None, error=error
    )
    report.failed += 1


def _send_fax(delivery: LetterDelivery, report: SendReport) -> None:
    gateway = fax_gateway()
    if gateway is None:
        _retry_later(delivery, "no fax gateway is configured (URGENT_FAX_GATEWAY)", report)
        return
    from urgent.actions.services.documents import fax_pdf

    try:
        pdf = fax_pdf(delivery=delivery)
        result = gateway.send(
            number=delivery.contact_point.value,
            pdf=pdf,
            reference=str(delivery.uuid),
            callback_url=fax_callback_url(delivery),
        )
    except FaxTemporaryError as exc:
        _retry_later(delivery, str(exc), report)
        return
    except FaxPermanentError as exc:
        LetterDelivery.objects.filter(pk=delivery.pk).update(
            status=S.FAILED, attempts=delivery.attempts + 1, claimed_until=None, error=str(exc)
        )
        report.failed += 1
        return
    transmission = FaxTransmission.objects.create(
        delivery=delivery,
        gateway=gateway.name,
        remote_id=result.remote_id,
        status=FaxTransmission.Status.SUBMITTED,
        pages=result.pages,
        detail=result.detail,
    )
    if result.status == "submitted":
        # The gateway is dialling: keep the lease long so the sweep does not send it twice.
        LetterDelivery.objects.filter(pk=delivery.pk).update(
            attempts=delivery.attempts + 1, claimed_until=timezone.now() + FAX_LEASE
        )
        report.submitted += 1
        return
    fax_status_record(
        transmission=transmission, status=result.status, pages=result.pages, detail=result.detail
    )
    report.sent += result.status == "sent"
    report.deferred += result.status == "failed"


def fax_callback_url(delivery: LetterDelivery) -> str:
    from django.core import signing

    token = signing.Signer(salt="urgent.actions.fax").sign(str(delivery.uuid))
    return f"{settings.URGENT_BASE_URL}/act/fax/status/{token}/"


def fax_status_record(
    *, transmission: FaxTransmission, status: str, pages: int | None, detail: str
) -> None:
    """What the gateway said about a fax: sent, or failed (dialled again later)."""
    with transaction.atomic():
        transmission = FaxTransmission.objects.select_for_update().get(pk=transmission.pk)
        if transmission.status != FaxTransmission.Status.SUBMITTED or status == "submitted":
            return
        transmission.status = status
        transmission.pages = pages if pages is not None else transmission.pages
        transmission.detail = detail[:2000]
        transmission.finished_at = timezone.now()
        transmission.save()
        delivery = LetterDelivery.objects.select_for_update().get(pk=transmission.delivery_id)
        if status == "sent":
            delivery.attempts = max(delivery.attempts, 1)
            LetterDelivery.objects.filter(pk=delivery.pk).update(
                status=S.SENT, sent_at=timezone.now(), claimed_until=None, error=""
            )
            return
        # A busy line or no answer: dial again later, like a temporary SMTP error.
        delivery.attempts = max(delivery.attempts - 1, 0)
        _retry_later(delivery, f"fax not transmitted: {detail or 'no reason given'}", SendReport())


def fax_poll_open(*, older_than: datetime.timedelta = datetime.timedelta(minutes=1)) -> int:
    """Ask the gateway about faxes it has not reported on (when callbacks get lost)."""
    gateway = fax_gateway()
    if gateway is None:
        return 0
    open_ = FaxTransmission.objects.filter(
        status=FaxTransmission.Status.SUBMITTED,
        gateway=gateway.name,
        updated_at__lt=timezone.now() - older_than,
    )[:50]
    done = 0
    for transmission in open_:
        try:
            result = gateway.status(remote_id=transmission.remote_id)
        except (FaxTemporaryError, FaxPermanentError) as exc:
            log.info("fax status poll failed for %s: %s", transmission.remote_id, exc)
            FaxTransmission.objects.filter(pk=transmission.pk).update(updated_at=timezone.now())
            continue
        if result.status == "submitted":
            FaxTransmission.objects.filter(pk=transmission.pk).update(updated_at=timezone.now())
            continue
        fax_status_record(
            transmission=transmission,
            status=result.status,
            pages=result.pages,
            detail=result.detail,
        )
        done += 1
    return done


def digests_send_due(*, now: datetime.datetime | None = None) -> int:
    """Send each digest target yesterday's (and older) letters on a case as one message."""
    now = now or timezone.now()
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    targets = DigestTarget.objects.select_related("target__case__organisation", "target__official")
    sent = 0
    for digest in targets:
        target = digest.target
        with transaction.atomic():
            waiting = list(
                LetterDelivery.objects.filter(
                    _accepting(),
                    case=target.case,
                    official=target.official,
                    digest=True,
                    status__in=[S.QUEUED, S.DEFERRED],
                    created_at__lt=start_of_today,
                )
                .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
                .exclude(contact_point__health=ContactPoint.Health.DEAD)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("action", "contact_point")
                .order_by("id")
            )
            if not waiting:
                continue
            LetterDelivery.objects.filter(pk__in=[d.pk for d in waiting]).update(
                status=S.SENDING, claimed_until=now + LEASE
            )
        sent += _send_digest(digest, waiting)
    return sent


def _send_digest(digest: DigestTarget, waiting: list[LetterDelivery]) -> int:
    import uuid

    target = digest.target
    case = target.case
    by_point: dict[int, list[LetterDelivery]] = defaultdict(list)
    for delivery in waiting:
        by_point[delivery.contact_point_id].append(delivery)
    for group in by_point.values():
        point = group[0].contact_point
        count = len(group)
        digest_id = message_id_for(uuid.uuid4(), kind="digest")
        subject = f"{case.reference}: {count} letters"
        intro = (
            f"{count} people wrote to you about {case.reference} ({case.headline}). "
            "Their letters follow, each as its writer composed it."
        )
        try:
            mail_send(
                to=[point.value],
                template_prefix="actions/mail/digest",
                context={
                    "subject": subject,
                    "intro": intro,
                    "letters": [{"letter": d.action.letter} for d in group],
                },
                reply_to=[reply_address(group[0].pk)],
                headers={"Message-ID": digest_id},
                from_email=formataddr((case.organisation.name, from_address())),
            )
        except (smtplib.SMTPException, OSError) as exc:
            for delivery in group:
                _retry_later(delivery, f"digest not sent: {exc}", SendReport())
            continue
        LetterDelivery.objects.filter(pk__in=[d.pk for d in group]).update(
            status=S.SENT,
            sent_at=timezone.now(),
            claimed_until=None,
            digest_message_id=digest_id,
            error="",
        )
    DigestTarget.objects.filter(pk=digest.pk).update(last_sent_on=timezone.localdate())
    return len(by_point)
