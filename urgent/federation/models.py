"""Other instances, their pinned keys, activities sent and received, deliveries, refusals.

See docs/federation.md for the protocol these rows record.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from urgent.cases.models import Case
from urgent.core.models import BaseModel
from urgent.core.queue import QueueItem, status_constraint


class Instance(BaseModel):
    """Another Urgent instance: one that follows this one, one this one follows, or both."""

    class Follow(models.TextChoices):
        NONE = "none", _("No")
        PENDING = "pending", _("Requested, waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Refused")
        # They follow us, but stopped answering: every retry of a delivery failed.
        EXPIRED = "expired", _("Stopped answering")

    actor_url = models.URLField(_("actor"), max_length=500, unique=True)
    inbox_url = models.URLField(_("inbox"), max_length=500)
    outbox_url = models.URLField(_("outbox"), max_length=500, blank=True)
    name = models.CharField(_("name"), max_length=200)
    # They follow us: their Follow activity and our answer to it.
    follower_state = models.CharField(
        _("follows us"), max_length=10, choices=Follow.choices, default=Follow.NONE
    )
    follow_in_id = models.URLField(max_length=500, blank=True)
    follower_since = models.DateTimeField(null=True, blank=True)
    # We follow them: our Follow activity and their answer to it.
    following_state = models.CharField(
        _("we follow"), max_length=10, choices=Follow.choices, default=Follow.NONE
    )
    follow_out_id = models.URLField(max_length=500, blank=True)
    following_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "actor_url"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    follower_state__in=["none", "pending", "accepted", "rejected", "expired"]
                )
                & models.Q(following_state__in=["none", "pending", "accepted", "rejected"]),
                name="instance_follow_states_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.actor_url


class InstanceKey(models.Model):
    """A public key of another instance, pinned: only signatures by a pinned key are accepted.

    The current key has no `valid_until`; a key replaced by a rotation stays valid for a
    grace period, so requests signed just before the rotation still verify.
    """

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="keys")
    key_id = models.URLField(max_length=500)
    public_key_pem = models.TextField()
    fingerprint = models.CharField(max_length=64, help_text=_("SHA-256 of the public key"))
    pinned_at = models.DateTimeField(auto_now_add=True)
    valid_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["instance", "-pinned_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "key_id"], name="instance_key_unique"),
            models.UniqueConstraint(
                fields=["instance"],
                condition=models.Q(valid_until__isnull=True),
                name="instance_one_current_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instance}: {self.fingerprint[:16]}"


class Activity(BaseModel):
    """One activity this instance sent or accepted; its id is never accepted twice."""

    class Direction(models.TextChoices):
        OUT = "out", _("Sent")
        IN = "in", _("Received")

    activity_id = models.URLField(max_length=500, unique=True)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(_("type"), max_length=20)
    instance = models.ForeignKey(
        Instance,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        help_text=_("The sender of a received activity; the one addressee of a private one."),
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_id = models.URLField(max_length=500, blank=True)
    public = models.BooleanField(default=False, help_text=_("Listed in the public outbox."))
    payload = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(direction__in=["out", "in"]), name="activity_direction_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["direction", "public", "-created_at"]),
            models.Index(fields=["object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.activity_id}"


class Delivery(QueueItem):
    """One activity to one instance's inbox: a signed POST on the queue engine.

    Claimed with a lease, retried on the one schedule (`urgent.core.queue.retry`); `sent`
    means the inbox took it (2xx, or 409: it had it already).
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="deliveries")
    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="deliveries")
    inbox_url = models.URLField(max_length=500)
    key_id = models.CharField(
        max_length=500,
        blank=True,
        help_text=_("Sign with this key of ours instead of the current one (key rotation)."),
    )
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "instance"], name="federation_delivery_once"
            ),
            status_constraint("federation_delivery_status_known"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.activity.kind} → {self.instance} ({self.status})"


class RefusedActivity(models.Model):
    """A request to the inbox that was refused, for staff; what it claimed, never its body."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=40)
    message = models.CharField(max_length=300)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    key_id = models.CharField(_("claimed key"), max_length=500, blank=True)
    activity_id = models.CharField(_("claimed activity id"), max_length=500, blank=True)
    activity_type = models.CharField(_("claimed type"), max_length=40, blank=True)
    content_type = models.CharField(max_length=200, blank=True)
    content_length = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "refused activities"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.status} {self.code}"
