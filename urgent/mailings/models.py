from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from urgent.core.models import BaseModel
from urgent.core.queue import QueueItem, status_constraint
from urgent.supporters.models import Supporter


class Mailing(BaseModel):
    """One fan-out of a template to an audience chosen by the calling service.

    The templates are copied into the row when the mailing is made, so editing a template
    file later never changes a mailing that is already on its way.
    """

    class Kind(models.TextChoices):
        ALERT = "alert", _("New case alert")
        UPDATE = "update", _("Further information")
        OUTCOME = "outcome", _("Outcome")
        DIGEST = "digest", _("Digest")
        OTHER = "other", _("Other")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=200)
    # Idempotency: the service that schedules a mailing names it ("alert:case:<uuid>"), so
    # scheduling the same thing twice finds the first mailing instead of making a second.
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)
    language = models.CharField(
        max_length=8, default="en", help_text=_("Language of the subject and templates.")
    )
    subject = models.CharField(max_length=300)
    text_template = models.TextField()
    html_template = models.TextField(blank=True)
    context = models.JSONField(default=dict, blank=True)
    translations = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            "Per language: subject, text_template, html_template and context that replace "
            "the defaults for recipients reading that language."
        ),
    )
    unsubscribe_extra = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("Scope of the unsubscribe link, such as case:<uuid>; empty for all mail."),
    )
    # No batch is claimed while a QueueHold with this key exists (`urgent.core.queue`): the
    # scheduling service names what may stop the mailing, e.g. its case's stop switch.
    hold_key = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    state_reason = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When a sweep last woke workers for this mailing; stops sweeps from flooding the queue.
    woken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["draft", "sending", "paused", "done", "cancelled"]),
                name="mailing_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["state"])]

    def __str__(self) -> str:
        return self.name


class Delivery(QueueItem):
    """One recipient of a mailing; the unique key makes sending twice impossible by design.

    A row of the queue engine (`urgent.core.queue`): queued → sending (claimed by a worker
    until `claimed_until`) → sent, or deferred (a 4xx, retried at `next_attempt_at`),
    failed (refused or could not be rendered), bounced (a DSN came back later) or
    cancelled (the mailing was cancelled or the supporter left first).
    """

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="deliveries")
    variant = models.CharField(
        max_length=64,
        blank=True,
        help_text=_("Key into the mailing's context variants (a digest's set of cases)."),
    )

    class Meta:
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "supporter"], name="delivery_once_per_mailing"
            ),
            status_constraint("delivery_status_valid"),
        ]
        indexes = [
            # Claiming walks queued rows of one mailing in id order; progress counts by status;
            # the sweep finds expired leases among a mailing's `sending` rows. Every index
            # here is rewritten by the one UPDATE per sent message: add one only with care.
            models.Index(fields=["mailing", "status", "id"], name="delivery_claim"),
            # The send rate on the progress page: rows sent in the last minute.
            models.Index(fields=["mailing", "sent_at"], name="delivery_sent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.mailing_id}/{self.supporter_id} ({self.status})"
