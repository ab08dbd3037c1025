"""Permission lives with the operation: the lifecycle services check the actor's role, so the
workspace, the API (tests/api/test_staff.py) and the importer cannot disagree about who may
do what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User
from django.utils import timezone

from urgent.cases import services
from urgent.cases.models import Case, CaseEvent
from urgent.core.errors import ApplicationError, Forbidden
from urgent.core.roles import roles_ensure

pytestmark = pytest.mark.django_db


def user(role: str) -> User:
    roles_ensure()
    person = User.objects.create_user(f"{role}-person", password="correct horse battery")
    person.groups.add(Group.objects.get(name=role))
    return person


def test_each_lifecycle_step_needs_its_role(demo: None) -> None:
    draft = Case.objects.get(slug="ua-110-26")
    active = Case.objects.get(slug="ua-101-26")
    editor, viewer = user("editor"), user("viewer")
    today = timezone.localdate()
    with pytest.raises(Forbidden):
        services.case_publish(case=draft, actor=editor)
    with pytest.raises(Forbidden):
        services.case_close(case=active, actor=editor, kind="released", occurred_on=today)
    with pytest.raises(Forbidden):
        services.case_stop_switch(
            case=active, actor=editor, stopped=True, hide_names=False, reason="Family asked"
        )
    with pytest.raises(Forbidden):
        services.update_post(case=active, actor=viewer, title="", body="News.")
    with pytest.raises(Forbidden):
        services.case_update(case=draft, actor=viewer, expected_version=1, data={"headline": "x"})
    with pytest.raises(Forbidden):
        services.case_publish(case=draft, actor=AnonymousUser())
    # Nothing was changed, and no event was written, by a refused call.
    assert Case.objects.get(pk=draft.pk).status == "draft"
    assert Case.objects.get(pk=active.pk).status == "active"
    assert not CaseEvent.objects.exists()
    # The editor may post Further Information; the operator's command line (no actor) may
    # do anything.
    services.update_post(case=active, actor=editor, title="", body="News.")
    services.case_close(case=active, actor=None, kind="released", occurred_on=today)
    assert Case.objects.get(pk=active.pk).status == "closed"


def test_further_information_never_closes_and_only_a_publisher_reopens(demo: None) -> None:
    active = Case.objects.get(slug="ua-101-26")
    closed = Case.objects.get(slug="ua-12-26")
    coordinator, editor = user("coordinator"), user("editor")
    with pytest.raises(ApplicationError) as refused:
        services.update_post(
            case=active, actor=coordinator, title="", body="Released.", status="closed"
        )
    assert refused.value.code == "status_not_allowed"
    assert "outcome" in refused.value.message
    assert Case.objects.get(pk=active.pk).status == "active"
    assert not active.updates.filter(body="Released.").exists()

    with pytest.raises(Forbidden):
        services.update_post(
            case=closed, actor=editor, title="", body="Re-arrested.", status="active"
        )
    assert Case.objects.get(pk=closed.pk).status == "closed"
    update = services.update_post(
        case=closed, actor=coordinator, title="", body="Re-arrested.", status="active"
    )
    assert Case.objects.get(pk=closed.pk).status == "active"
    assert CaseEvent.objects.get(update=update).data == {"number": update.number, "reopened": True}


def test_the_workspace_refuses_the_same_reopening_the_api_refuses(
    staff_client: Callable[..., Any], demo: None
) -> None:
    closed = Case.objects.get(slug="ua-12-26")
    editor = staff_client("editor")
    response = editor.post(
        f"/staff/cases/{closed.pk}/update/", {"body": "Re-arrested.", "status": "active"}
    )
    assert response.status_code == 400
    assert "publish" in response.content.decode()
    assert Case.objects.get(pk=closed.pk).status == "closed"
    assert not closed.updates.filter(body="Re-arrested.").exists()
