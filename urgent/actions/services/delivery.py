"""Letters to officials: rows of the queue engine, paced per official, held, digested.

Each LetterDelivery row is one letter to one contact point. The queue engine
(`urgent.core.queue`) claims due rows in a short transaction with a lease (serialised on
PostgreSQL so the per-official budget below is exact), skips rows whose case is held
(`case:<uuid hex>`), retries on its one schedule and records each outcome; a worker that
dies leaves rows whose lease runs out, and the sweep puts them back. This module says
which rows are due, how a letter is sent and what each answer means.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from urgent.actions.fax import FaxPermanentError, FaxTemporaryError, fax_gateway
from urgent.actions.models import Action, DigestTarget, FaxTransmission, LetterDelivery
from urgent.actions.services.common import (
    bounce_address,
    from_address,
    message_id_for,
    reply_address,
)
from urgent.actions.services.documents import fax_pdf
from urgent.cases.models import Case
from urgent.core.mail import mail_send
from urgent.core.queue import (
    Outcome,
    Queue,
    Recorder,
    Report,
    RowHold,
    holds_reason,
    queue_claim,
    queue_due_exist,
    queue_reclaim,
    queue_work,
    token_new,
)
from urgent.officials.models import ContactPoint
from urgent.officials.services import contact_point_bounce_record

log = logging.getLogger(__name__)

LETTERS = Queue(
    model=LetterDelivery,
    lease=datetime.timedelta(minutes=5),
    row_hold=RowHold(prefix="case:", lookup="case__uuid"),
    serial=True,
)
# A fax handed to the gateway stays claimed this long, waiting for its report.
FAX_LEASE = datetime.timedelta(days=1)

S = LetterDelivery.Status


def _accepting(prefix: str = "case__") -> Q:
    today = timezone.localdate()
    return Q(**{f"{prefix}status": Case.Status.ACTIVE, f"{prefix}actions_stopped": False}) & (
        Q(**{f"{prefix}deadline__isnull": True}) | Q(**{f"{prefix}deadline__gte": today})
    )


def _sendable() -> Q:
    return _accepting() & Q(digest=False) & ~Q(contact_point__health=ContactPoint.Health.DEAD)


def deliveries_due_exist(*, now: datetime.datetime | None = None) -> bool:
    return queue_due_exist(LETTERS, scope=_sendable(), now=now)


def deliveries_hold_and_release() -> tuple[int, int]:
    """Hold waiting letters of cases that stopped taking action; release them when it resumes."""
    waiting = [S.QUEUED, S.DEFERRED]
    stopped = ~_accepting() | LETTERS.held()
    held = LetterDelivery.objects.filter(stopped, status__in=waiting).update(
        status=S.HELD, error="held: the case is closed, past its deadline or stopped"
    )
    released = (
        LetterDelivery.objects.filter(status=S.HELD)
        .exclude(stopped)
        .update(status=S.QUEUED, error="")
    )
    return held, released


def deliveries_reclaim(*, now: datetime.datetime | None = None) -> int:
    """Put back letters whose worker died mid-send: their lease ran out.

    A fax whose lease ran out while its gateway never reported is not a dead worker but
    an attempt that failed: it is retried on the one schedule, and counted, so a gateway
    that swallows faxes is not dialled again forever.
    """
    now = now or timezone.now()
    _faxes_unreported_fail(now)
    return queue_reclaim(LETTERS, now=now)


def _faxes_unreported_fail(now: datetime.datetime) -> None:
    stale = LetterDelivery.objects.filter(
        status=S.SENDING,
        claimed_until__lt=now,
        fax_transmissions__status=FaxTransmission.Status.SUBMITTED,
    ).distinct()
    error = "fax not transmitted: the fax gateway did not report on it within a day"
    for delivery in stale:
        with transaction.atomic():
            FaxTransmission.objects.filter(
                delivery=delivery, status=FaxTransmission.Status.SUBMITTED
            ).update(status=FaxTransmission.Status.FAILED, finished_at=now, detail=error)
            Recorder(LetterDelivery).temporary(delivery.pk, attempts=delivery.attempts, error=error)


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


def _within_budget(
    candidates: list[tuple[Any, ...]], now: datetime.datetime, limit: int
) -> list[int]:
    """Up to `limit` candidates (id, official) each official's budgets allow; those over
    budget are paced."""
    per_hour = settings.URGENT_OFFICIAL_MAX_PER_HOUR
    per_day = settings.URGENT_OFFICIAL_MAX_PER_DAY
    usage = _usage({official for _pk, official in candidates}, now)
    chosen: list[int] = []
    paced: dict[int, list[int]] = defaultdict(list)
    for pk, official in candidates:
        hour, day = usage.get(official, (0, 0))
        if hour >= per_hour or day >= per_day:
            paced[official].append(pk)
        elif len(chosen) < limit:
            chosen.append(pk)
            usage[official] = (hour + 1, day + 1)
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
    return chosen


def deliveries_claim(*, limit: int = 50, now: datetime.datetime | None = None) -> list[int]:
    """Claim up to `limit` due letters within each official's hourly and daily budget."""
    claimed = queue_claim(
        LETTERS,
        token=token_new(),
        limit=limit,
        scope=_sendable(),
        choose=_within_budget,
        columns=("official_id",),
        over=4,
        now=now,
    )
    return claimed.ids


def deliveries_fail_dead() -> int:
    return LetterDelivery.objects.filter(
        status__in=[S.QUEUED, S.DEFERRED, S.HELD], contact_point__health=ContactPoint.Health.DEAD
    ).update(status=S.FAILED, error="the address stopped working (it bounced repeatedly)")


def _letters_load(ids: list[int]) -> Sequence[LetterDelivery]:
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
    for row in rows:
        row.addressed = addressed[row.action_id]  # type: ignore[attr-defined]
    return rows


def _letter_send(delivery: LetterDelivery) -> Outcome:
    # The stop switch may have committed after this batch was claimed: ask again before
    # each letter, so at most the letter already on the wire leaves after the stop.
    held = holds_reason([delivery.case.hold_key])
    if held:
        return Outcome.held(held)
    if delivery.channel == "fax":
        return _send_fax(delivery)
    return _send_email(delivery, delivery.addressed)  # type: ignore[attr-defined]


def deliveries_send_due(*, limit: int = 50) -> Report:
    """Claim a batch and send it; returns what happened, for the worker's log and tests."""
    deliveries_fail_dead()
    return queue_work(
        LETTERS,
        load=_letters_load,
        send=_letter_send,
        limit=limit,
        scope=_sendable(),
        choose=_within_budget,
        columns=("official_id",),
        over=4,
    )


def _header_list(deliveries: list[LetterDelivery], role: str) -> str:
    return ", ".join(
        formataddr((str(d.official), d.contact_point.value)) for d in deliveries if d.role == role
    )


def _sender(action: Action, organisation: str) -> str:
    name = f"{action.signature} via {organisation}" if action.signature else organisation
    return formataddr((name, from_address()))


def _send_email(delivery: LetterDelivery, addressed: list[LetterDelivery]) -> Outcome:
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
            return_path=bounce_address(delivery.pk),
        )
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (450, b""))
        return _smtp_refused(delivery, code, _text(text), recipient=True)
    except smtplib.SMTPResponseException as exc:
        return _smtp_refused(delivery, exc.smtp_code, _text(exc.smtp_error))
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome.temporary(f"mail server unavailable: {exc}")
    return Outcome.sent()


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _smtp_refused(
    delivery: LetterDelivery, code: int, text: str, *, recipient: bool = False
) -> Outcome:
    error = f"{code} {text}".strip()
    if code < 500:
        return Outcome.temporary(f"mail server said: {error}")
    if not recipient:
        return Outcome.failed(error)
    # The official's address was refused outright: a bounce, counted on the address. Heard
    # in our own SMTP conversation, not read from mail, so it may retire the address.
    contact_point_bounce_record(
        contact_point_id=delivery.contact_point_id, permanent=True, diagnostic=error, trusted=True
    )
    return Outcome.bounced(error)


def _send_fax(delivery: LetterDelivery) -> Outcome:
    gateway = fax_gateway()
    if gateway is None:
        return Outcome.temporary("no fax gateway is configured (URGENT_FAX_GATEWAY)")
    try:
        pdf = fax_pdf(delivery=delivery)
        result = gateway.send(
            number=delivery.contact_point.value,
            pdf=pdf,
            reference=str(delivery.uuid),
            callback_url=fax_callback_url(delivery),
        )
    except FaxTemporaryError as exc:
        return Outcome.temporary(str(exc))
    except FaxPermanentError as exc:
        return Outcome.failed(str(exc))
    open_ = result.status in {"submitted", "handed"}
    FaxTransmission.objects.create(
        delivery=delivery,
        gateway=gateway.name,
        remote_id=result.remote_id,
        status=result.status,
        pages=result.pages,
        detail=result.detail[:2000],
        finished_at=None if open_ else timezone.now(),
    )
    if result.status == "submitted":
        # The gateway is dialling: the row stays claimed, so the sweep does not send it
        # twice, until its report comes (fax_status_record).
        return Outcome.submitted(FAX_LEASE)
    if result.status == "handed":
        # Email-to-fax took it and may never report: it is not sent again, but it is shown
        # as handed over, not as sent, until a confirmation is recorded.
        LetterDelivery.objects.filter(pk=delivery.pk).update(awaiting_confirmation=True)
        return Outcome.sent()
    if result.status == "sent":
        return Outcome.sent()
    return Outcome.temporary(f"fax not transmitted: {result.detail or 'no reason given'}")


def fax_callback_url(delivery: LetterDelivery) -> str:
    token = signing.Signer(salt="urgent.actions.fax").sign(str(delivery.uuid))
    return f"{settings.URGENT_BASE_URL}/act/fax/status/{token}/"


def fax_status_record(
    *, transmission: FaxTransmission, status: str, pages: int | None, detail: str
) -> None:
    """What the gateway said about a fax: sent, or failed (dialled again later).

    A fax handed to an email-to-fax gateway counted as gone already; its confirmation
    only clears `awaiting_confirmation`, and its failure sends it again.
    """
    waiting = {FaxTransmission.Status.SUBMITTED, FaxTransmission.Status.HANDED}
    with transaction.atomic():
        transmission = FaxTransmission.objects.select_for_update().get(pk=transmission.pk)
        if transmission.status not in waiting or status in waiting:
            return
        handed = transmission.status == FaxTransmission.Status.HANDED
        transmission.status = status
        transmission.pages = pages if pages is not None else transmission.pages
        transmission.detail = detail[:2000]
        transmission.finished_at = timezone.now()
        transmission.save()
        delivery = LetterDelivery.objects.select_for_update().get(pk=transmission.delivery_id)
        if handed:
            LetterDelivery.objects.filter(pk=delivery.pk).update(awaiting_confirmation=False)
        recorder = Recorder(LetterDelivery)
        if status == "sent":
            if not handed:
                recorder.sent(delivery.pk)
            return
        # A busy line or no answer: dial again later, like a temporary SMTP error.
        error = f"fax not transmitted: {detail or 'no reason given'}"
        recorder.temporary(delivery.pk, attempts=delivery.attempts, error=error)


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
    """Send each digest target yesterday's (and older) letters on a case as one message.

    At most one digest per target per day: the day is taken on the target
    (`last_sent_on`) with one conditional UPDATE before anything is claimed, so a second
    run the same day, or a second worker at the same moment, finds it taken and sends
    nothing. When nothing could be sent (the mail server was down) the day is given back,
    and the letters, deferred on the one retry schedule, go when their retry is due.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    start_of_today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    targets = DigestTarget.objects.filter(
        Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=today)
    ).select_related("target__case__organisation", "target__official")
    sent = 0
    for digest in targets:
        target = digest.target
        scope = (
            _accepting()
            & ~Q(contact_point__health=ContactPoint.Health.DEAD)
            & Q(
                case=target.case,
                official=target.official,
                digest=True,
                created_at__lt=start_of_today,
            )
        )
        if not queue_due_exist(LETTERS, scope=scope, now=now) or not _digest_day_take(
            digest, today
        ):
            continue
        claimed = queue_claim(LETTERS, token=token_new(), limit=10_000, scope=scope, now=now)
        waiting = list(
            LetterDelivery.objects.filter(pk__in=claimed.ids)
            .select_related("action", "contact_point")
            .order_by("id")
        )
        groups = _send_digest(digest, waiting, today) if waiting else 0
        if not groups:
            _digest_day_give_back(digest, today)
        sent += groups
    return sent


def _digest_day_take(digest: DigestTarget, today: datetime.date) -> bool:
    """Take today for this target's digest; False when a digest already went (or is going)."""
    return bool(
        DigestTarget.objects.filter(pk=digest.pk)
        .filter(Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=today))
        .update(last_sent_on=today)
    )


def _digest_day_give_back(digest: DigestTarget, today: datetime.date) -> None:
    DigestTarget.objects.filter(pk=digest.pk, last_sent_on=today).update(
        last_sent_on=digest.last_sent_on
    )


def _send_digest(digest: DigestTarget, waiting: list[LetterDelivery], today: datetime.date) -> int:
    """Mail one digest per contact point; returns how many were accepted by the server."""
    case = digest.target.case
    recorder = Recorder(LetterDelivery)
    by_point: dict[int, list[LetterDelivery]] = defaultdict(list)
    for delivery in waiting:
        by_point[delivery.contact_point_id].append(delivery)
    accepted = 0
    for point_id, group in by_point.items():
        count = len(group)
        # The same Message-ID for the same target, address and day: a copy that still got
        # through twice is one message to the receiving server.
        key = uuid.uuid5(uuid.NAMESPACE_URL, f"digest:{digest.pk}:{point_id}:{today}")
        digest_id = message_id_for(key, kind="digest")
        try:
            mail_send(
                to=[group[0].contact_point.value],
                template_prefix="actions/mail/digest",
                context={
                    "subject": f"{case.reference}: {count} letters",
                    "intro": (
                        f"{count} people wrote to you about {case.reference} "
                        f"({case.headline}). Their letters follow, each as its writer "
                        "composed it."
                    ),
                    "letters": [{"letter": d.action.letter} for d in group],
                },
                reply_to=[reply_address(group[0].pk)],
                headers={"Message-ID": digest_id},
                from_email=formataddr((case.organisation.name, from_address())),
                return_path=bounce_address(group[0].pk),
            )
        except (smtplib.SMTPException, OSError) as exc:
            for delivery in group:
                error = f"digest not sent: {exc}"
                recorder.temporary(delivery.pk, attempts=delivery.attempts, error=error)
            continue
        for delivery in group:
            recorder.sent(delivery.pk)
        LetterDelivery.objects.filter(pk__in=[d.pk for d in group]).update(
            digest_message_id=digest_id
        )
        accepted += 1
    return accepted
