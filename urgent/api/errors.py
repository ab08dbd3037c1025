"""One JSON error shape for every failure: `{"code", "message", "fields"}`, never a trace."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from urgent.core.errors import ApplicationError

logger = logging.getLogger("urgent.api")

# Pydantic's error types, said the way a person fixing a request needs to hear them.
_MESSAGES = {
    "missing": "This field is required.",
    "extra_forbidden": "This field is not accepted here.",
    "string_too_short": "This field cannot be empty.",
    "string_unicode": "This must be valid Unicode text.",
    "json_invalid": "The request body is not valid JSON.",
}


def error_body(
    code: str, message: str, fields: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    return {"code": code, "message": message, "fields": fields or {}}


def error_response(
    code: str, message: str, *, status: int, fields: dict[str, list[str]] | None = None
) -> JsonResponse:
    return JsonResponse(error_body(code, message, fields), status=status)


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    # ("body", "payload", "people", 0, "name") -> "people.0.name"; query and path keep their
    # parameter name.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
        if parts and parts[0] in {"payload", "data", "filters", "page"}:
            parts = parts[1:]
    return ".".join(parts) or "__all__"


def _pattern_message(error: dict[str, Any]) -> str:
    from urgent.api.schemas import FILLED_PATTERN, TEXT_PATTERN

    pattern = (error.get("ctx") or {}).get("pattern")
    if pattern == TEXT_PATTERN:
        return "This must not contain control characters."
    if pattern == FILLED_PATTERN:
        return "This cannot be empty or contain control characters."
    return "This is not in the expected format."


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        kind = error.get("type", "")
        message = _pattern_message(error) if kind == "string_pattern_mismatch" else ""
        message = message or _MESSAGES.get(kind, "")
        if not message:
            message = str(error.get("msg", "Not valid.")).removeprefix("Value error, ")
            message = message[:1].upper() + message[1:]
            if not message.endswith("."):
                message += "."
        fields.setdefault(_field_name(error.get("loc", ())), []).append(message)
    return fields


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ApplicationError)
    def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        return error_response(exc.code, exc.message, status=exc.status, fields=exc.fields)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return error_response(
            "invalid",
            _("Some values are not valid; see fields."),
            status=422,
            fields=validation_fields(list(exc.errors)),
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = error_response(
            "unauthenticated",
            _("Send a valid API token: Authorization: Bearer <token>."),
            status=401,
        )
        response["WWW-Authenticate"] = 'Bearer realm="urgent"'
        return response

    @api.exception_handler(AuthorizationError)
    def authorization_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
        return error_response("forbidden", str(exc), status=403)

    @api.exception_handler(PermissionDenied)
    def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return error_response(
            "forbidden", str(exc) or _("Your role does not allow this."), status=403
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response("not_found", str(exc) or _("Nothing here."), status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            return error_response(
                "bad_request", _("The request body is not valid JSON."), status=400
            )
        if exc.status_code == 429:
            return error_response(
                "throttled", _("Too many requests; wait a few minutes."), status=429
            )
        return error_response("http_error", str(exc), status=exc.status_code)

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path)
        return error_response(
            "server_error",
            _("Something went wrong on our side. It has been logged; try again later."),
            status=500,
        )
