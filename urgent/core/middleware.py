from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from urgent.core.audit import audit_source
from urgent.core.client import client_address

# Everything is served from this origin: no third-party fonts, scripts, frames or trackers.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)

# Pages that show personal data or the workspace: kept out of every cache (the browser's
# history and disk cache, a shared proxy). Paths under /s/ and /act/confirm/ are reached by
# a supporter's signed link (preference centre, export, erasure, unsubscribe, letter
# confirmation); answers to a POST may echo what was typed.
NO_STORE_PREFIXES = (
    "/staff/",
    "/admin/",
    "/api/",
    "/s/",
    "/act/confirm/",
    "/act/fax/status/",
    "/check-your-email/",
)
HSTS = "max-age=31536000; includeSubDomains"


def response_is_private(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return (
        request.path.startswith(NO_STORE_PREFIXES)
        or request.method == "POST"
        or bool(user is not None and user.is_authenticated)
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "interest-cohort=(), camera=(), microphone=()"
        )
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if settings.URGENT_BASE_URL.startswith("https://"):
            # Browsers ignore it over plain http, so it is safe on every answer.
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if response_is_private(request) and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        return response


class AuditSourceMiddleware:
    """Every audit entry written while serving a request carries the client's address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_source(ip=client_address(request)):
            return self.get_response(request)
