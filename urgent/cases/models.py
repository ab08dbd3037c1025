from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from urgent.core.models import BaseModel, Organisation, Origin
from urgent.officials.models import Official


class Theme(models.Model):
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Case(BaseModel, Origin):
    """One Urgent Action."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(_("reference"), max_length=40, help_text=_("e.g. UA 118/21"))
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    index_number = models.CharField(_("index number"), max_length=60, blank=True)
    headline = models.CharField(_("headline"), max_length=300)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code"))
    themes = models.ManyToManyField(Theme, blank=True, related_name="cases")
    story = models.TextField(_("story"), blank=True)
    background = models.TextField(_("background"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    issued_on = models.DateField(_("issued"), null=True, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    actions_stopped = models.BooleanField(
        _("action stopped"),
        default=False,
        help_text=_("Stop switch: hides action forms and holds queued deliveries."),
    )
    hide_names = models.BooleanField(
        _("hide names"),
        default=False,
        help_text=_("Hide the names of the people at risk from every public page."),
    )
    version = models.PositiveIntegerField(
        default=1, help_text=_("Bumped on every edit, so concurrent edits are detected.")
    )
    # Figures other instances reported for this case (set by urgent.federation when a
    # section's counts arrive), kept here so the public page shows them without a query
    # into an app above cases. Our own actions are not included: they are counted live.
    network_actions = models.PositiveIntegerField(
        default=0, help_text=_("Actions taken through the sections that re-issued this case.")
    )
    network_sections = models.PositiveIntegerField(
        default=0, help_text=_("Sections that reported actions on this case.")
    )
    update_request_subject = models.CharField(
        _("update-request subject"),
        max_length=200,
        blank=True,
        help_text=_(
            "Subject supporters use to ask for updates; defaults to “Keep me updated on …”."
        ),
    )

    class Meta:
        ordering = ["-issued_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("reference"), name="case_reference_unique_per_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "active", "closed"]),
                name="case_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["status", "country"])]

    @property
    def hold_key(self) -> str:
        """The queue hold that stops everything naming this case's people (the stop switch):
        letters, faxes and every mailing about the case (`urgent.core.queue`)."""
        return f"case:{self.uuid.hex}"

    def __str__(self) -> str:
        return f"{self.reference}: {self.headline}"

    @property
    def update_request(self) -> str:
        return self.update_request_subject or f"Keep me updated on {self.reference}"

    @property
    def accepts_action(self) -> bool:
        return self.status == self.Status.ACTIVE and not self.actions_stopped


class CaseTranslation(BaseModel):
    """A case's texts in another language."""

    class State(models.TextChoices):
        DRAFT = "draft", _("In progress")
        OUTDATED = "outdated", _("Outdated")
        DONE = "done", _("Done")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=8)
    headline = models.CharField(_("headline"), max_length=300)
    story = models.TextField(_("story"), blank=True)
    background = models.TextField(_("background"), blank=True)
    asks = models.JSONField(_("asks"), default=list, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(
        default=1, help_text=_("Bumped on every save, so concurrent edits are detected.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "language"], name="case_translation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} [{self.language}]"


class PersonAtRisk(BaseModel):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Full name")
        INITIALS = "initials", _("Initials only")
        HIDDEN = "hidden", _("Hidden")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(_("name"), max_length=200)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    visibility = models.CharField(
        _("visibility"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    position = models.PositiveSmallIntegerField(default=0)
    # A photo (urgent.cases.services.photos): resized copies in the media folder named
    # `<photo_key>-<width>.webp|jpg`, a metadata-free original kept privately to crop again.
    photo_key = models.CharField(max_length=64, blank=True)
    photo_original = models.CharField(max_length=200, blank=True)
    photo_sizes = models.JSONField(default=list, blank=True)  # [[width, height], ...]
    photo_crop = models.JSONField(default=dict, blank=True)  # {"aspect": "4:5", "x": 50, "y": 30}
    photo_alt = models.CharField(_("photo description"), max_length=300, blank=True)
    photo_public = models.BooleanField(
        _("photo may be shown"),
        default=False,
        help_text=_(
            "The person or their family agreed that the photo may be shown. The stop switch "
            "hides it regardless."
        ),
    )

    class Meta:
        ordering = ["case", "position", "id"]
        verbose_name = _("person at risk")
        verbose_name_plural = _("people at risk")

    def __str__(self) -> str:
        return self.name

    @property
    def public_name(self) -> str:
        """The name as public pages may show it; empty when hidden."""
        if self.visibility == self.Visibility.PUBLIC:
            return self.name
        if self.visibility == self.Visibility.INITIALS:
            return " ".join(f"{part[0]}." for part in self.name.split() if part[0].isupper())
        return ""


class Ask(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="asks")
    text = models.TextField(_("text"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["case", "position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Update(BaseModel, Origin):
    """A numbered Further Information on a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="updates")
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
    issued_on = models.DateField(_("issued"))
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "number"], name="update_number_unique_per_case"
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1), name="update_number_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} FI {self.number}"


class CaseTarget(models.Model):
    """An official on a case, as a primary addressee or in copy."""

    class Role(models.TextChoices):
        PRIMARY = "primary", _("Write to")
        COPY = "copy", _("Copy to")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="targets")
    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="case_targets")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.PRIMARY)
    position = models.PositiveSmallIntegerField(default=0)
    salutation = models.CharField(
        _("salutation override"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the official's own salutation."),
    )

    class Meta:
        ordering = ["case", "role", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "official"], name="case_target_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=["primary", "copy"]), name="case_target_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} → {self.official} ({self.role})"

    @property
    def effective_salutation(self) -> str:
        return self.salutation or self.official.salutation


class Outcome(BaseModel):
    class Kind(models.TextChoices):
        RELEASED = "released", _("Released")
        CHARGES_DROPPED = "charges_dropped", _("Charges dropped")
        WHEREABOUTS_DISCLOSED = "whereabouts_disclosed", _("Whereabouts disclosed")
        ACCESS_GRANTED = "access_granted", _("Access to family or lawyer granted")
        MEDICAL_CARE = "medical_care", _("Medical care given")
        SENTENCE_COMMUTED = "sentence_commuted", _("Sentence commuted")
        TRANSFERRED = "transferred", _("Transferred")
        SENTENCED = "sentenced", _("Sentenced")
        EXECUTED = "executed", _("Executed")
        DIED_IN_CUSTODY = "died_in_custody", _("Died in custody")
        NO_CHANGE = "no_change", _("No change")
        OTHER = "other", _("Other")

    POSITIVE = frozenset(
        {
            Kind.RELEASED,
            Kind.CHARGES_DROPPED,
            Kind.WHEREABOUTS_DISCLOSED,
            Kind.ACCESS_GRANTED,
            Kind.MEDICAL_CARE,
            Kind.SENTENCE_COMMUTED,
        }
    )

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("outcome"), max_length=30, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    summary = models.TextField(_("summary"), blank=True)
    update = models.ForeignKey(
        Update, on_delete=models.SET_NULL, null=True, blank=True, related_name="outcomes"
    )

    class Meta:
        ordering = ["case", "-occurred_on"]

    def __str__(self) -> str:
        return f"{self.case.reference}: {self.get_kind_display()}"

    @property
    def is_positive(self) -> bool:
        return self.kind in self.POSITIVE


class CaseEvent(BaseModel):
    """A lifecycle change of a case, written in the transaction that made the change.

    This is the cases app's outbox: whatever must follow a change (an alert to supporters,
    an activity to other instances) is derived from these rows by the apps above, so a
    process that dies after the commit loses nothing. `key` names the change once (the same
    publication, Further Information or outcome can never be recorded twice); each
    consumer marks what it has handled with a CaseEventHandled row.
    """

    class Kind(models.TextChoices):
        PUBLISHED = "published", _("Published")
        UPDATE_POSTED = "update_posted", _("Further Information posted")
        CLOSED = "closed", _("Closed with an outcome")
        STOPPED = "stopped", _("Action stopped")
        RESUMED = "resumed", _("Action resumed")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=120, unique=True)
    update = models.ForeignKey(
        Update, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    outcome = models.ForeignKey(
        Outcome, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    case_version = models.PositiveIntegerField(help_text=_("The case's version after the change."))
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["published", "update_posted", "closed", "stopped", "resumed"]
                ),
                name="case_event_kind_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="update_posted") | models.Q(update__isnull=False),
                name="case_event_update_names_its_update",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="closed") | models.Q(outcome__isnull=False),
                name="case_event_closed_names_its_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.get_kind_display()})"


class CaseEventHandled(models.Model):
    """One consumer (by name: "outreach", "federation", ...) has handled one event.

    A consumer reads the events with no row for its name, handles each idempotently, and
    writes this row in the same transaction; a second row for the same pair cannot exist.
    """

    event = models.ForeignKey(CaseEvent, on_delete=models.CASCADE, related_name="handled")
    consumer = models.CharField(max_length=40)
    handled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "consumer"], name="case_event_handled_once"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} handled by {self.consumer}"
