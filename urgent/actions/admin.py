from django.contrib import admin

from urgent.actions.models import Action, LetterDelivery


class LetterDeliveryInline(admin.TabularInline):
    model = LetterDelivery
    extra = 0
    fields = ("contact_point", "status", "attempts", "sent_at", "error")
    readonly_fields = fields


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ["case", "channel", "confirmed", "created_at"]
    list_filter = ["channel", "confirmed", "case__country"]
    search_fields = ["case__reference"]
    list_select_related = ["case"]
    raw_id_fields = ["supporter"]
    inlines = [LetterDeliveryInline]


@admin.register(LetterDelivery)
class LetterDeliveryAdmin(admin.ModelAdmin):
    list_display = ["message_id", "contact_point", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["message_id", "contact_point__value"]
    list_select_related = ["contact_point"]
