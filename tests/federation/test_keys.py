"""This instance's key pair: made once (mode 600), rotated, kept for a grace period, pruned."""

from __future__ import annotations

import datetime
import stat
import threading
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from urgent.federation import keys
from urgent.federation.models import Activity, Delivery, Instance

pytestmark = pytest.mark.django_db


def test_first_key_is_made_once_with_mode_600(settings: Any) -> None:
    key = keys.key_current()
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.keys_dir().stat().st_mode) == 0o700
    assert keys.key_current() == key
    assert len(list(keys.keys_dir().glob("*.pem"))) == 1
    assert key.key_id == f"http://127.0.0.1:8000/federation/actor#key-{key.fingerprint[:16]}"
    assert len(key.fingerprint) == 64


def test_processes_starting_together_make_one_key() -> None:
    found: list[keys.LocalKey] = []
    threads = [threading.Thread(target=lambda: found.append(keys.key_current())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({k.path for k in found}) == 1
    assert len(list(keys.keys_dir().glob("*.pem"))) == 1


def test_fingerprint_is_shown_in_groups_of_four() -> None:
    shown = keys.fingerprint_display("ab" * 32)
    assert shown.split() == ["ABAB"] * 16


def test_rotation_keeps_the_old_key_for_the_grace_period_then_prunes_it() -> None:
    old, new = keys.key_rotate()
    assert keys.key_current() == new
    assert [k.path for k in keys.keys_published()] == [new.path, old.path]
    until = keys.key_valid_until(old)
    assert until == new.created + keys.KEY_GRACE
    assert keys.key_valid_until(new) is None
    assert keys.key_find(old.key_id) is not None
    assert keys.keys_prune() == []
    later = new.created + keys.KEY_GRACE + datetime.timedelta(seconds=1)
    assert [k.path for k in keys.keys_published(now=later)] == [new.path]
    gone = keys.keys_prune(now=later)
    assert [k.path for k in gone] == [old.path]
    assert not old.path.exists()


def _related(actor_url: str, **states: str) -> Instance:
    return Instance.objects.create(
        actor_url=actor_url, inbox_url=actor_url.replace("actor", "inbox"), name="x", **states
    )


def test_rotate_command_announces_the_new_key_signed_with_the_old_one() -> None:
    _related("https://a.example/federation/actor", follower_state="accepted")
    _related("https://b.example/federation/actor", following_state="pending")
    _related("https://c.example/federation/actor", follower_state="rejected")
    old = keys.key_current()
    out = StringIO()
    call_command("federation_keys", "rotate", stdout=out)
    new = keys.key_current()
    assert new != old
    assert keys.fingerprint_display(new.fingerprint) in out.getvalue()
    assert "2 instance(s) will be told" in out.getvalue()
    update = Activity.objects.get(kind="Update")
    assert update.payload["object"]["publicKey"]["id"] == new.key_id
    assert update.payload["object"]["retiredKeys"][0]["id"] == old.key_id
    deliveries = Delivery.objects.filter(activity=update)
    assert {d.key_id for d in deliveries} == {old.key_id}
    assert deliveries.count() == 2


def test_show_and_prune_commands_list_keys() -> None:
    keys.key_rotate()
    out = StringIO()
    call_command("federation_keys", "show", stdout=out)
    lines = out.getvalue().splitlines()
    assert "current" in lines[0] and "valid until" in lines[1]
    out = StringIO()
    call_command("federation_keys", "prune", stdout=out)
    assert "0 key(s) deleted" in out.getvalue()
