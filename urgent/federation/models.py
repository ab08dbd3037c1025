"""Other instances, their pinned keys, activities sent and received, deliveries, refusals.

See docs/federation.md for the protocol these rows record.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from urgent.cases.models import Case
from urgent.core.models import BaseModel
from urgent.core.queue import QueueItem, status_constraint
from urgent.officials.models import ContactPoint


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


class IncomingCase(BaseModel):
    """An urgent action from an instance this one follows: the latest version received,
    and this instance's own copy once staff adopt it.

    `adopted_payload` is the origin's urgent action as it was when staff last took its
    changes into their copy: what changed since is the difference with `payload`.
    """

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="incoming")
    object_id = models.URLField(_("origin id"), max_length=500, unique=True)
    url = models.URLField(_("origin page"), max_length=500)
    reference = models.CharField(_("origin reference"), max_length=40)
    headline = models.CharField(_("headline"), max_length=300)
    version = models.PositiveIntegerField(_("origin version"))
    stopped = models.BooleanField(_("stopped by the origin"), default=False)
    withdrawn = models.BooleanField(_("withdrawn by the origin"), default=False)
    payload = models.JSONField()
    case = models.OneToOneField(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adopted_version = models.PositiveIntegerField(null=True, blank=True)
    adopted_payload = models.JSONField(null=True, blank=True)
    counts_sent_on = models.DateField(null=True, blank=True)
    # The origin's stop stopped the copy (it was running): the origin's resume resumes it. A
    # copy this instance's staff stopped themselves stays stopped until they resume it.
    copy_stopped_by_origin = models.BooleanField(default=False)
    origin_resumed_at = models.DateTimeField(_("resumed by the origin"), null=True, blank=True)
    copy_resumed = models.BooleanField(
        default=False, help_text=_("The copy resumed with the origin's resume.")
    )

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference}: {self.headline}"

    @property
    def changed_since_adopted(self) -> bool:
        return self.adopted_version is not None and self.version > self.adopted_version


class IncomingNotice(BaseModel):
    """Further Information or an outcome the origin issued, for staff to adapt and send to
    their own supporters; `sent_at` once they did."""

    class Kind(models.TextChoices):
        FURTHER_INFORMATION = "fi", _("Further Information")
        OUTCOME = "outcome", _("Outcome")

    incoming = models.ForeignKey(IncomingCase, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=80, help_text=_("fi:<number> or outcome:<kind>:<date>"))
    title = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    date = models.DateField()
    outcome_kind = models.CharField(max_length=30, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incoming", "key"], name="incoming_notice_once"),
            models.CheckConstraint(
                condition=models.Q(kind__in=["fi", "outcome"]), name="incoming_notice_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incoming.reference} {self.key}"


class SectionCounts(models.Model):
    """The latest aggregates a follower reported for one of this instance's cases (numbers
    only: nobody's name, address or letter ever crosses)."""

    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="counts")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    actions = models.PositiveIntegerField(default=0)
    by_channel = models.JSONField(default=dict)
    letters_delivered = models.PositiveIntegerField(default=0)
    replies_received = models.PositiveIntegerField(default=0)
    supporters_reached = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["instance__name", "id"]
        verbose_name_plural = "section counts"
        constraints = [
            models.UniqueConstraint(fields=["instance", "case"], name="section_counts_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.instance} {self.case_id} {self.date}"


class ContactPointReport(BaseModel):
    """A contact point of an official reported dead across the network, by the origin's
    official id (`<origin>/federation/officials/<uuid>`), kind and value.

    `sent`: this instance (a section) told the origin `instance` that its own bounces say
    the address is dead (`health` is what it said last). `received`: the section `instance`
    told this instance (the origin); `contact_point` is ours. `relayed`: the origin
    `instance` warned this instance that `reports` sections report the address dead.
    """

    class Role(models.TextChoices):
        SENT = "sent", _("Reported to its origin")
        RECEIVED = "received", _("Reported by a section")
        RELAYED = "relayed", _("Relayed by the origin")

    class Health(models.TextChoices):
        DEAD = "dead", _("Dead")
        OK = "ok", _("Working")

    role = models.CharField(max_length=10, choices=Role.choices)
    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="reports")
    official_id = models.URLField(max_length=500)
    kind = models.CharField(max_length=10)
    value = models.CharField(max_length=1000)
    health = models.CharField(max_length=10, choices=Health.choices, default=Health.DEAD)
    reports = models.PositiveIntegerField(default=1)
    contact_point = models.ForeignKey(
        ContactPoint,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    case = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "instance", "official_id", "kind", "value"],
                name="contact_point_report_once",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["sent", "received", "relayed"])
                & models.Q(health__in=["dead", "ok"]),
                name="contact_point_report_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.kind} {self.value} ({self.instance})"


class NewsFollower(BaseModel):
    """A fediverse account (Mastodon, ...) following the public news actor, which posts
    each newly published case. Nothing but its addresses is kept."""

    actor_url = models.URLField(max_length=500, unique=True)
    inbox_url = models.URLField(max_length=500)
    shared_inbox_url = models.URLField(max_length=500, blank=True)
    follow_id = models.URLField(max_length=500)

    class Meta:
        ordering = ["actor_url"]

    def __str__(self) -> str:
        return self.actor_url

    @property
    def delivery_inbox(self) -> str:
        return self.shared_inbox_url or self.inbox_url


class NewsDelivery(QueueItem):
    """One activity of the news actor to one inbox (a server's shared inbox when it has
    one: one post per server, however many of its accounts follow)."""

    inbox_url = models.URLField(max_length=500)
    payload = models.JSONField()
    # The case a post is about (its hold key, `case:<uuid hex>`): a stop cancels the case's
    # posts not yet sent and withdraws the ones sent. Empty for an Accept or a Delete.
    case_key = models.CharField(max_length=200, blank=True, db_index=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "news deliveries"
        constraints = [status_constraint("federation_news_delivery_status_known")]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.payload.get('type')} → {self.inbox_url} ({self.status})"
