from django.contrib import admin
from django.http import HttpRequest

from urgent.inbound.models import InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "from_header", "subject", "source", "status", "route"]
    list_filter = ["status", "route", "source"]
    # Senders and subjects are sealed at rest: SQL can neither search nor sort them.
    search_fields = ["message_id"]
    sortable_by = ["received_at", "source", "status", "route"]
    date_hierarchy = "received_at"
    exclude = ["raw"]
    readonly_fields = [
        "received_at",
        "source",
        "peer",
        "mail_from",
        "rcpt_to",
        "digest",
        "size",
        "message_id",
        "from_header",
        "subject",
        "status",
        "route",
        "note",
        "attempts",
        "processed_at",
        "supporter",
        "claimed_until",
        "claimed_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
