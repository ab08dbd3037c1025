"""The rows every fan-out is made of, and the holds that stop a queue from being claimed."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """queued → sending → sent, or deferred (retried), failed, bounced, held or cancelled."""

    QUEUED = "queued", _("Queued")
    HELD = "held", _("Held")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DEFERRED = "deferred", _("Deferred")
    BOUNCED = "bounced", _("Bounced")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# Rows that still have a future: a mailing or a letter is finished when none is left.
WAITING = (Status.QUEUED, Status.HELD, Status.SENDING, Status.DEFERRED)


class QueueItem(models.Model):
    """One message (or request) to one recipient, claimed by a worker with a lease.

    A subclass adds what it sends and to whom; the engine (`urgent.core.queue`) claims,
    leases, retries and records. `claimed_until` is the lease: past it, the sweep puts the
    row back in the queue, because the worker holding it died.
    """

    Status = Status

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True


def status_constraint(name: str) -> models.CheckConstraint:
    """The database refuses a status the engine does not know."""
    return models.CheckConstraint(condition=models.Q(status__in=Status.values), name=name)


class QueueHold(models.Model):
    """A key (such as `case:<uuid hex>`) whose rows no worker may claim while it exists.

    Written by the app that decides (the stop switch) in its own transaction; every claim
    reads the holds in its transaction, so no batch is claimed after the hold commits.
    """

    key = models.CharField(max_length=200, unique=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key
