from django.contrib import admin

from urgent.actions.models import (
    Action,
    DigestTarget,
    FaxTransmission,
    LetterDelivery,
    OfficialReply,
    PendingLetter,
)


class LetterDeliveryInline(admin.TabularInline):
    model = LetterDelivery
    extra = 0
    fields = ("official", "contact_point", "role", "status", "attempts", "sent_at", "error")
    readonly_fields = fields
    can_delete = False


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["case", "channel", "confirmed", "created_at"]
    list_filter = ["channel", "confirmed", "case__country"]
    search_fields = ["case__reference"]
    list_select_related = ["case"]
    raw_id_fields = ["supporter", "officials"]
    readonly_fields = ["challenge"]
    inlines = [LetterDeliveryInline]


@admin.register(PendingLetter)
class PendingLetterAdmin(admin.ModelAdmin):
    list_display = ["case", "channel", "created_at", "confirmed_at"]
    list_select_related = ["case"]
    raw_id_fields = ["supporter", "action"]


@admin.register(LetterDelivery)
class LetterDeliveryAdmin(admin.ModelAdmin):
    list_display = ["message_id", "official", "contact_point", "status", "attempts", "sent_at"]
    list_filter = ["status", "channel", "digest"]
    search_fields = ["message_id", "contact_point__value"]
    list_select_related = ["contact_point", "official"]
    raw_id_fields = ["action", "supporter", "case", "official", "contact_point"]


@admin.register(DigestTarget)
class DigestTargetAdmin(admin.ModelAdmin):
    list_display = ["target", "last_sent_on"]
    raw_id_fields = ["target"]


@admin.register(FaxTransmission)
class FaxTransmissionAdmin(admin.ModelAdmin):
    list_display = ["remote_id", "gateway", "status", "pages", "created_at", "finished_at"]
    list_filter = ["status", "gateway"]
    raw_id_fields = ["delivery"]


@admin.register(OfficialReply)
class OfficialReplyAdmin(admin.ModelAdmin):
    list_display = ["from_address", "subject", "case", "received_at"]
    list_select_related = ["case"]
    raw_id_fields = ["delivery", "official", "case"]
    search_fields = ["from_address", "subject"]
