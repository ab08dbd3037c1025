from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Urgent staff"
admin.site.site_title = "Urgent staff"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("urgent.web.urls")),
]

handler404 = "urgent.web.views.not_found"
