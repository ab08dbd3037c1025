from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from urgent.cases.models import Case
from urgent.core.models import BaseModel
from urgent.officials.models import ContactPoint, Official
from urgent.supporters.models import Supporter


class Action(BaseModel):
    """One supporter doing one thing on one case."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email sent through Urgent")
        MAIL_APP = "mail_app", _("Own email app")
        POST = "post", _("Letter by post")
        FAX = "fax", _("Fax")
        PHONE = "phone", _("Phone call")
        SOCIAL = "social", _("Social media")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions")
    supporter = models.ForeignKey(
        Supporter, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    officials = models.ManyToManyField(Official, blank=True, related_name="actions")
    letter = models.TextField(_("letter"), blank=True)
    confirmed = models.BooleanField(
        default=False, help_text=_("True when Urgent delivered it; false when self-reported.")
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "channel"])]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.channel}"


class LetterDelivery(BaseModel):
    """One outbound message to an official's contact point."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        HELD = "held", _("Held")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        DEFERRED = "deferred", _("Deferred")
        BOUNCED = "bounced", _("Bounced")
        FAILED = "failed", _("Failed")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="deliveries")
    contact_point = models.ForeignKey(
        ContactPoint, on_delete=models.PROTECT, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    message_id = models.CharField(max_length=250, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = _("letter deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "contact_point"], name="letter_delivery_once_per_contact"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"
