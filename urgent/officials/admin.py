from django.contrib import admin

from urgent.officials.models import ContactPoint, Official


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0
    fields = ["kind", "value", "label", "position", "health", "last_confirmed_on", "bounce_count"]


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ["__str__", "organisation", "country", "preferred_language"]
    list_filter = ["country", "preferred_language"]
    search_fields = ["name", "title", "organisation", "contact_points__value"]
    inlines = [ContactPointInline]


@admin.register(ContactPoint)
class ContactPointAdmin(admin.ModelAdmin):
    list_display = ["official", "kind", "value", "health", "last_confirmed_on", "bounce_count"]
    list_filter = ["kind", "health"]
    search_fields = ["value", "official__name", "official__title"]
    list_select_related = ["official"]
    autocomplete_fields = ["official"]
