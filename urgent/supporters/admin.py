from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from urgent.supporters.models import Consent, Subscription, Supporter
from urgent.supporters.selectors import supporter_search


class SupporterSearchMixin:
    """Search by a supporter's address (exact, through its hash) or name (opened in turn).

    Their columns are sealed (urgent.core.vault): SQL cannot search them, so the matching
    supporters are found first and added to what the other search fields match.
    """

    supporter_path = "supporter__"

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        found, duplicates = super().get_search_results(  # type: ignore[misc]
            request, queryset, search_term
        )
        ids = supporter_search(search_term)
        if ids:
            found = found | queryset.filter(**{f"{self.supporter_path}pk__in": ids})
        return found, duplicates


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["purpose", "wording", "source", "given_at", "withdrawn_at"]


class SubscriptionInline(admin.TabularInline):
    model = Subscription
    extra = 0
    autocomplete_fields = ["case"]
    fields = ["kind", "case", "source", "confirmed_at", "ended_at"]


class SupporterAdminForm(forms.ModelForm):
    """The sealed address is a text column: the form checks it is an address."""

    email = forms.EmailField(label=_("email"), max_length=254, required=False)

    class Meta:
        model = Supporter
        fields = [
            "email",
            "name",
            "city",
            "country",
            "language",
            "status",
            "frequency",
            "monthly_cap",
            "countries",
            "themes",
            "channels",
            "bounce_count",
            "confirmed_at",
            "erased_at",
        ]

    def clean_email(self) -> str | None:
        # No address is NULL, not "": erased supporters keep none and the hash stays unset.
        return self.cleaned_data["email"].strip() or None


@admin.register(Supporter)
class SupporterAdmin(SupporterSearchMixin, admin.ModelAdmin):
    form = SupporterAdminForm
    list_display = ["email", "name", "country", "language", "status", "frequency"]
    # Sealed columns sort by their ciphertext: not offered.
    sortable_by = ["country", "language", "status", "frequency"]
    list_filter = ["status", "language", "frequency", "country"]
    search_fields = ["uuid"]
    supporter_path = ""
    inlines = [ConsentInline, SubscriptionInline]


@admin.register(Subscription)
class SubscriptionAdmin(SupporterSearchMixin, admin.ModelAdmin):
    list_display = ["supporter", "kind", "case", "confirmed_at", "ended_at"]
    list_filter = ["kind"]
    search_fields = ["case__reference"]
    list_select_related = ["supporter", "case"]
