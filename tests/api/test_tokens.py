"""`urgent api_token`: the token is printed once and stored only as a hash."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from urgent.api.models import ApiToken
from urgent.core.models import AuditEntry
from urgent.core.roles import roles_ensure

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def editor(db: None) -> User:
    roles_ensure()
    user = User.objects.create_user("ed", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name="editor"))
    return user


def test_create_prints_the_token_once_and_stores_a_hash(client: Any, editor: User) -> None:
    out, err = run("create", "ed", "--name", "newsroom import")
    raw = out.strip()
    assert raw.startswith("urg_") and len(raw) > 40
    assert "edit" in err and "publish" not in err  # what the token may do
    token = ApiToken.objects.get()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(list(ApiToken.objects.values()))
    assert token.prefix == raw[:12]
    assert AuditEntry.objects.filter(action="api_token.create").exists()
    response = client.get("/api/v1/staff/cases", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200

    listing, _ = run("list")
    assert token.prefix in listing and "newsroom import" in listing and raw not in listing


def test_revoke_by_id_or_prefix(client: Any, editor: User) -> None:
    raw = run("create", "ed", "--name", "one")[0].strip()
    token = ApiToken.objects.get()
    out, _ = run("revoke", token.prefix)
    assert "revoked" in out
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = client.get("/api/v1/staff/cases", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401
    # A revoked name can be used again.
    run("create", "ed", "--name", "one")
    second = ApiToken.objects.filter(revoked_at__isnull=True).get()
    run("revoke", str(second.pk))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "nobody", "--name", "x"), "no user named 'nobody'"),
        (("create", "ed", "--name", "  "), "Give the token a name"),
        (("revoke", "999"), "no active token"),
        (("revoke", "urg_zzzzzzzz"), "no active token"),
    ],
)
def test_mistakes_are_explained(editor: User, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_duplicate_name_is_refused(editor: User) -> None:
    run("create", "ed", "--name", "same")
    with pytest.raises(CommandError, match="already has a token named"):
        run("create", "ed", "--name", "same")
