from django.contrib import admin

from urgent.mailings.models import Delivery, Mailing
from urgent.supporters.admin import SupporterSearchMixin


@admin.register(Mailing)
class MailingAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "state", "started_at", "finished_at"]
    list_filter = ["kind", "state"]
    search_fields = ["name", "subject"]


@admin.register(Delivery)
class DeliveryAdmin(SupporterSearchMixin, admin.ModelAdmin):
    list_display = ["mailing", "supporter", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["mailing__name"]
    list_select_related = ["mailing", "supporter"]
    raw_id_fields = ["supporter"]
