"""The JSON API at /api/v1/: public reads, token-authenticated staff endpoints, one error shape."""

from __future__ import annotations

from ninja import NinjaAPI

from urgent.api import errors
from urgent.api.routers.public import router as public_router
from urgent.api.routers.staff import router as staff_router

DESCRIPTION = """
Published urgent actions for anyone, and for staff (with an API token) the same work the
workspace does: create and edit drafts, publish, post Further Information, close with an
outcome, and read actions and figures.

**Errors** always have one shape, `{"code": ..., "message": ..., "fields": {...}}`, with
the HTTP status saying what kind of failure it is (400 refused, 401 no valid token, 403
role does not allow it, 404 not found, 409 someone else changed the case, 422 a value is
not valid, 429 too many requests, 500 our fault).

**Tokens**: `urgent api_token create USERNAME --name NAME` prints one; send it as
`Authorization: Bearer <token>`. A token can do what its user's roles allow.
""".strip()

api = NinjaAPI(
    title="Urgent API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)
api.add_router("/", public_router)
api.add_router("/staff", staff_router)
