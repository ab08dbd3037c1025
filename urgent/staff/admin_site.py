from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from urgent.core.access import user_is_verified


class StaffAdminSite(admin.AdminSite):
    site_header = "Urgent staff"
    site_title = "Urgent staff"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and user_is_verified(request)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        query = urlencode({"next": request.GET.get("next", reverse("admin:index"))})
        return HttpResponseRedirect(f"{reverse('staff_login')}?{query}")
