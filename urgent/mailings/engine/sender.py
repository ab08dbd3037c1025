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
from typing import Any

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from urgent.core.mail.prepared import PreparedMessage, mail_connection_describe, mail_send_one
from urgent.core.mail.smtp import EmailBackend, TransportError
from urgent.core.queue import (
    Recorder,
    Report,
    holds_reason,
    queue_claim,
    queue_lease_renew,
    queue_release,
)
from urgent.core.ratelimit import ratelimit_hit
from urgent.mailings.engine.parts import (
    RefusalStreak,
    deliveries_queue,
    mailing_builder,
    mailing_renderer,
)
from urgent.mailings.message import AddressError, envelope_address
from urgent.mailings.models import Delivery, Mailing
from urgent.mailings.rendering import Recipient, RenderError
from urgent.supporters.models import Supporter

logger = logging.getLogger(__name__)

BATCH = 200
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
    message: PreparedMessage


@dataclass
class Sender:
    """One sending loop with its own SMTP connection and database connection."""

    mailing: Mailing
    stop: threading.Event
    streak: RefusalStreak
    token: str = field(default_factory=lambda: secrets.token_hex(8))
    report: Report = field(default_factory=Report)

    def __post_init__(self) -> None:
        self.renderer = mailing_renderer(self.mailing)
        self.builder = mailing_builder(self.mailing)
        self.sender_address = envelope_address(self.builder.from_address)
        self.mailing_hex = self.mailing.uuid.hex
        self.queue = deliveries_queue()
        self.lease = self.queue.lease
        self.recorder = Recorder(Delivery, self.report)
        self.rate = int(settings.URGENT_MAIL_RATE)
        self.batch = BATCH
        if self.rate:
            # A batch must finish well inside its lease at the configured rate.
            self.batch = max(1, min(BATCH, self.rate * settings.URGENT_MAIL_LEASE_SECONDS // 4))
        self.allowance = 0
        self.transport: BaseEmailBackend | None = None
        self.connect_failures = 0
        self.next_state_check = 0.0
        self.lease_renew_at = 0.0
        self.last_transport_error = ""

    # -- the loop ---------------------------------------------------------------------------

    def run(self) -> Report:
        if connection.vendor == "postgresql":
            # A worker killed mid-mailing loses nothing (its commits are in the server);
            # only a database crash could lose the last marks, which would re-send those.
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
        try:
            while not self.stop.is_set():
                rows = self._claim()
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

    def _guard(self) -> str:
        state = Mailing.objects.filter(pk=self.mailing.pk).values_list("state", flat=True)
        return "" if state.first() == Mailing.State.SENDING else "mailing is not sending"

    def _claim(self) -> list[_Row] | None:
        claimed = queue_claim(
            self.queue,
            token=self.token,
            limit=self.batch,
            scope=Q(mailing_id=self.mailing.pk),
            hold_keys=[self.mailing.hold_key],
            guard=self._guard,
        )
        if claimed.stop:
            self.report.stopped_because = claimed.stop
            return None
        ids = claimed.ids
        if not ids:
            return []
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
                    if isinstance(self.transport, EmailBackend):
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
            self.recorder.final(
                recipient.delivery_id,
                Delivery.Status.CANCELLED,
                "not sent: the supporter unsubscribed, bounced or was erased before their turn",
                attempted=False,
                cursor=cursor,
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
            self.recorder.final(
                recipient.delivery_id,
                Delivery.Status.FAILED,
                f"not rendered: {exc}",
                attempted=False,
                cursor=cursor,
            )
            return None
        message = PreparedMessage(data, sender=self.sender_address, recipient=address)
        return _Ready(row=row, message=message)

    def _send_one(self, cursor: Any, ready: _Ready, following: _Ready | None) -> str:
        delivery_id = ready.row.recipient.delivery_id
        try:
            if self.transport is None:
                self.transport = get_connection(fail_silently=False)
                self.transport.open()
            result = mail_send_one(
                self.transport,
                ready.message,
                then=following.message if following is not None else None,
            )
        except TransportError as exc:
            self.last_transport_error = str(exc)
            if self.transport is not None:
                with suppress(Exception):
                    self.transport.close()
            self.transport = None
            return "connection"
        self.connect_failures = 0
        if result.accepted:
            self.recorder.sent(delivery_id, cursor=cursor)
            self.streak.accepted()
            return "sent"
        if result.temporary:
            self.recorder.temporary(
                delivery_id,
                attempts=ready.row.attempts,
                error=f"deferred: {result.describe()}",
                cursor=cursor,
            )
        else:
            self.recorder.final(
                delivery_id, Delivery.Status.FAILED, f"refused: {result.describe()}", cursor=cursor
            )
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

    def _server(self) -> str:
        if self.transport is None:
            return "(none)"
        return mail_connection_describe(self.transport)

    def _should_stop(self) -> bool:
        if self.stop.is_set():
            return True
        now = time.monotonic()
        if now < self.next_state_check:
            return False
        self.next_state_check = now + STATE_CHECK_SECONDS
        state = Mailing.objects.filter(pk=self.mailing.pk).values_list("state", flat=True).first()
        if state != Mailing.State.SENDING:
            self.report.stopped_because = f"mailing is {state}"
            return True
        # A hold set after this batch was claimed (the stop switch) ends the batch too: the
        # rows not sent go back to the queue, where the hold keeps them.
        held = holds_reason([self.mailing.hold_key])
        if held:
            self.report.stopped_because = held
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
        ids = [r.recipient.delivery_id for r in rows]
        queue_lease_renew(self.queue, token=self.token, ids=ids)
        self.lease_renew_at = time.monotonic() + self.lease.total_seconds() / 3

    def _release(self, rows: Sequence[_Row]) -> None:
        ids = [r.recipient.delivery_id for r in rows]
        queue_release(self.queue, token=self.token, ids=ids)

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
