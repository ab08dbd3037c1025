"""Bearer-token authentication for the staff endpoints; tokens obey their user's roles."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import Throttled
from ninja.security import HttpBearer

from urgent.api.services import api_token_user
from urgent.core.client import client_address
from urgent.core.ratelimit import ratelimit_count, ratelimit_hit, ratelimit_key
from urgent.core.roles import EDIT, PUBLISH, VIEW, role_can

# Wrong tokens from one address: a token has 256 random bits, so this only spares the
# database from a client stuck in a loop with a revoked token.
FAILURES_PER_WINDOW = 30
FAILURE_WINDOW_SECONDS = 15 * 60


class TokenAuth(HttpBearer):
    """A valid token whose user's roles allow `capability`: 401 without, 403 when not allowed.

    The role is checked here, before the request body is read, so a token that may not
    write learns nothing from validation errors.
    """

    def __init__(self, capability: str) -> None:
        super().__init__()
        self.capability = capability

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        key = ratelimit_key("api-auth", client_address(request))
        if ratelimit_count(key=key, window_seconds=FAILURE_WINDOW_SECONDS) >= FAILURES_PER_WINDOW:
            raise Throttled(wait=FAILURE_WINDOW_SECONDS)
        user = api_token_user(raw=token.strip())
        if user is None:
            ratelimit_hit(key=key, limit=FAILURES_PER_WINDOW, window_seconds=FAILURE_WINDOW_SECONDS)
            return None
        # Services record request.user in the audit log, as they do for the workspace.
        request.user = user
        if not role_can(user, self.capability):
            raise PermissionDenied(_not_allowed(self.capability))
        return user


def _not_allowed(capability: str) -> str:
    return _("Your role does not allow this (it needs the “%(cap)s” permission).") % {
        "cap": capability
    }


def require(request: HttpRequest, capability: str) -> Any:
    """The token's user, when their roles allow `capability`; 403 otherwise."""
    user = request.auth  # type: ignore[attr-defined]
    if not role_can(user, capability):
        raise PermissionDenied(_not_allowed(capability))
    return user


view_auth = TokenAuth(VIEW)
edit_auth = TokenAuth(EDIT)
publish_auth = TokenAuth(PUBLISH)
