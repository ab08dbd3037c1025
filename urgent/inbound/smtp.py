"""The built-in SMTP receiver (aiosmtpd) at URGENT_INBOUND_SMTP.

It relays nothing: every message it accepts is for Urgent. The answer to DATA is given
only after the raw message is in the database, so a "250" always means "kept"; routing
happens afterwards on one router thread, woken by each new message and every minute, which
also routes whatever an earlier run left unprocessed. Oversize mail is refused at the SMTP
level with 552 (the size is also advertised in EHLO, so well-behaved senders do not even
try).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.conf import settings
from django.db import OperationalError, close_old_connections, connections

from urgent.core.ratelimit import ratelimit_hit, ratelimit_key
from urgent.inbound.services import inbound_retry, inbound_store

logger = logging.getLogger(__name__)
# Threads that store and rate-limit incoming mail, so the event loop never waits on the database.
THREADS = 4

MAX_RECIPIENTS = 50
# Seconds between routing passes when no new message wakes the router.
ROUTER_PERIOD = 60.0
# Messages one client address may hand us per hour before being asked to come back later;
# generous, because an organisation's own MX forwarding to us is a single client address.
MESSAGES_PER_PEER_PER_HOUR = 6000


def _in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    # Each worker thread holds its own database connection; drop it when it went stale.
    # A database busy with another writer gets a few short retries before we give up.
    for attempt in range(5):
        close_old_connections()
        try:
            return function(*args, **kwargs)
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.1 * 2**attempt)
        finally:
            close_old_connections()
    raise AssertionError("unreachable")


def _executor_close_connections(executor: ThreadPoolExecutor) -> None:
    """Close the database connection each of the executor's threads holds.

    Connections are per thread and outlive the executor's threads otherwise (PostgreSQL
    keeps the sessions until they are collected). Every thread takes one task: each waits
    for all the others, so no thread can take two.
    """
    barrier = threading.Barrier(THREADS)

    def close() -> None:
        with suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=10)
        connections.close_all()

    for future in [executor.submit(close) for _ in range(THREADS)]:
        future.result()


class Router(threading.Thread):
    """Routes stored messages one at a time; `wake()` after each new one."""

    def __init__(self) -> None:
        super().__init__(name="inbound-router", daemon=True)
        self._wake = threading.Event()
        self._stopping = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self.join(timeout=60)

    def run(self) -> None:
        pause = ROUTER_PERIOD
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    _in_thread(inbound_retry)
                    pause = ROUTER_PERIOD
                except Exception:
                    logger.exception("routing inbound mail failed; trying again shortly")
                    pause = 1.0
                self._wake.wait(timeout=pause)
        finally:
            connections.close_all()


class InboundHandler:
    """aiosmtpd handler: store on DATA, then wake the router."""

    def __init__(self, executor: ThreadPoolExecutor, router: Router) -> None:
        self.executor = executor
        self.router = router

    async def _run(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.executor, lambda: _in_thread(function, *args, **kwargs)
        )

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        mail_options: list[str],
    ) -> str:
        peer = str(session.peer[0]) if isinstance(session.peer, tuple) else str(session.peer)
        allowed = await self._run(
            ratelimit_hit,
            key=ratelimit_key("inbound-peer", peer),
            limit=MESSAGES_PER_PEER_PER_HOUR,
            window_seconds=3600,
        )
        if not allowed:
            return "451 4.7.1 Too many messages from your address; try again later"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        peer = str(session.peer[0]) if isinstance(session.peer, tuple) else str(session.peer)
        try:
            _row, created = await self._run(
                inbound_store,
                raw=raw,
                source="smtp",
                mail_from=envelope.mail_from or "",
                rcpt_to=list(envelope.rcpt_tos),
                peer=peer,
            )
        except Exception:
            logger.exception("inbound message from %s could not be stored", peer)
            return "451 4.3.0 Could not keep the message; please try again later"
        if created:
            self.router.wake()
        return "250 2.0.0 Message accepted"


class InboundController(Controller):
    """An aiosmtpd controller that also shuts its routing threads down on stop."""

    def __init__(self, *, host: str, port: int, max_bytes: int | None = None) -> None:
        # aiosmtpd logs every command, addresses included, at INFO: keep only its problems.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.executor = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="inbound")
        self.router = Router()
        super().__init__(
            InboundHandler(self.executor, self.router),
            hostname=host,
            port=port,
            data_size_limit=max_bytes or settings.URGENT_INBOUND_MAX_BYTES,
            enable_SMTPUTF8=True,
            ident="Urgent inbound",
            # A message is kept as sent: no headers added or changed.
            decode_data=False,
        )

    def start(self) -> None:
        super().start()
        self.router.start()  # first routes what an earlier run left unprocessed

    def stop(self, no_assert: bool = False) -> None:
        super().stop(no_assert=no_assert)
        _executor_close_connections(self.executor)
        self.executor.shutdown(wait=True)
        self.router.stop()
