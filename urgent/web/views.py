from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import loader


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    html = loader.render_to_string("404.html", {"path": request.path}, request)
    return HttpResponse(html, status=404)
