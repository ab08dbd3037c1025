from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from urgent.cases.models import CaseEvent
from urgent.core.models import BaseModel
from urgent.mailings.models import Mailing


class Notice(BaseModel):
    """One decision to tell supporters something: an alert, an update or outcome notice
    for one case event, or one week's digest.

    `key` is the mailing's key too ("alert:<case uuid>", "digest:2026-W03"), so however
    often or in however many workers the outbox is drained, each notice and its mailing
    exist once. `mailing` is empty when there was nobody to tell or nothing to say; `note`
    says why.
    """

    class Purpose(models.TextChoices):
        ALERT = "alert", _("New-case alert")
        UPDATE = "update", _("Further Information notice")
        OUTCOME = "outcome", _("Outcome notice")
        DIGEST = "digest", _("Weekly digest")

    key = models.CharField(max_length=120, unique=True)
    purpose = models.CharField(max_length=10, choices=Purpose.choices)
    event = models.ForeignKey(
        CaseEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="notices"
    )
    mailing = models.ForeignKey(
        Mailing, on_delete=models.SET_NULL, null=True, blank=True, related_name="notices"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "purpose"], name="notice_once_per_event"),
            models.CheckConstraint(
                condition=models.Q(purpose__in=["alert", "update", "outcome", "digest"]),
                name="notice_purpose_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(purpose="digest") | models.Q(event__isnull=False),
                name="notice_names_its_event",
            ),
        ]

    def __str__(self) -> str:
        return self.key
