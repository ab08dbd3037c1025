"""URLs of the API, mounted at /api/v1/ by urgent.web.urls.

Django-ninja answers a wrong method with a plain-text 405 and leaves unknown paths to the
site's HTML 404 page; both are turned into the API's JSON error shape here.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from urgent.api.api import api
from urgent.api.errors import error_response


def _json_405(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            response = error_response(
                "method_not_allowed",
                _("This address does not accept %(method)s; it accepts %(allowed)s.")
                % {"method": request.method, "allowed": allowed},
                status=405,
            )
            response["Allow"] = allowed
        return response

    return wrapped


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(
        "not_found",
        _("There is no API endpoint here; the list is at /api/v1/docs."),
        status=404,
    )


_patterns, _app_name, app_name = api.urls  # the namespace ninja reverses its URLs in
urlpatterns: list[Any] = [
    URLPattern(p.pattern, _json_405(p.callback), p.default_args, p.name)
    if isinstance(p, URLPattern)
    else p
    for p in _patterns
]
urlpatterns.append(re_path(r"^(?P<rest>.*)$", not_found))
