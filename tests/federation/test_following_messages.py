"""What staff read when a follow operation is refused goes through translation, with the
instance's name put into the translated sentence (named placeholders, not f-strings)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from urgent.core.errors import ApplicationError, Forbidden
from urgent.federation.models import Instance
from urgent.federation.services import following

pytestmark = pytest.mark.django_db

# A catalogue standing in for a translation (translations are made from the sources later).
FRENCH = {
    "This instance does not follow %(instance)s.": "Cette instance ne suit pas %(instance)s.",
    "No follow request from %(instance)s is waiting.": "Aucune demande de %(instance)s.",
    "Only a coordinator may follow instances or answer their requests.": "Coordination seule.",
}


@pytest.fixture
def translated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(following, "_", lambda text: FRENCH.get(text, text))


def _instance() -> Instance:
    return Instance.objects.create(
        actor_url="https://section-example.net/federation/actor",
        inbox_url="https://section-example.net/federation/inbox",
        name="Section Exemple",
    )


def test_refusals_are_translated_with_the_instance_named(
    translated: None, staff_client: Callable[..., Any]
) -> None:
    user = staff_client("coordinator").user
    instance = _instance()
    with pytest.raises(ApplicationError) as unfollow:
        following.instance_unfollow(instance=instance, user=user)
    assert unfollow.value.message == "Cette instance ne suit pas Section Exemple."
    with pytest.raises(ApplicationError) as accept:
        following.follow_request_accept(instance=instance, user=user)
    assert accept.value.message == "Aucune demande de Section Exemple."


def test_the_role_refusal_is_translated(translated: None, staff_client: Callable[..., Any]) -> None:
    viewer = staff_client("viewer").user
    with pytest.raises(Forbidden) as refused:
        following.instance_unfollow(instance=_instance(), user=viewer)
    assert str(refused.value.message) == "Coordination seule."
