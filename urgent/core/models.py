from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

# The queue engine's hold table belongs to this app: importing it here registers it.
from urgent.core.queue.models import QueueHold  # noqa: F401


class BaseModel(models.Model):
    """Stable public identity and timestamps for every domain row."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Origin(models.Model):
    """Where a shared record came from, so one instance can follow another's cases."""

    origin_org = models.CharField(_("origin organisation"), max_length=200, blank=True)
    origin_url = models.URLField(_("origin URL"), max_length=500, blank=True)

    class Meta:
        abstract = True


class Organisation(BaseModel):
    """An organisation issuing cases (a section, the International Secretariat, a partner)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    website = models.URLField(_("website"), blank=True)
    update_request_email = models.EmailField(
        _("update-request address"),
        blank=True,
        help_text=_("Where supporters send “Keep me updated on …” requests."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RateLimitCounter(models.Model):
    """Hits per key per fixed window, shared by every process through the database."""

    key = models.CharField(max_length=200)
    window_start = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_limit_window"),
        ]
        indexes = [models.Index(fields=["window_start"])]

    def __str__(self) -> str:
        return f"{self.key}@{self.window_start}: {self.count}"


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"
