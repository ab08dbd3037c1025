from django.contrib import admin

from urgent.supporters.models import Consent, Subscription, Supporter


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["purpose", "wording", "source", "given_at", "withdrawn_at"]


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    autocomplete_fields = ["case"]
    fields = ["kind", "case", "source", "confirmed_at", "ended_at"]


@admin.register(Supporter)
class SupporterAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "country", "language", "status", "frequency"]
    list_filter = ["status", "language", "frequency", "country"]
    search_fields = ["email", "name"]
    inlines = [ConsentInline, SubscriptionInline]


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["supporter", "kind", "case", "confirmed_at", "ended_at"]
    list_filter = ["kind"]
    search_fields = ["supporter__email", "case__reference"]
    list_select_related = ["supporter", "case"]
