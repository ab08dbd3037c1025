from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def api_token(db: None) -> Callable[..., str]:
    """A fresh API token for a staff user with `role` (superuser when role is "superuser")."""

    def make(role: str = "coordinator", username: str | None = None) -> str:
        from django.contrib.auth.models import Group, User

        from urgent.api.services import api_token_create
        from urgent.core.roles import roles_ensure

        roles_ensure()
        user = User.objects.create_user(
            username or f"api-{role}", password="correct horse battery", is_staff=True
        )
        if role != "none":
            user.groups.add(Group.objects.get(name=role))
        _token, raw = api_token_create(user=user, name="tests")
        return raw

    return make


@pytest.fixture
def bearer(api_token: Callable[..., str]) -> Callable[..., dict[str, Any]]:
    """Headers for the test client: `client.get(url, headers=bearer("editor"))`."""

    def make(role: str = "coordinator") -> dict[str, Any]:
        return {"Authorization": f"Bearer {api_token(role)}"}

    return make
