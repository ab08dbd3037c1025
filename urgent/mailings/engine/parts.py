"""What the sending loop is made of: its queue, refusal streaks, renderer and builder."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from django.conf import settings

from urgent.core.queue import Queue
from urgent.mailings.message import MessageBuilder, address_domain
from urgent.mailings.models import Delivery, Mailing
from urgent.mailings.rendering import MailingRenderer, TemplateSet

logger = logging.getLogger(__name__)


def deliveries_queue() -> Queue:
    """Mailings' rows in the queue engine, with the lease the settings give."""
    return Queue(model=Delivery, lease=timedelta(seconds=settings.URGENT_MAIL_LEASE_SECONDS))


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


def mailing_builder(mailing: Mailing) -> MessageBuilder:
    domain = address_domain(settings.URGENT_FROM_EMAIL)
    return MessageBuilder(
        from_email=settings.URGENT_FROM_EMAIL,
        list_id=f"{mailing.get_kind_display()} <{mailing.kind}.{domain}>",
    )
