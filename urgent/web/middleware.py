"""Compressed HTML for public pages, never for pages that carry a secret."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class PublicGZipMiddleware(GZipMiddleware):
    """GZip, except where compression could leak a secret (BREACH).

    BREACH needs a secret and text an attacker controls in one compressed response. The
    CSRF token in public forms is not such a secret: Django masks it afresh in every
    response. What is left out: pages whose URL holds a signed link (preferences,
    confirmations: the token is in the page) and every page for a signed-in user (staff
    pages show personal data), since those cannot be told apart from the outside.
    """

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        match = getattr(request, "resolver_match", None)
        if match is not None and "token" in match.kwargs:
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return response
        return super().process_response(request, response)
