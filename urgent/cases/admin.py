from django.contrib import admin

from urgent.cases.models import (
    Ask,
    Case,
    CaseTarget,
    CaseTranslation,
    Outcome,
    PersonAtRisk,
    Theme,
    Update,
)


class PersonInline(admin.TabularInline):
    model = PersonAtRisk
    extra = 0
    fields = ["name", "pronouns", "visibility", "position"]


class AskInline(admin.TabularInline):
    model = Ask
    extra = 0


class TargetInline(admin.TabularInline):
    model = CaseTarget
    extra = 0
    autocomplete_fields = ["official"]


class UpdateInline(admin.StackedInline):
    model = Update
    extra = 0


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "headline", "country", "status", "issued_on", "deadline"]
    list_filter = ["status", "country", "themes", "organisation", "language"]
    search_fields = ["reference", "headline", "people__name", "story"]
    date_hierarchy = "issued_on"
    prepopulated_fields = {"slug": ["reference"]}
    filter_horizontal = ["themes"]
    list_select_related = ["organisation"]
    inlines = [PersonInline, AskInline, TargetInline, UpdateInline]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]


@admin.register(CaseTranslation)
class CaseTranslationAdmin(admin.ModelAdmin):
    list_display = ["case", "language", "state"]
    list_filter = ["language", "state"]
    search_fields = ["case__reference", "headline"]


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ["case", "kind", "occurred_on"]
    list_filter = ["kind"]
    search_fields = ["case__reference", "summary"]
