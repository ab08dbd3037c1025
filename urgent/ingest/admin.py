from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from urgent.ingest.models import SourceDocument


@admin.register(SourceDocument)
class SourceDocumentAdmin(admin.ModelAdmin):
    """Read-only: the import stores documents, and each stays as the source of its case.

    The file itself is downloaded from the staff import page, which always sends it as an
    attachment (an uploaded web page must never render in this origin).
    """

    list_display = ["__str__", "format", "organisation", "case", "update", "created_at"]
    list_filter = ["format", "organisation"]
    search_fields = ["filename", "sha256", "case__reference"]
    list_select_related = ["organisation", "case", "update", "update__case"]
    readonly_fields = (
        "organisation",
        "case",
        "update",
        "filename",
        "size",
        "format",
        "sha256",
        "warnings",
        "record",
        "text",
        "created_by",
        "created_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
