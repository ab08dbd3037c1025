from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.views.decorators.cache import cache_control


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    html = loader.render_to_string("404.html", {"path": request.path}, request)
    return HttpResponse(html, status=404)


@lru_cache(maxsize=1)
def _favicon_bytes() -> bytes:
    found = finders.find("urgent/favicon.ico")
    return Path(str(found)).read_bytes() if found else b""


@cache_control(public=True, max_age=24 * 3600)
def favicon(request: HttpRequest) -> HttpResponse:
    """`/favicon.ico`, which browsers ask for whatever the page's icon link says."""
    return HttpResponse(_favicon_bytes(), content_type="image/vnd.microsoft.icon")
