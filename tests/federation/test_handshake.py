"""The follow handshake with a fake instance over real HTTP: both directions, keys pinned."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.federation.fake import FakeInstance
from urgent.core.models import AuditEntry
from urgent.federation import keys
from urgent.federation.delivery import deliveries_run
from urgent.federation.keys import fingerprint_display
from urgent.federation.models import Delivery, Instance

pytestmark = pytest.mark.django_db


def _follow_fake(staff: Any, fake: FakeInstance) -> Instance:
    page = staff.post("/staff/federation/lookup/", {"address": fake.base})
    assert page.status_code == 200, page.content
    html = page.content.decode()
    assert fingerprint_display(fake.fingerprint) in html
    shown = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', html)
    assert shown and shown.group(1) == fake.fingerprint
    response = staff.post(
        "/staff/federation/follow/", {"actor_url": fake.actor_url, "fingerprint": fake.fingerprint}
    )
    instance = Instance.objects.get(actor_url=fake.actor_url)
    assert response.status_code == 302 and response["Location"].endswith(f"/{instance.pk}/")
    return instance


def _accept(fake: FakeInstance, follow: dict[str, Any]) -> dict[str, Any]:
    ref = {k: follow[k] for k in ("id", "type", "actor", "object")}
    return fake.activity("Accept", ref)


def test_following_an_instance_pins_its_key_and_sends_a_signed_follow(
    client: Client, fake: FakeInstance, staff_client: Callable[..., Any]
) -> None:
    staff = staff_client("coordinator")
    home = staff.get("/staff/federation/").content.decode()
    assert fingerprint_display(keys.key_current().fingerprint) in home
    instance = _follow_fake(staff, fake)
    assert instance.following_state == Instance.Follow.PENDING
    assert instance.keys.get().fingerprint == fake.fingerprint
    assert AuditEntry.objects.get(action="federation.follow").actor_name == "coordinator-user"

    assert deliveries_run() == 1
    [posted] = fake.posted("Follow")
    assert posted.verified
    follow = posted.json
    assert follow["actor"] == keys.actor_url() and follow["object"] == fake.actor_url
    assert follow["id"] == instance.follow_out_id
    assert Delivery.objects.get().status == Delivery.Status.SENT

    response = fake.post(client, _accept(fake, follow))
    assert response.status_code == 202, response.content
    instance.refresh_from_db()
    assert instance.following_state == Instance.Follow.ACCEPTED
    page = staff.get(f"/staff/federation/instances/{instance.pk}/").content.decode()
    assert fingerprint_display(fake.fingerprint) in page and "Accepted" in page


def test_a_refused_follow_is_shown_as_refused(
    client: Client, fake: FakeInstance, staff_client: Callable[..., Any]
) -> None:
    instance = _follow_fake(staff_client("coordinator"), fake)
    deliveries_run()
    follow = fake.posted("Follow")[0].json
    reject = fake.activity("Reject", {k: follow[k] for k in ("id", "type", "actor", "object")})
    assert fake.post(client, reject).status_code == 202
    instance.refresh_from_db()
    assert instance.following_state == Instance.Follow.REJECTED


def test_an_accept_for_a_follow_never_sent_is_refused(
    client: Client, fake: FakeInstance, staff_client: Callable[..., Any]
) -> None:
    _follow_fake(staff_client("coordinator"), fake)
    stranger = {
        "id": fake.base + "/nope",
        "type": "Follow",
        "actor": keys.actor_url(),
        "object": fake.actor_url,
    }
    response = fake.post(client, fake.activity("Accept", stranger))
    assert response.status_code == 422 and response.json()["code"] == "unexpected"


def test_following_twice_is_refused_and_a_changed_key_is_not_followed(
    client: Client, fake: FakeInstance, staff_client: Callable[..., Any]
) -> None:
    staff = staff_client("coordinator")
    instance = _follow_fake(staff, fake)
    Instance.objects.filter(pk=instance.pk).update(following_state="accepted")
    response = staff.post(
        "/staff/federation/follow/", {"actor_url": fake.actor_url, "fingerprint": fake.fingerprint}
    )
    assert "already follows" in staff.get(response["Location"]).content.decode()
    fake.rotate()
    page = staff.post("/staff/federation/lookup/", {"address": fake.actor_url}).content.decode()
    assert "The key pinned here for this instance is different" in page
    assert "federation/follow/" not in page


def test_a_fingerprint_that_changed_since_the_lookup_is_not_followed(
    fake: FakeInstance, staff_client: Callable[..., Any]
) -> None:
    staff = staff_client("coordinator")
    seen = fake.fingerprint
    fake.rotate()
    response = staff.post(
        "/staff/federation/follow/", {"actor_url": fake.actor_url, "fingerprint": seen}
    )
    assert "changed since you looked it up" in staff.get(response["Location"]).content.decode()
    assert not Instance.objects.exists()


def test_a_bad_address_is_explained_next_to_the_field(
    fake: FakeInstance, staff_client: Callable[..., Any], settings: Any
) -> None:
    staff = staff_client("coordinator")
    settings.URGENT_FEDERATION_ALLOW_PRIVATE = False
    page = staff.post("/staff/federation/lookup/", {"address": "https://localhost/"})
    assert page.status_code == 400
    assert "private or local network address" in page.content.decode()
    page = staff.post("/staff/federation/lookup/", {"address": ""})
    assert page.status_code == 400


def test_only_a_coordinator_may_follow_or_answer(
    client: Client, fake: FakeInstance, staff_client: Callable[..., Any]
) -> None:
    fake.post(client, fake.activity("Follow", keys.actor_url()))
    instance = Instance.objects.get()
    editor = staff_client("editor", username="ed")
    page = editor.get("/staff/federation/").content.decode()
    assert fingerprint_display(fake.fingerprint) in page
    assert "A coordinator answers." in page
    assert editor.post(f"/staff/federation/instances/{instance.pk}/accept/").status_code == 403
    assert editor.post("/staff/federation/lookup/", {"address": fake.base}).status_code == 403
    instance.refresh_from_db()
    assert instance.follower_state == Instance.Follow.PENDING


def test_accepting_a_follow_request_sends_a_signed_accept(
    client: Client, fake: FakeInstance, staff_client: Callable[..., Any]
) -> None:
    follow = fake.activity("Follow", keys.actor_url())
    assert fake.post(client, follow).status_code == 202
    instance = Instance.objects.get()
    staff = staff_client("coordinator")
    home = staff.get("/staff/federation/").content.decode()
    assert "Follow requests" in home and fingerprint_display(fake.fingerprint) in home
    response = staff.post(f"/staff/federation/instances/{instance.pk}/accept/")
    assert response.status_code == 302
    instance.refresh_from_db()
    assert instance.follower_state == Instance.Follow.ACCEPTED
    assert deliveries_run() == 1
    [accept] = fake.posted("Accept")
    assert accept.verified
    assert accept.json["object"]["id"] == follow["id"]
    assert AuditEntry.objects.filter(action="federation.follower_accept").exists()

    # Asked again (our Accept lost on their side): answered again without staff.
    again = fake.activity("Follow", keys.actor_url())
    assert fake.post(client, again).status_code == 202
    deliveries_run()
    assert fake.posted("Accept")[-1].json["object"]["id"] == again["id"]

    # They stop following.
    undo = fake.activity("Undo", {k: again[k] for k in ("id", "type", "actor", "object")})
    assert fake.post(client, undo).status_code == 202
    instance.refresh_from_db()
    assert instance.follower_state == Instance.Follow.NONE


def test_refusing_a_follow_request_sends_a_reject(
    client: Client, fake: FakeInstance, staff_client: Callable[..., Any]
) -> None:
    fake.post(client, fake.activity("Follow", keys.actor_url()))
    instance = Instance.objects.get()
    staff_client("coordinator").post(f"/staff/federation/instances/{instance.pk}/reject/")
    instance.refresh_from_db()
    assert instance.follower_state == Instance.Follow.REJECTED
    deliveries_run()
    assert fake.posted("Reject")[0].verified


def test_unfollowing_sends_an_undo(
    client: Client, fake: FakeInstance, staff_client: Callable[..., Any]
) -> None:
    staff = staff_client("coordinator")
    instance = _follow_fake(staff, fake)
    staff.post(f"/staff/federation/instances/{instance.pk}/unfollow/")
    instance.refresh_from_db()
    assert instance.following_state == Instance.Follow.NONE
    deliveries_run()
    [undo] = fake.posted("Undo")
    assert undo.json["object"]["id"] == fake.posted("Follow")[0].json["id"]


def test_a_rotation_signed_with_the_old_key_is_accepted(client: Client, fake: FakeInstance) -> None:
    fake.post(client, fake.activity("Follow", keys.actor_url()))
    instance = Instance.objects.get()
    old_key, old_id = fake.rotate()
    update = fake.activity("Update", fake.actor_document())
    response = fake.post(client, update, private_key=old_key, key_id=old_id)
    assert response.status_code == 202, response.content
    current = instance.keys.get(valid_until__isnull=True)
    assert current.fingerprint == fake.fingerprint
    old = instance.keys.get(key_id=old_id)
    assert old.valid_until is not None
    assert old.valid_until > timezone.now() + keys.KEY_GRACE - datetime.timedelta(minutes=1)
    assert AuditEntry.objects.filter(action="federation.key_rotated").exists()
    # Both keys verify during the grace period.
    undo_ref = {
        "id": instance.follow_in_id,
        "type": "Follow",
        "actor": fake.actor_url,
        "object": keys.actor_url(),
    }
    assert (
        fake.post(
            client, fake.activity("Follow", keys.actor_url()), private_key=old_key, key_id=old_id
        ).status_code
        == 202
    )
    assert (
        fake.post(
            client, fake.activity("Undo", {**undo_ref, "id": Instance.objects.get().follow_in_id})
        ).status_code
        == 202
    )


def test_a_rotation_signed_with_the_new_key_is_refused(client: Client, fake: FakeInstance) -> None:
    fake.post(client, fake.activity("Follow", keys.actor_url()))
    fake.rotate()
    response = fake.post(client, fake.activity("Update", fake.actor_document()))
    assert response.status_code == 401 and response.json()["code"] == "key_changed"
    assert Instance.objects.get().keys.count() == 1


def test_staff_accept_a_changed_key_after_checking_it(
    client: Client, fake: FakeInstance, staff_client: Callable[..., Any]
) -> None:
    fake.post(client, fake.activity("Follow", keys.actor_url()))
    instance = Instance.objects.get()
    old_key, old_id = fake.rotate()
    assert fake.post(client, fake.activity("Follow", keys.actor_url())).status_code == 401
    staff = staff_client("coordinator")
    page = staff.post(f"/staff/federation/instances/{instance.pk}/key/check/")
    assert fingerprint_display(fake.fingerprint) in page.content.decode()
    response = staff.post(
        f"/staff/federation/instances/{instance.pk}/key/pin/", {"fingerprint": fake.fingerprint}
    )
    assert response.status_code == 302
    assert instance.keys.get(valid_until__isnull=True).fingerprint == fake.fingerprint
    assert fake.post(client, fake.activity("Follow", keys.actor_url())).status_code == 202
    # A key replaced by hand gets no grace period.
    stale = fake.post(
        client, fake.activity("Follow", keys.actor_url()), private_key=old_key, key_id=old_id
    )
    assert stale.status_code == 401
    audit = AuditEntry.objects.get(action="federation.key_pin")
    assert audit.after == {"fingerprint": fake.fingerprint}
