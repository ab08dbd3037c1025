from django.contrib import admin

from urgent.mailings.models import Delivery, Mailing


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "state", "started_at", "finished_at"]
    list_filter = ["kind", "state"]
    search_fields = ["name", "subject"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["mailing", "supporter", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["supporter__email", "mailing__name"]
    list_select_related = ["mailing", "supporter"]
    raw_id_fields = ["supporter"]
