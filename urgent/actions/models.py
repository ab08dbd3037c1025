from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from urgent.cases.models import Case, CaseTarget
from urgent.core.encrypted import EncryptedField
from urgent.core.models import BaseModel
from urgent.core.queue import QueueItem, status_constraint
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
    letter = EncryptedField(_("letter"), blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    language = models.CharField(_("letter language"), max_length=8, blank=True)
    signature = EncryptedField(_("signed as"), max_length=200, blank=True)
    confirmed = models.BooleanField(
        default=False, help_text=_("True when Urgent delivered it; false when self-reported.")
    )
    # The signature of the proof-of-work challenge that let this action in: unique, so one
    # solved challenge records one action and a replayed form is refused by the database.
    challenge = models.CharField(max_length=128, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "channel"])]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.channel}"


class PendingLetter(BaseModel):
    """A letter Urgent will send once the supporter has confirmed their address.

    Kept apart from Action so that counts only ever include letters that were confirmed.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email sent through Urgent")
        FAX = "fax", _("Fax")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pending_letters")
    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, related_name="pending_letters"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(max_length=200)
    letter = EncryptedField()
    language = models.CharField(max_length=8)
    signature = EncryptedField(max_length=200, blank=True)
    # Who the writer says they are: given to their supporter record only once the emailed
    # link is followed, so a stranger typing someone's address changes nothing stored.
    signer_name = EncryptedField(max_length=200, blank=True)
    signer_city = EncryptedField(max_length=100, blank=True)
    signer_country = models.CharField(max_length=2, blank=True)
    challenge = models.CharField(max_length=128, null=True, blank=True, unique=True)
    action = models.OneToOneField(
        Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="pending"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed_at else "pending"
        return f"{self.case.reference} {self.channel} ({state})"


class LetterDelivery(BaseModel, QueueItem):
    """One letter to one official's contact point (an email recipient or a fax number).

    A row of the queue engine (`urgent.core.queue`), held while its case is.

    The recipients of one letter share its Message-ID, so an official who is sent the
    letter later (pacing) receives the same message, never a second one.
    """

    class Role(models.TextChoices):
        TO = "to", _("To")
        CC = "cc", _("Copy")

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="deliveries")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="letter_deliveries")
    official = models.ForeignKey(
        Official, on_delete=models.PROTECT, related_name="letter_deliveries"
    )
    supporter = models.ForeignKey(
        Supporter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letter_deliveries",
    )
    contact_point = models.ForeignKey(
        ContactPoint, on_delete=models.PROTECT, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, default="email")
    role = models.CharField(max_length=2, choices=Role.choices, default=Role.TO)
    message_id = models.CharField(max_length=250)
    digest = models.BooleanField(
        default=False, help_text=_("Sent in the official's daily digest for this case.")
    )
    digest_message_id = models.CharField(max_length=250, blank=True)
    awaiting_confirmation = models.BooleanField(
        default=False,
        help_text=_(
            "Handed to a fax gateway that has not confirmed transmission yet (email-to-fax)."
        ),
    )

    class Meta:
        verbose_name_plural = _("letter deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["action", "contact_point"], name="letter_delivery_once_per_contact"
            ),
            models.UniqueConstraint(
                fields=["message_id", "contact_point"], name="letter_delivery_message_contact"
            ),
            # One letter per supporter per official per case, whatever the channel.
            models.UniqueConstraint(
                fields=["case", "supporter", "official"],
                condition=models.Q(supporter__isnull=False),
                name="letter_delivery_once_per_official",
            ),
            status_constraint("letter_delivery_status_valid"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["official", "sent_at"]),
            models.Index(fields=["digest_message_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.contact_point_id} ({self.status})"

    @property
    def status_label(self) -> str:
        """The status as staff and the writer see it: a fax the gateway took but has not
        confirmed is not called sent."""
        if self.status == self.Status.SENT and self.awaiting_confirmation:
            return str(_("Handed to fax gateway, not confirmed"))
        return str(self.get_status_display())


class DigestTarget(models.Model):
    """A case target who gets the day's letters bundled into one message."""

    target = models.OneToOneField(CaseTarget, on_delete=models.CASCADE, related_name="digest")
    last_sent_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"digest for {self.target}"


class FaxTransmission(BaseModel):
    """One attempt to send a letter through a fax gateway, and what the gateway said."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        HANDED = "handed", _("Handed to gateway, not confirmed")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    delivery = models.ForeignKey(
        LetterDelivery, on_delete=models.CASCADE, related_name="fax_transmissions"
    )
    gateway = models.CharField(max_length=20)
    remote_id = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    pages = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["gateway", "remote_id"])]

    def __str__(self) -> str:
        return f"fax {self.remote_id or self.pk} ({self.status})"


class OfficialReply(BaseModel):
    """An official's answer to a letter sent through Urgent, kept as evidence."""

    delivery = models.ForeignKey(
        LetterDelivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="official_replies")
    official = models.ForeignKey(
        Official, on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    from_address = models.CharField(max_length=320)
    subject = models.CharField(max_length=998, blank=True)
    # Sealed at rest: a reply often quotes the letter, with the supporter's name under it.
    text = EncryptedField(blank=True)
    received_at = models.DateTimeField()
    message_id = models.CharField(max_length=250, blank=True)
    raw_path = models.CharField(
        max_length=300, help_text=_("The message as received, in the file storage.")
    )

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = _("official replies")

    def __str__(self) -> str:
        return f"{self.from_address}: {self.subject[:60]}"
