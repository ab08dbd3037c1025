from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("staff/", include("urgent.staff.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("urgent.web.urls")),
]

handler404 = "urgent.web.views.not_found"
