"""What the sending loop is made of: reports, refusal streaks, renderer, builder, retries."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.db import OperationalError

from urgent.mailings.dkim import DkimSigner, dkim_signer_load
from urgent.mailings.message import MessageBuilder, address_domain
from urgent.mailings.models import Mailing
from urgent.mailings.rendering import MailingRenderer, TemplateSet

logger = logging.getLogger(__name__)


def retry_delay(attempts: int) -> timedelta:
    """Backoff after a 4xx: 1, 2, 4, ... minutes, at most 4 hours."""
    return timedelta(minutes=min(240, 2 ** max(0, attempts - 1)))


@dataclass
class RunReport:
    sent: int = 0
    failed: int = 0
    deferred: int = 0
    stopped_because: str = ""


class RefusalStreak:
    """Refusals in a row seen by one worker process for one mailing (shared by its threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ids: list[int] = []

    def refused(self, delivery_id: int) -> int:
        with self.lock:
            self.ids.append(delivery_id)
            return len(self.ids)

    def accepted(self) -> None:
        if self.ids:
            with self.lock:
                self.ids.clear()

    def take(self) -> list[int]:
        with self.lock:
            ids, self.ids = self.ids, []
            return ids


_streaks: dict[int, RefusalStreak] = {}
_streaks_lock = threading.Lock()


def streak_for(mailing_id: int) -> RefusalStreak:
    with _streaks_lock:
        return _streaks.setdefault(mailing_id, RefusalStreak())


def mailing_renderer(mailing: Mailing) -> MailingRenderer:
    sets = {
        mailing.language: TemplateSet(
            subject=mailing.subject,
            text=mailing.text_template,
            html=mailing.html_template,
            context={k: v for k, v in mailing.context.items() if k != "variants"},
        )
    }
    base_context = sets[mailing.language].context
    for language, override in (mailing.translations or {}).items():
        sets[language] = TemplateSet(
            subject=override.get("subject") or mailing.subject,
            text=override.get("text_template") or mailing.text_template,
            html=override.get("html_template", mailing.html_template),
            context={**base_context, **(override.get("context") or {})},
        )
    return MailingRenderer(
        language=mailing.language,
        sets=sets,
        variants=mailing.context.get("variants") or {},
        unsubscribe_extra=mailing.unsubscribe_extra,
    )


def _signer() -> DkimSigner | None:
    if not settings.URGENT_DKIM:
        return None
    path, selector = settings.URGENT_DKIM
    return dkim_signer_load(
        path=path, selector=selector, domain=address_domain(settings.URGENT_FROM_EMAIL)
    )


def mailing_builder(mailing: Mailing) -> MessageBuilder:
    domain = address_domain(settings.URGENT_FROM_EMAIL)
    return MessageBuilder(
        from_email=settings.URGENT_FROM_EMAIL,
        list_id=f"{mailing.get_kind_display()} <{mailing.kind}.{domain}>",
        signer=_signer(),
    )


T = TypeVar("T")


def when_unlocked(write: Callable[[], T], *, patience: float = 30.0) -> T:
    """Run a write, retrying while SQLite reports a lock its busy timeout did not absorb.

    Shared-cache connections (several sending threads) get "table is locked" at once
    instead of waiting; PostgreSQL never raises this.
    """
    deadline = time.monotonic() + patience
    delay = 0.005
    while True:
        try:
            return write()
        except OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        time.sleep(delay * (1 + random.random()))  # noqa: S311 (jitter, not secrecy)
        delay = min(0.2, delay * 2)
