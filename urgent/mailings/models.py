from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from urgent.core.models import BaseModel
from urgent.supporters.models import Supporter


class Mailing(BaseModel):
    """One fan-out of a template to an audience chosen by the calling service."""

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
    subject = models.CharField(max_length=300)
    text_template = models.TextField()
    html_template = models.TextField(blank=True)
    context = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    state_reason = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Delivery(models.Model):
    """One recipient of a mailing; the unique key makes sending twice impossible by design."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DEFERRED = "deferred", _("Deferred")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")

    mailing = models.ForeignKey(Mailing, on_delete=models.CASCADE, related_name="deliveries")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["mailing", "supporter"], name="delivery_once_per_mailing"
            ),
        ]
        indexes = [models.Index(fields=["mailing", "status"])]

    def __str__(self) -> str:
        return f"{self.mailing_id}/{self.supporter_id} ({self.status})"
