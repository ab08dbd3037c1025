from django.contrib import admin

from urgent.core.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "update_request_email"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
