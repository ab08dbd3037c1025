"""What every page reached by a supporter's signed link shares: privacy headers, rate
limits, and the answers for a dead link or too many requests.

Used by the supporters app's own pages and by the pages of apps above it (urgent.outreach:
export and erasure).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from urgent.core.client import client_address
from urgent.core.ratelimit import ratelimit_hit, ratelimit_key

# Per email address per hour on each public form, and per client address per hour on
# each page behind a signed link.
FORM_LIMIT_PER_ADDRESS = 10
LINK_PAGE_LIMIT_PER_IP = 120


def client_ip(request: HttpRequest) -> str:
    return client_address(request)


def too_many(request: HttpRequest) -> HttpResponse:
    return render(request, "supporters/too_many.html", status=429)


def link_invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "supporters/link_invalid.html", status=404)


def page_allowed(request: HttpRequest, scope: str, *, email: str = "", per_ip: int) -> bool:
    key = ratelimit_key(scope, client_ip(request))
    if not ratelimit_hit(key=key, limit=per_ip, window_seconds=3600):
        return False
    return not email or ratelimit_hit(
        key=ratelimit_key(f"{scope}-address", email.lower()),
        limit=FORM_LIMIT_PER_ADDRESS,
        window_seconds=3600,
    )


def private_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages with personal data: never cached, never indexed, never sent as a referrer."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    return wrapped
