"""The one gate in front of every staff page: signed in, second factor verified, role allows."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse

from urgent.core.roles import VIEW, role_can

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def user_is_verified(request: HttpRequest) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def staff_required(capability: str = VIEW) -> Callable[[View], View]:
    """Sign-in, then the second factor, then the role's capability; 302/302/403 otherwise."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
            if not user_is_verified(request):
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{reverse('staff_verify')}?{query}")
            if not role_can(user, capability):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator
