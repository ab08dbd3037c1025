"""Trust: sign-in lockout per username-and-address, the second factor, and the audit log
catching every staff write whatever the surface (workspace, API, Django admin, commands)."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import connections
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.staff.test_auth import current_code
from urgent.actions.models import PendingLetter
from urgent.api.services import api_token_create
from urgent.cases.models import Theme
from urgent.core import cli
from urgent.core.models import AuditEntry
from urgent.core.roles import roles_ensure
from urgent.federation import keys
from urgent.staff import services
from urgent.staff.admin_site import PERSONAL, admin_label, admin_snapshot
from urgent.supporters.models import Confirmation, Supporter

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture
def coord() -> User:
    roles_ensure()
    user = User.objects.create_user("coord", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="coordinator"))
    return user


def _sign_in(address: str, password: str = PASSWORD) -> Any:
    client = Client(REMOTE_ADDR=address)
    return client.post("/staff/login/", {"username": "coord", "password": password})


def test_wrong_passwords_from_one_address_do_not_lock_out_another(coord: User) -> None:
    for _ in range(services.LOGIN_FAILURES_PER_USER_AND_IP):
        assert _sign_in("198.51.100.1", "wrong").status_code == 200
    assert _sign_in("198.51.100.1").status_code == 429
    assert _sign_in("198.51.100.2").status_code == 302
    assert AuditEntry.objects.filter(action="staff.login_throttled", ip="198.51.100.1").exists()


def test_guessing_from_many_addresses_reaches_a_ceiling(
    coord: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "LOGIN_FAILURES_PER_USER_CEILING", 6)
    for n in range(6):
        assert _sign_in(f"198.51.100.{10 + n}", "wrong").status_code == 200
    assert _sign_in("198.51.100.99").status_code == 429


def _password_signed_in(user: User, address: str = "192.0.2.40") -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post("/staff/login/", {"username": user.get_username(), "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_throttled_second_factor_attempts_are_audited(coord: User) -> None:
    device = TOTPDevice.objects.create(user=coord, name="app", confirmed=True)
    client = _password_signed_in(coord)
    device.throttling_failure_count = 5
    device.throttling_failure_timestamp = timezone.now()
    device.save()
    response = client.post("/staff/verify/", {"token": current_code(device)})
    assert "Too many wrong codes" in response.content.decode()
    entry = AuditEntry.objects.get(action="staff.otp_throttled")
    assert (entry.actor_name, entry.ip) == ("coord", "192.0.2.40")


def test_the_session_key_changes_when_the_second_factor_succeeds(coord: User) -> None:
    device = TOTPDevice.objects.create(user=coord, name="app", confirmed=True)
    client = _password_signed_in(coord)
    before = client.session.session_key
    response = client.post("/staff/verify/", {"token": current_code(device), "next": "/staff/"})
    assert response["Location"] == "/staff/"
    assert client.session.session_key != before
    assert client.get("/staff/").status_code == 200
    # The key known before the second factor opens nothing.
    stale = Client(REMOTE_ADDR="192.0.2.40")
    stale.cookies["sessionid"] = before or ""
    assert stale.get("/staff/").status_code == 302


class _FormFields(HTMLParser):
    """The values a browser would submit from the admin's change form, as it stands."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            checkable = a.get("type") in {"checkbox", "radio"}
            if checkable and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value", "on" if checkable else ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][-1] += data


def _admin_form(client: Client, url: str) -> dict[str, list[str]]:
    page = client.get(url)
    assert page.status_code == 200, url
    html = page.content.decode()
    form = html[html.index('_form" novalidate>') :]
    parser = _FormFields()
    parser.feed(form)
    return parser.data


def _superuser_client(staff_client: Callable[..., Any]) -> Any:
    client = staff_client("coordinator", username="head")
    User.objects.filter(username="head").update(is_superuser=True)
    return client


def test_promoting_a_user_in_the_django_admin_is_audited(
    staff_client: Callable[..., Any],
) -> None:
    admin = _superuser_client(staff_client)
    viewer = User.objects.create_user("newcomer", password=PASSWORD, is_staff=True)
    url = f"/admin/auth/user/{viewer.pk}/change/"
    data = _admin_form(admin, url)
    data["groups"] = [str(Group.objects.get(name="coordinator").pk)]
    response = admin.post(url, data, REMOTE_ADDR="192.0.2.77")
    errors = re.findall(r"errorlist[^<]*<li>([^<]*)", response.content.decode())
    assert response.status_code == 302, errors
    assert viewer.groups.filter(name="coordinator").exists()
    entry = AuditEntry.objects.get(action="admin.change:auth.user")
    assert (entry.actor_name, entry.ip, entry.object_id) == ("head", "192.0.2.77", str(viewer.pk))
    assert (entry.before["groups"], entry.after["groups"]) == ([], ["coordinator"])
    # The password hash never reaches the log, even on a change of password.
    url = f"/admin/auth/user/{viewer.pk}/password/"
    new = {"password1": "another fine horse", "password2": "another fine horse"}
    assert admin.post(url, {**new, "usable_password": "true"}).status_code == 302
    assert AuditEntry.objects.filter(action="admin.change:auth.user").count() == 2
    assert "pbkdf2" not in json.dumps(list(AuditEntry.objects.values("before", "after")))
    assert "md5" not in json.dumps(list(AuditEntry.objects.values("before", "after")))


def test_editing_and_deleting_a_theme_in_the_django_admin_is_audited(
    staff_client: Callable[..., Any],
) -> None:
    admin = _superuser_client(staff_client)
    theme = Theme.objects.create(slug="torture", name="Torture")
    url = f"/admin/cases/theme/{theme.pk}/change/"
    data = _admin_form(admin, url)
    data["name"] = ["Torture and ill-treatment"]
    assert admin.post(url, data).status_code == 302
    change = AuditEntry.objects.get(action="admin.change:cases.theme")
    assert change.before == {"name": "Torture"}
    assert change.after == {"name": "Torture and ill-treatment"}
    assert change.ip == "127.0.0.1"
    response = admin.post(f"/admin/cases/theme/{theme.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    gone = AuditEntry.objects.get(action="admin.delete:cases.theme")
    assert gone.before["name"] == "Torture and ill-treatment"
    assert gone.object_id == str(theme.pk)


def test_api_writes_are_audited_with_the_client_address(demo: None) -> None:
    roles_ensure()
    user = User.objects.create_user("api-coord", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="coordinator"))
    _token, raw = api_token_create(user=user, name="tests")
    client = Client(REMOTE_ADDR="203.0.113.40")
    body = {
        "reference": "UA 777/26",
        "headline": "Teacher held without charge",
        "country": "fr",
        "story": "An invented teacher was detained without charge.",
        "deadline": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
        "asks": ["Release the teacher."],
    }
    response = client.post(
        "/api/v1/staff/cases",
        data=json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201, response.content
    entries = AuditEntry.objects.filter(actor_name="api-coord")
    assert entries.exists()
    assert set(entries.values_list("ip", flat=True)) == {"203.0.113.40"}


@pytest.fixture
def in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run `urgent <command>` in this process: a command closes the database connections
    when it ends, which would end the test's transaction on PostgreSQL."""
    monkeypatch.setattr(connections, "close_all", lambda: None)


def test_commands_that_write_are_audited_with_the_os_user(
    monkeypatch: pytest.MonkeyPatch, in_process: None
) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a long enough password 1")
    args = ["createsuperuser", "--noinput", "--username", "ops", "--email", "ops@example.org"]
    assert cli.main(args) == 0
    entry = AuditEntry.objects.get(action="command.createsuperuser")
    assert re.fullmatch(r"command:createsuperuser \(os user [^)]+\)", entry.actor_name)
    assert entry.after == {"arguments": args[1:]}
    # Commands that write through services: each change names the command.
    assert cli.main(["api_token", "create", "ops", "--name", "backup script"]) == 0
    token_entries = AuditEntry.objects.filter(action__startswith="api_token")
    assert token_entries.exists()
    assert all(e.actor_name.startswith("command:api_token (os user ") for e in token_entries)


def test_pruning_federation_keys_is_audited(
    monkeypatch: pytest.MonkeyPatch, in_process: None
) -> None:
    old, _new = keys.key_rotate()
    fingerprint = old.fingerprint  # read from the key file, which pruning deletes
    monkeypatch.setattr(keys, "KEY_GRACE", datetime.timedelta(0))
    assert cli.main(["federation_keys", "prune"]) == 0
    entry = AuditEntry.objects.get(action="federation.key_prune")
    assert entry.before == {"fingerprints": [fingerprint]}
    assert entry.actor_name.startswith("command:federation_keys (os user ")


def test_the_django_admin_audit_keeps_no_copy_of_a_supporters_personal_data(
    staff_client: Callable[..., Any],
) -> None:
    admin = _superuser_client(staff_client)
    supporter = Supporter.objects.create(
        email="wren.example@example.net", name="Wren Example", city="Invented Town"
    )
    url = f"/admin/supporters/supporter/{supporter.pk}/change/"
    data = _admin_form(admin, url)
    data["city"] = ["Other Invented Town"]
    assert admin.post(url, data).status_code == 302
    change = AuditEntry.objects.get(action="admin.change:supporters.supporter")
    assert change.before["city"] == "(personal data)"
    assert change.after["city"] == "(personal data, changed)"
    assert "email" not in change.after  # unchanged: not listed
    response = admin.post(f"/admin/supporters/supporter/{supporter.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    gone = AuditEntry.objects.get(action="admin.delete:supporters.supporter")
    assert gone.before["email"] == "(personal data)" and gone.object_id == str(supporter.pk)
    log = json.dumps(list(AuditEntry.objects.values("object_repr", "before", "after")))
    for personal in ["wren.example@example.net", "Wren Example", "Invented Town"]:
        assert personal not in log, personal


def test_the_admin_audit_masks_every_field_sealed_at_rest() -> None:
    letter = PendingLetter(
        letter="Dear Minister, I write about a friend.",
        signature="Ilse Marwick",
        signer_name="Ilse Marwick",
        signer_city="Lowmoor",
        subject="About a friend",
    )
    snapshot = admin_snapshot(letter)
    for name in ("letter", "signature", "signer_name", "signer_city"):
        assert snapshot[name] == PERSONAL, name
    assert snapshot["subject"] == "About a friend"
    assert admin_label(letter) == f"pending letter {letter.pk}"
    profile = admin_snapshot(Confirmation(profile={"name": "Ilse Marwick"}))
    assert profile["profile"] == PERSONAL
