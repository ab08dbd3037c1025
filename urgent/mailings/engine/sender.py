"""One sending loop: claim a batch, render ahead, send, record each message at once."""

from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from urgent.core.ratelimit import ratelimit_hit
from urgent.mailings.engine.parts import (
    RefusalStreak,
    RunReport,
    mailing_builder,
    mailing_renderer,
    retry_delay,
    when_unlocked,
)
from urgent.mailings.message import AddressError, envelope_address
from urgent.mailings.models import Delivery, Mailing
from urgent.mailings.rendering import Recipient, RenderError
from urgent.mailings.transport import Transport, TransportError, transport_open
from urgent.supporters.models import Supporter

logger = logging.getLogger(__name__)

BATCH = 200
MAX_ATTEMPTS = 8
STATE_CHECK_SECONDS = 0.5
CONNECT_FAILURES_BEFORE_PAUSE = 5
CONNECT_RETRY_SECONDS = 1.0


@dataclass
class _Row:
    recipient: Recipient
    active: bool
    attempts: int


@dataclass
class _Ready:
    row: _Row
    address: str
    data: bytes


@dataclass
class Sender:
    """One sending loop with its own SMTP connection and database connection."""

    mailing: Mailing
    stop: threading.Event
    streak: RefusalStreak
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    report: RunReport = field(default_factory=RunReport)

    def __post_init__(self) -> None:
        self.renderer = mailing_renderer(self.mailing)
        self.builder = mailing_builder(self.mailing)
        self.sender_address = envelope_address(self.builder.from_address)
        self.mailing_hex = self.mailing.uuid.hex
        self.lease = timedelta(seconds=settings.URGENT_MAIL_LEASE_SECONDS)
        self.rate = int(settings.URGENT_MAIL_RATE)
        self.batch = BATCH
        if self.rate:
            # A batch must finish well inside its lease at the configured rate.
            self.batch = max(1, min(BATCH, self.rate * settings.URGENT_MAIL_LEASE_SECONDS // 4))
        self.allowance = 0
        self.transport: Transport | None = None
        self.connect_failures = 0
        self.table = connection.ops.quote_name(Delivery._meta.db_table)
        self.next_state_check = 0.0
        self.lease_renew_at = 0.0
        self.last_transport_error = ""

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> RunReport:
        if connection.vendor == "postgresql":
            # A worker killed mid-mailing loses nothing (its commits are in the server);
            # only a database crash could lose the last marks, which would re-send those.
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
        try:
            while not self.stop.is_set():
                rows = self._claim()
                if rows is None:
                    self.report.stopped_because = "mailing is not sending"
                    break
                if not rows:
                    break
                self._send_batch(rows)
        finally:
            if self.transport is not None:
                with suppress(Exception):
                    self.transport.close()
            if connection.vendor == "postgresql":
                # The connection outlives this task: other work on it commits durably.
                with suppress(Exception), connection.cursor() as cursor:
                    cursor.execute("SET synchronous_commit TO DEFAULT")
        return self.report

    def _claim(self) -> list[_Row] | None:
        return when_unlocked(self._claim_once)

    def _claim_once(self) -> list[_Row] | None:
        now = timezone.now()
        with transaction.atomic():
            state = Mailing.objects.filter(pk=self.mailing.pk).values_list("state", flat=True)
            if state.first() != Mailing.State.SENDING:
                return None
            rows = Delivery.objects.filter(mailing_id=self.mailing.pk)
            if connection.features.has_select_for_update_skip_locked:
                rows = rows.select_for_update(skip_locked=True)
            ids = list(
                rows.filter(status=Delivery.Status.QUEUED)
                .order_by("id")
                .values_list("id", flat=True)[: self.batch]
            )
            if len(ids) < self.batch:
                ids += (
                    rows.filter(status=Delivery.Status.DEFERRED, next_attempt_at__lte=now)
                    .order_by("next_attempt_at")
                    .values_list("id", flat=True)[: self.batch - len(ids)]
                )
            if not ids:
                return []
            Delivery.objects.filter(id__in=ids).update(
                status=Delivery.Status.SENDING,
                claimed_until=now + self.lease,
                claimed_by=self.token,
            )
        self.lease_renew_at = time.monotonic() + self.lease.total_seconds() / 3
        found = (
            Delivery.objects.filter(id__in=ids, claimed_by=self.token)
            .order_by("id")
            .values_list(
                "id",
                "variant",
                "attempts",
                "supporter__uuid",
                "supporter__email",
                "supporter__name",
                "supporter__language",
                "supporter__status",
            )
        )
        return [
            _Row(
                recipient=Recipient(
                    delivery_id=pk,
                    supporter_uuid=supporter_uuid,
                    email=email or "",
                    name=name or "",
                    language=language or "",
                    variant=variant,
                ),
                active=bool(email) and status == Supporter.Status.ACTIVE,
                attempts=attempts,
            )
            for pk, variant, attempts, supporter_uuid, email, name, language, status in found
        ]

    def _send_batch(self, rows: Sequence[_Row]) -> None:
        """Send a claimed batch; the next message is rendered before this one's final dot.

        Rendering ahead lets the transport announce the next envelope with the final dot of
        the current message (one round trip per message). The next message's body still
        leaves only after the current one is recorded as sent.
        """
        cursor = connection.cursor()
        position = 0
        try:
            current, position = self._next_ready(cursor, rows, position)
            while current is not None:
                following, next_position = None, position
                if not self._should_stop():
                    following, next_position = self._next_ready(cursor, rows, position)
                outcome = self._send_one(cursor, current, following)
                stopping = following is None and next_position < len(rows)
                if outcome in ("connection", "paused") or stopping:
                    if self.transport is not None:
                        self.transport.abandon()
                    # Rows from `position` on were not sent (the release only touches rows
                    # still marked sending); after a lost connection, neither was `current`
                    # as far as we can know.
                    unsent = list(rows[position:])
                    if outcome == "connection":
                        unsent.append(current.row)
                    self._release(unsent)
                    if outcome == "connection":
                        self._connection_trouble()
                    return
                current, position = following, next_position
        finally:
            cursor.close()

    def _next_ready(
        self, cursor: Any, rows: Sequence[_Row], position: int
    ) -> tuple[_Ready | None, int]:
        """The next row that renders, from `position`; rows that cannot be sent are marked."""
        while position < len(rows):
            row = rows[position]
            position += 1
            if time.monotonic() > self.lease_renew_at:
                self._lease_renew(rows[position - 1 :])
            ready = self._prepare(cursor, row)
            if ready is not None:
                self._pace()
                return ready, position
        return None, position

    def _prepare(self, cursor: Any, row: _Row) -> _Ready | None:
        recipient = row.recipient
        if not row.active:
            self._mark(
                cursor,
                recipient.delivery_id,
                Delivery.Status.CANCELLED,
                "not sent: the supporter unsubscribed, bounced or was erased before their turn",
            )
            return None
        try:
            address = envelope_address(recipient.email)
            rendered = self.renderer.render(recipient)
            data = self.builder.build(
                to_name=recipient.name,
                to_address=address,
                subject=rendered.subject,
                text=rendered.text,
                html=rendered.html,
                message_id=self.builder.message_id(
                    mailing_hex=self.mailing_hex, supporter_hex=recipient.supporter_uuid.hex
                ),
                unsubscribe_url=rendered.unsubscribe_url,
                unsubscribe_token=rendered.unsubscribe_url.rstrip("/").rsplit("/", 1)[-1],
            )
        except (RenderError, AddressError) as exc:
            self._mark(
                cursor, recipient.delivery_id, Delivery.Status.FAILED, f"not rendered: {exc}"
            )
            self.report.failed += 1
            return None
        return _Ready(row=row, address=address, data=data)

    def _send_one(self, cursor: Any, ready: _Ready, following: _Ready | None) -> str:
        delivery_id = ready.row.recipient.delivery_id
        try:
            if self.transport is None:
                self.transport = transport_open()
            result = self.transport.send(
                sender=self.sender_address,
                recipient=ready.address,
                data=ready.data,
                then=(self.sender_address, following.address) if following else None,
            )
        except TransportError as exc:
            self.last_transport_error = str(exc)
            return "connection"
        self.connect_failures = 0
        if result.accepted:
            self._write(
                cursor,
                f"UPDATE {self.table} SET status = %s, sent_at = %s, attempts = attempts + 1, "  # noqa: S608
                "claimed_until = NULL, error = '' WHERE id = %s",
                [Delivery.Status.SENT, self._now(), delivery_id],
            )
            self.report.sent += 1
            self.streak.accepted()
            return "sent"
        attempts = ready.row.attempts + 1
        if result.temporary and attempts < MAX_ATTEMPTS:
            self._write(
                cursor,
                f"UPDATE {self.table} SET status = %s, next_attempt_at = %s, "  # noqa: S608
                "attempts = attempts + 1, claimed_until = NULL, error = %s WHERE id = %s",
                [
                    Delivery.Status.DEFERRED,
                    connection.ops.adapt_datetimefield_value(
                        timezone.now() + retry_delay(attempts)
                    ),
                    f"deferred: {result.describe()}"[:2000],
                    delivery_id,
                ],
            )
            self.report.deferred += 1
        else:
            reason = "refused" if not result.temporary else f"gave up after {attempts} attempts"
            self._write(
                cursor,
                f"UPDATE {self.table} SET status = %s, attempts = attempts + 1, "  # noqa: S608
                "claimed_until = NULL, error = %s WHERE id = %s",
                [Delivery.Status.FAILED, f"{reason}: {result.describe()}"[:2000], delivery_id],
            )
            self.report.failed += 1
        if self.streak.refused(delivery_id) >= settings.URGENT_MAIL_REFUSAL_LIMIT:
            self._pause(
                f"Paused after {settings.URGENT_MAIL_REFUSAL_LIMIT} refusals in a row from "
                f"the mail server {self._server()}; the last reply was “{result.describe()}”. "
                "Those recipients are back in the queue: fix the server, then resume.",
                requeue=self.streak.take(),
            )
            return "paused"
        return "refused"

    # -- helpers --------------------------------------------------------------------------

    def _now(self) -> Any:
        return connection.ops.adapt_datetimefield_value(timezone.now())

    def _server(self) -> str:
        return self.transport.describe() if self.transport is not None else "(none)"

    def _write(self, cursor: Any, sql: str, params: list[Any]) -> None:
        when_unlocked(lambda: cursor.execute(sql, params))

    def _mark(self, cursor: Any, delivery_id: int, status: str, error: str) -> None:
        self._write(
            cursor,
            f"UPDATE {self.table} SET status = %s, claimed_until = NULL, error = %s "  # noqa: S608
            "WHERE id = %s",
            [status, error[:2000], delivery_id],
        )

    def _should_stop(self) -> bool:
        if self.stop.is_set():
            return True
        now = time.monotonic()
        if now < self.next_state_check:
            return False
        self.next_state_check = now + STATE_CHECK_SECONDS
        state = when_unlocked(
            Mailing.objects.filter(pk=self.mailing.pk).values_list("state", flat=True).first
        )
        if state != Mailing.State.SENDING:
            self.report.stopped_because = f"mailing is {state}"
            return True
        return False

    def _pace(self) -> None:
        """Hold to URGENT_MAIL_RATE across every worker, in chunks of a tenth of a second."""
        if not self.rate:
            return
        if self.allowance > 0:
            self.allowance -= 1
            return
        chunk = max(1, self.rate // 10)
        limit = math.ceil(self.rate / chunk)
        while not self.stop.is_set():
            if ratelimit_hit(key="mailings:send", limit=limit, window_seconds=1):
                self.allowance = chunk - 1
                return
            self.stop.wait(1.0 - (time.time() % 1.0) + 0.001)

    def _lease_renew(self, rows: Sequence[_Row]) -> None:
        when_unlocked(lambda: self._lease_renew_once(rows))

    def _lease_renew_once(self, rows: Sequence[_Row]) -> None:
        Delivery.objects.filter(
            id__in=[r.recipient.delivery_id for r in rows],
            claimed_by=self.token,
            status=Delivery.Status.SENDING,
        ).update(claimed_until=timezone.now() + self.lease)
        self.lease_renew_at = time.monotonic() + self.lease.total_seconds() / 3

    def _release(self, rows: Sequence[_Row]) -> None:
        if rows:
            when_unlocked(lambda: self._release_once(rows))

    def _release_once(self, rows: Sequence[_Row]) -> None:
        Delivery.objects.filter(
            id__in=[r.recipient.delivery_id for r in rows],
            claimed_by=self.token,
            status=Delivery.Status.SENDING,
        ).update(status=Delivery.Status.QUEUED, claimed_until=None, claimed_by="")

    def _connection_trouble(self) -> None:
        self.connect_failures += 1
        if self.connect_failures >= CONNECT_FAILURES_BEFORE_PAUSE:
            self._pause(
                f"Paused: the mail server could not be reached {self.connect_failures} times "
                f"in a row ({self.last_transport_error}). Nothing was lost: resume when the "
                "server is back.",
                requeue=[],
            )
            return
        self.stop.wait(min(30, CONNECT_RETRY_SECONDS * 2 ** (self.connect_failures - 1)))

    def _pause(self, reason: str, *, requeue: list[int]) -> None:
        logger.warning("mailing %s: %s", self.mailing.pk, reason)
        with transaction.atomic():
            Mailing.objects.filter(pk=self.mailing.pk, state=Mailing.State.SENDING).update(
                state=Mailing.State.PAUSED, state_reason=reason, updated_at=timezone.now()
            )
            if requeue:
                Delivery.objects.filter(
                    id__in=requeue,
                    status__in=[Delivery.Status.FAILED, Delivery.Status.DEFERRED],
                ).update(status=Delivery.Status.QUEUED, next_attempt_at=None)
        self.report.stopped_because = reason
