from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from urgent.core.encrypted import EncryptedBytesField, EncryptedField
from urgent.supporters.models import Supporter


class InboundMessage(models.Model):
    """One message accepted by the receiver or a provider's webhook, kept raw.

    The row is written before anything else happens, so a message that was accepted is never
    lost: when routing fails or a handler is not available yet, the row stays unprocessed and
    `urgent inbound --retry` routes it again.
    """

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received, not routed yet")
        PROCESSED = "processed", _("Processed")
        UNMATCHED = "unmatched", _("Unmatched")
        IGNORED = "ignored", _("Ignored (automatic mail)")
        DROPPED = "dropped", _("Dropped (unreadable)")
        FAILED = "failed", _("Failed; will be retried")

    class Route(models.TextChoices):
        NONE = "", _("Not routed")
        BOUNCE = "bounce", _("Bounce (delivery status notification)")
        AUTO_REPLY = "auto_reply", _("Automatic reply")
        KEEP_UPDATED = "keep_updated", _("Keep me updated request")
        UNKNOWN_CASE = "unknown_case", _("Request naming no known case")
        OFFICIAL_REPLY = "official_reply", _("Reply from an official")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe by email")
        FAX_REPORT = "fax_report", _("Report from the email-to-fax gateway")
        OTHER = "other", _("Other")

    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    source = models.CharField(max_length=40, help_text=_("smtp, or webhook:<provider>"))
    peer = models.CharField(max_length=100, blank=True)
    # Who wrote and what they wrote are sealed at rest (urgent.core.vault): a supporter's
    # "Keep me updated", an unsubscribe, a bounce of a mailing all name a supporter.
    mail_from = EncryptedField(_("envelope sender"), max_length=320, blank=True)
    rcpt_to = models.JSONField(_("envelope recipients"), default=list, blank=True)
    digest = models.CharField(max_length=64, unique=True, help_text=_("SHA-256 of the raw bytes"))
    size = models.PositiveIntegerField()
    raw = EncryptedBytesField()
    message_id = models.CharField(max_length=300, blank=True)
    from_header = EncryptedField(max_length=320, blank=True)
    subject = EncryptedField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    route = models.CharField(max_length=20, choices=Route.choices, blank=True, default="")
    note = EncryptedField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0, help_text=_("Failed routings"))
    # Whoever routes a message holds it until then, so two processes never route it twice.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    supporter = models.ForeignKey(
        Supporter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "received",
                        "processed",
                        "unmatched",
                        "ignored",
                        "dropped",
                        "failed",
                    ]
                ),
                name="inbound_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.from_header} {self.subject[:60]}"
