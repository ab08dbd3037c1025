"""Every activity kind this work added (an urgent action's Create and Update, the stop
switch as an Update, counts as an Add) is refused with a clear status when it is bad, is
logged for staff, and leaves nothing stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from django.test import Client

from tests.federation.fake import FakeInstance, fake_instance_serving
from tests.federation.test_adopting import _origin
from tests.federation.test_counts import _counts
from tests.federation.test_inbox import _known, _refused
from urgent.cases.models import Case
from urgent.federation.models import (
    Activity,
    IncomingCase,
    IncomingNotice,
    RefusedActivity,
    SectionCounts,
)
from urgent.federation.services import case_activity_send

pytestmark = pytest.mark.django_db

Build = Callable[[FakeInstance], dict[str, Any]]


def _create(fake: FakeInstance) -> dict[str, Any]:
    return fake.activity("Create", _origin(fake), to=[fake.actor_url])


def _stop(fake: FakeInstance) -> dict[str, Any]:
    return fake.activity("Update", _origin(fake, version=2, stopped=True), to=[fake.actor_url])


def _add(fake: FakeInstance) -> dict[str, Any]:
    case = Case.objects.get(slug="ua-101-26")
    return _counts(fake, f"http://127.0.0.1:8000/federation/cases/{case.uuid}", 7)


KINDS = {"create": _create, "stop": _stop, "counts": _add}


@pytest.fixture
def known(demo: None, fake: FakeInstance) -> FakeInstance:
    """An instance this one follows, and that follows it and was sent a case."""
    _known(fake, following_state="accepted", follower_state="accepted")
    case_activity_send(case=Case.objects.get(slug="ua-101-26"), kind="Create")
    return fake


def _nothing_stored(activities_before: int) -> None:
    assert not IncomingCase.objects.exists()
    assert not IncomingNotice.objects.exists()
    assert not SectionCounts.objects.exists()
    assert Activity.objects.filter(direction="in").count() == activities_before


@pytest.mark.parametrize("kind", KINDS)
def test_a_bad_signature(client: Client, known: FakeInstance, kind: str) -> None:
    impostor = ed25519.Ed25519PrivateKey.generate()
    response = known.post(client, KINDS[kind](known), private_key=impostor)
    _refused(response, 401, "bad_signature")
    _nothing_stored(0)


@pytest.mark.parametrize("kind", KINDS)
def test_a_wrong_digest(client: Client, known: FakeInstance, kind: str) -> None:
    payload = KINDS[kind](known)
    _, headers = known.signed(payload)
    tampered = json.dumps({**payload, "id": payload["id"] + "-changed"}).encode()
    content_type = headers.pop("Content-Type")
    response = client.post(
        "/federation/inbox", tampered, content_type=content_type, headers=headers
    )
    _refused(response, 400, "digest_mismatch")
    _nothing_stored(0)


@pytest.mark.parametrize("kind", KINDS)
def test_a_replay(client: Client, known: FakeInstance, kind: str) -> None:
    payload = KINDS[kind](known)
    assert known.post(client, payload).status_code == 202
    stored = (IncomingCase.objects.count(), SectionCounts.objects.count())
    entry = _refused(known.post(client, payload), 409, "replayed")
    assert entry.activity_id == payload["id"]
    assert (IncomingCase.objects.count(), SectionCounts.objects.count()) == stored
    assert Activity.objects.filter(direction="in").count() == 1


@pytest.mark.parametrize("kind", KINDS)
def test_an_unknown_actor(client: Client, demo: None, allow_private: None, kind: str) -> None:
    with fake_instance_serving(name="Stranger") as stranger:
        _refused(stranger.post(client, KINDS[kind](stranger)), 401, "unknown_actor")
    _nothing_stored(0)


@pytest.mark.parametrize("kind", KINDS)
def test_malformed_json_ld(client: Client, known: FakeInstance, kind: str) -> None:
    payload = KINDS[kind](known)
    bad_context = {**payload, "@context": ["https://example.org/other-context.jsonld"]}
    _refused(known.post(client, bad_context), 422, "invalid_activity")
    no_object = {k: v for k, v in payload.items() if k != "object"}
    _refused(known.post(client, no_object), 422, "invalid_activity")
    body = json.dumps(payload).encode()[:-20]
    _refused(known.post(client, body), 400, "malformed_json")
    _nothing_stored(0)
    assert RefusedActivity.objects.count() == 3


def test_ten_megabytes_of_counts_are_refused_from_the_header(
    client: Client, known: FakeInstance
) -> None:
    payload = _add(known)
    payload["object"]["padding"] = "x" * (10 * 1024 * 1024)
    _refused(known.post(client, payload), 413, "too_large")
    _nothing_stored(0)
