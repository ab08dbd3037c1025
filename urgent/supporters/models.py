from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from urgent.cases.models import Case, Theme
from urgent.core.encrypted import EmailHashField, EncryptedField, EncryptedJSONField
from urgent.core.models import BaseModel


class Supporter(BaseModel):
    """A member of the network. Holds as little as letters and mailings need."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting confirmation")
        ACTIVE = "active", _("Active")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCING = "bouncing", _("Bouncing")
        ERASED = "erased", _("Erased")

    class Frequency(models.TextChoices):
        EVERY_CASE = "every", _("Every matching case")
        WEEKLY = "weekly", _("A weekly digest")
        MONTHLY_CAP = "capped", _("At most a few a month")

    # Sealed at rest (urgent.core.vault); found and kept unique through email_hash.
    # NULL, not "", once erased: the unique constraint must not collide on erased rows.
    email = EncryptedField(_("email"), max_length=254, null=True, blank=True)
    email_hash = EmailHashField(source="email")
    name = EncryptedField(_("name as you sign letters"), max_length=200, blank=True)
    city = EncryptedField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.PENDING)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.EVERY_CASE
    )
    monthly_cap = models.PositiveSmallIntegerField(null=True, blank=True)
    countries = models.JSONField(_("countries of interest"), default=list, blank=True)
    themes = models.ManyToManyField(Theme, blank=True, related_name="supporters")
    channels = models.JSONField(_("preferred channels"), default=list, blank=True)
    bounce_count = models.PositiveIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email_hash"],
                name="supporter_email_hash_unique",
                condition=models.Q(email_hash__isnull=False),
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["pending", "active", "unsubscribed", "bouncing", "erased"]
                ),
                name="supporter_status_valid",
            ),
            # An erased supporter is a shell: no address can remain on it.
            models.CheckConstraint(
                condition=~models.Q(status="erased") | models.Q(email__isnull=True),
                name="supporter_erased_has_no_email",
            ),
            models.CheckConstraint(
                condition=~models.Q(frequency="capped")
                | models.Q(monthly_cap__gte=1, monthly_cap__lte=31),
                name="supporter_monthly_cap_when_capped",
            ),
        ]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.name or self.email or f"supporter {self.pk}"


class Consent(models.Model):
    """Proof of what a supporter agreed to, when, and where."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=60)
    wording = models.TextField()
    source = models.CharField(max_length=200, help_text=_("Form, email or import it came from"))
    given_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.purpose} ({self.given_at:%Y-%m-%d})"


class Subscription(BaseModel):
    class Kind(models.TextChoices):
        NEW_CASES = "new_cases", _("New cases matching preferences")
        CASE = "case", _("Updates on one case")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="subscriptions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="subscriptions"
    )
    source = models.CharField(max_length=40, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["supporter", "case"],
                condition=models.Q(kind="case"),
                name="subscription_one_per_case",
            ),
            models.UniqueConstraint(
                fields=["supporter"],
                condition=models.Q(kind="new_cases"),
                name="subscription_one_new_cases",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="case", case__isnull=False))
                | (models.Q(kind="new_cases", case__isnull=True)),
                name="subscription_case_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.supporter} → {self.case or self.get_kind_display()}"


class Confirmation(BaseModel):
    """A request waiting for its owner to press the button behind a signed link.

    Sign-ups and "Keep me updated" requests arrive from web forms and from email, where
    anyone can type anyone's address: nothing is applied to a supporter until the link sent
    to that address is followed and confirmed. What will be applied and the statement the
    person agrees to are kept here, so the confirmation page shows exactly what is recorded.
    """

    class Kind(models.TextChoices):
        JOIN = "join", _("Join the network")
        CASE = "case", _("Updates on one case")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="confirmations")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="confirmations"
    )
    # What the form said about the person (name, city, ...): sealed like the supporter.
    profile = EncryptedJSONField(default=dict, blank=True)
    wording = models.TextField()
    source = models.CharField(max_length=200)
    language = models.CharField(max_length=8, default="en")
    mailed_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["supporter", "kind"],
                condition=models.Q(kind="join", confirmed_at__isnull=True),
                name="confirmation_one_pending_join",
            ),
            models.UniqueConstraint(
                fields=["supporter", "case"],
                condition=models.Q(kind="case", confirmed_at__isnull=True),
                name="confirmation_one_pending_per_case",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="case", case__isnull=False))
                | (models.Q(kind="join", case__isnull=True)),
                name="confirmation_case_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        what = self.case.reference if self.case else self.get_kind_display()
        return f"{self.supporter} → {what} ({'confirmed' if self.confirmed_at else 'pending'})"
