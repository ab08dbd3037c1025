"""Publishing is a confirmation page, never one unguarded click."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from tests.outreach.test_notices import person
from urgent.cases import services
from urgent.cases.models import Case, CaseTarget, CaseTranslation
from urgent.mailings.models import Mailing
from urgent.officials.models import ContactPoint, Official
from urgent.outreach.services import case_events_drain

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(staff_client: Callable[..., Any], demo: None) -> Any:
    return staff_client("coordinator")


@pytest.fixture
def draft() -> Case:
    """The demo's draft: complete, so it may be published."""
    case = Case.objects.get(reference="UA 110/26")
    assert services.case_missing_for_publication(case=case) == []
    return case


def token(html: str) -> str:
    match = re.search(r'name="token" value="([0-9a-f]+)"', html)
    assert match, "no publish button on the page"
    return match.group(1)


def test_the_editor_offers_a_check_not_a_publish_button(coordinator: Any, draft: Case) -> None:
    html = coordinator.get(f"/staff/cases/{draft.pk}/").content.decode()
    assert f'href="/staff/cases/{draft.pk}/publish/"' in html
    assert f'action="/staff/cases/{draft.pk}/publish/"' not in html


def test_publishing_takes_the_confirmation_and_its_button(
    coordinator: Any, draft: Case, django_capture_on_commit_callbacks: Any
) -> None:
    readers = [person(countries=["BY"]), person(countries=["BY"], language="en-GB")]
    person(countries=["MX"])  # another country: not in the audience
    page = coordinator.get(f"/staff/cases/{draft.pk}/publish/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<strong>2</strong> supporters get the alert" in html
    assert "Publish and alert 2 supporters" in html
    assert "Urgent action UA 110/26" in html  # the alert itself, as it will be sent

    # A bare POST (the old one-click form) publishes nothing.
    assert coordinator.post(f"/staff/cases/{draft.pk}/publish/").status_code == 409
    assert Case.objects.get(pk=draft.pk).status == "draft"

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(
            f"/staff/cases/{draft.pk}/publish/",
            {"token": token(html), "version": draft.version},
            follow=True,
        )
    assert "Published. The alert goes to 2 supporters now." in response.content.decode()
    assert Case.objects.get(pk=draft.pk).status == "active"
    case_events_drain()  # what the worker's sweep does with the published event
    mailing = Mailing.objects.get(key=f"alert:{draft.uuid}")
    # The count shown is the audience the alert went to.
    assert {d.supporter_id for d in mailing.deliveries.all()} == {s.pk for s in readers}


def test_a_stale_confirmation_cannot_publish_a_changed_draft(coordinator: Any, draft: Case) -> None:
    html = coordinator.get(f"/staff/cases/{draft.pk}/publish/").content.decode()
    old = token(html)
    # Someone changes the asks after the coordinator looked (the version stays the same).
    services.case_asks_set(case=draft, actor=None, asks=["Release him at once"])
    response = coordinator.post(
        f"/staff/cases/{draft.pk}/publish/", {"token": old, "version": draft.version}
    )
    assert response.status_code == 409
    assert "The case changed after you opened this page" in response.content.decode()
    assert "Release him at once" in response.content.decode()  # shown again, as it is now
    assert Case.objects.get(pk=draft.pk).status == "draft"

    fresh = token(response.content.decode())
    services.case_update(
        case=draft, actor=None, expected_version=draft.version, data={"headline": "Changed"}
    )
    response = coordinator.post(
        f"/staff/cases/{draft.pk}/publish/", {"token": fresh, "version": draft.version}
    )
    assert response.status_code == 409
    assert Case.objects.get(pk=draft.pk).status == "draft"


def test_what_is_missing_or_doubtful_is_listed(coordinator: Any, draft: Case) -> None:
    draft.headline = "BELARUS: LAWYER HELD WITHOUT CHARGE"
    draft.deadline = None
    draft.save()
    dead = Official.objects.create(title="Prosecutor", country="BY")
    ContactPoint.objects.create(
        official=dead, kind="email", value="gone@example.org", health="dead"
    )
    CaseTarget.objects.create(case=draft, official=dead, role="copy")
    CaseTranslation.objects.create(case=draft, language="es", headline="x", state="outdated")
    html = coordinator.get(f"/staff/cases/{draft.pk}/publish/").content.decode()
    assert "There is no deadline" in html
    assert "The headline is in capital letters" in html
    assert "The headline starts with “BELARUS:”" in html
    assert "Prosecutor has no working contact point" in html
    assert "There is no French translation" in html
    assert "The Spanish translation is outdated" in html
    assert "Publish and alert" in html  # doubts warn; they do not block

    draft.asks.all().delete()
    html = coordinator.get(f"/staff/cases/{draft.pk}/publish/").content.decode()
    assert "This case cannot be published yet" in html and "at least one ask" in html
    assert 'name="token"' not in html


def test_each_language_group_sees_its_own_alert(coordinator: Any, draft: Case) -> None:
    CaseTranslation.objects.create(
        case=draft,
        language="fr",
        headline="Avocat détenu au secret",
        story="Un avocat a disparu.",
        state="done",
    )
    person(countries=["BY"], language="fr")
    html = coordinator.get(f"/staff/cases/{draft.pk}/publish/").content.decode()
    assert "French: 1 supporter" in html
    assert "Avocat détenu au secret" in html
    alert = coordinator.get(
        f"/staff/cases/{draft.pk}/preview/alert/", {"part": "html", "language": "fr"}
    )
    assert "Avocat détenu au secret" in alert.content.decode()


def test_only_coordinators_publish_and_only_drafts(
    staff_client: Callable[..., Any], demo: None
) -> None:
    draft = Case.objects.get(reference="UA 110/26")
    editor = staff_client("editor", username="ed")
    assert editor.get(f"/staff/cases/{draft.pk}/publish/").status_code == 403
    coordinator = staff_client("coordinator", username="co")
    active = Case.objects.get(reference="UA 101/26")
    response = coordinator.get(f"/staff/cases/{active.pk}/publish/")
    assert response.status_code == 302


def test_past_deadline_blocks(coordinator: Any, draft: Case) -> None:
    draft.deadline = timezone.localdate() - datetime.timedelta(days=1)
    draft.save()
    html = coordinator.get(f"/staff/cases/{draft.pk}/publish/").content.decode()
    assert "a deadline that has not passed" in html
