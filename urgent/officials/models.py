from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from urgent.core.models import BaseModel, Origin


class Official(BaseModel, Origin):
    """An addressee in the directory that all cases share."""

    honorific = models.CharField(_("honorific"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    title = models.CharField(_("title"), max_length=300, blank=True)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, help_text=_("ISO 3166 code"))
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)
    salutation = models.CharField(_("salutation"), max_length=200, blank=True)

    class Meta:
        ordering = ["country", "name", "title"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(name="", title=""), name="official_has_name_or_title"
            ),
        ]
        indexes = [models.Index(fields=["name"]), models.Index(fields=["country"])]

    def __str__(self) -> str:
        head = " ".join(p for p in (self.honorific, self.name) if p)
        return ", ".join(p for p in (head, self.title) if p)


class ContactPoint(BaseModel):
    class Kind(models.TextChoices):
        POSTAL = "postal", _("Postal address")
        EMAIL = "email", _("Email")
        FAX = "fax", _("Fax")
        PHONE = "phone", _("Phone")
        SOCIAL = "social", _("Social media")

    class Health(models.TextChoices):
        OK = "ok", _("Working")
        BOUNCING = "bouncing", _("Bouncing")
        # Bounce reports past the threshold, but reports are mail anyone can forge: staff
        # confirm it dead or working. Still shown and still written to until they do.
        SUSPECT = "suspect", _("Suspect: check it")
        DEAD = "dead", _("Dead")

    official = models.ForeignKey(Official, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    value = models.CharField(
        _("value"),
        max_length=1000,
        help_text=_("Address (one line per line), email, number as printed, or handle/URL."),
    )
    # The number as phones dial it, from any country: `tel:` links use it, pages show `value`.
    dial = models.CharField(
        _("number to dial"),
        max_length=20,
        blank=True,
        help_text=_("International form, e.g. +12025550150; empty when the number can't be read."),
    )
    label = models.CharField(_("label"), max_length=100, blank=True, help_text=_("e.g. Twitter"))
    position = models.PositiveSmallIntegerField(default=0)
    health = models.CharField(_("health"), max_length=10, choices=Health.choices, default=Health.OK)
    last_confirmed_on = models.DateField(_("last confirmed"), null=True, blank=True)
    bounce_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["official", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["official", "kind", "value"], name="contact_point_unique_per_official"
            ),
        ]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    @property
    def lines(self) -> list[str]:
        return [line for line in self.value.splitlines() if line.strip()]
