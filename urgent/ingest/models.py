from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from urgent.cases.models import Case, Update
from urgent.core.models import BaseModel, Organisation


def source_document_path(instance: SourceDocument, filename: str) -> str:
    # Named by content, never by the uploader's file name: no path tricks, and the same
    # bytes imported for two organisations share one name prefix.
    suffix = PurePath(filename).suffix.lower()[:10]
    if not suffix.lstrip(".").isalnum():
        suffix = ""
    return f"sources/{instance.sha256[:2]}/{instance.sha256}{suffix}"


class SourceDocument(BaseModel):
    """The original file a case (or one of its updates) was imported from.

    A document is stored as soon as it has been read, before any case exists, so the
    staff page can show it beside the extracted fields and save without a second upload.
    """

    class Format(models.TextChoices):
        TEXT = "text", _("Plain text")
        PDF = "pdf", _("PDF")
        DOCX = "docx", _("Word document")
        ODT = "odt", _("OpenDocument text")
        HTML = "html", _("Web page")
        EML = "eml", _("E-mail")
        IMAGE = "image", _("Image (OCR)")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="source_documents"
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_documents",
    )
    update = models.ForeignKey(
        Update,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_documents",
        help_text=_("Set when the document was added to its case as Further Information."),
    )
    file = models.FileField(_("file"), upload_to=source_document_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveIntegerField(_("size in bytes"))
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    text = models.TextField(_("extracted text"), blank=True)
    record = models.JSONField(_("parsed record"), default=dict, blank=True)
    warnings = models.JSONField(_("reading warnings"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sha256"], name="source_document_unique_per_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    format__in=["text", "pdf", "docx", "odt", "html", "eml", "image"]
                ),
                name="source_document_format_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.filename or self.sha256[:12]
