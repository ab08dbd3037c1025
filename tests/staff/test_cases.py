"""The case editor and lifecycle, through the staff pages, as a coordinator uses them."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from urgent.cases.models import Case, CaseTarget, Outcome
from urgent.core.models import AuditEntry
from urgent.officials.models import Official

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(staff_client: Callable[..., Any], demo: None) -> Any:
    return staff_client("coordinator")


def new_draft(client: Any) -> Case:
    response = client.post(
        "/staff/cases/new/",
        {
            "reference": "UA 200/26",
            "headline": "Journalist detained",
            "country": "TM",
            "language": "en",
            "story": "Detained on 1 May for reporting.",
            "version": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.get(reference="UA 200/26")


def editor_form(case: Case) -> dict[str, Any]:
    """The case editor's form as the page fills it in, for `case` as it is now."""
    case.refresh_from_db()
    return {
        "reference": case.reference,
        "headline": case.headline,
        "country": case.country,
        "language": case.language,
        "story": case.story,
        "background": case.background,
        "version": case.version,
    }


def test_draft_to_published_to_update_to_closed(
    coordinator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    case = new_draft(coordinator)
    assert case.status == "draft"
    page = coordinator.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "at least one ask" in page

    response = coordinator.get(f"/staff/cases/{case.pk}/publish/")
    assert "cannot be published yet" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "draft"

    # One form, one Save: the case's fields, its people and its asks together.
    response = coordinator.post(
        f"/staff/cases/{case.pk}/",
        {
            **editor_form(case),
            "name_0": "Aylar Mergenova",
            "pronouns_0": "she/her",
            "visibility_0": "public",
            "name_1": "",
            "pronouns_1": "",
            "visibility_1": "public",
            "asks": "• Release her now\n\n- Let her see a lawyer",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [a.text for a in case.asks.all()] == ["Release her now", "Let her see a lawyer"]
    assert [p.name for p in case.people.all()] == ["Aylar Mergenova"]

    found = coordinator.get(
        f"/staff/cases/{case.pk}/", {"official": "Turkmenistan"}
    ).content.decode()
    president = Official.objects.get(title="President of Turkmenistan")
    assert f'value="{president.pk}"' in found
    coordinator.post(
        f"/staff/cases/{case.pk}/targets/add/", {"official": president.pk, "role": "primary"}
    )
    response = coordinator.post(
        f"/staff/cases/{case.pk}/targets/add/",
        {"official": president.pk, "role": "copy"},
        follow=True,
    )
    assert "already a target" in response.content.decode()
    coordinator.post(
        f"/staff/cases/{case.pk}/targets/new/",
        {
            "title": "Prosecutor General",
            "country": "TM",
            "salutation": "Dear Prosecutor General,",
            "email": "prosecutor@example.org",
            "role": "copy",
        },
    )
    assert CaseTarget.objects.filter(
        case=case, role="copy", official__title="Prosecutor General"
    ).exists()

    confirm = coordinator.get(f"/staff/cases/{case.pk}/publish/").content.decode()
    token = re.search(r'name="token" value="([0-9a-f]+)"', confirm)
    assert token
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator.post(
            f"/staff/cases/{case.pk}/publish/",
            {"token": token.group(1), "version": case.version},
            follow=True,
        )
    assert "Published" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "active" and case.published_at
    assert coordinator.get(f"/cases/{case.slug}/").status_code == 200

    response = coordinator.post(f"/staff/cases/{case.pk}/update/", {"title": "", "body": ""})
    assert response.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(
            f"/staff/cases/{case.pk}/update/",
            {
                "title": "",
                "body": "She was moved to a prison far from her family.",
                "replace_asks": "on",
                "asks": "Release her\nReturn her to a prison near her family",
            },
        )
    update = case.updates.get()
    assert update.number == 1 and update.title == "Further information on UA 200/26"
    assert case.asks.count() == 2

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = coordinator.post(
        f"/staff/cases/{case.pk}/close/", {"kind": "released", "occurred_on": tomorrow}
    )
    assert "cannot be in the future" in response.content.decode()
    response = coordinator.post(
        f"/staff/cases/{case.pk}/close/", {"kind": "nonsense", "occurred_on": timezone.localdate()}
    )
    assert response.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        coordinator.post(
            f"/staff/cases/{case.pk}/close/",
            {
                "kind": "released",
                "occurred_on": timezone.localdate(),
                "summary": "Home with family.",
            },
        )
    case.refresh_from_db()
    assert case.status == "closed"
    assert Outcome.objects.get(case=case).kind == "released"
    actions = set(
        AuditEntry.objects.filter(object_id=str(case.pk)).values_list("action", flat=True)
    )
    assert {
        "case.create",
        "case.people",
        "case.asks",
        "case.target_add",
        "case.publish",
        "case.update_post",
        "case.close",
    } <= actions


def test_concurrent_edits_are_detected(coordinator: Any, staff_client: Callable[..., Any]) -> None:
    case = Case.objects.get(reference="UA 101/26")
    form = {
        "reference": case.reference,
        "headline": "First editor's headline",
        "country": "TM",
        "language": "en",
        "story": case.story,
        "version": case.version,
    }
    assert coordinator.post(f"/staff/cases/{case.pk}/", form).status_code == 302
    form["headline"] = "Second editor's headline"  # same, now stale, version
    response = coordinator.post(f"/staff/cases/{case.pk}/", form)
    assert response.status_code == 400
    assert "Someone else saved this case" in response.content.decode()
    assert "Second editor&#x27;s headline" in response.content.decode()  # their text is kept
    case.refresh_from_db()
    assert case.headline == "First editor's headline"


def test_case_form_errors_are_next_to_the_fields(coordinator: Any) -> None:
    response = coordinator.post(
        "/staff/cases/new/",
        {
            "reference": "no number",
            "headline": "",
            "country": "ZZ",
            "language": "en",
            "issued_on": "2026-05-10",
            "deadline": "2026-05-01",
        },
    )
    html = response.content.decode()
    assert "A reference has a number" in html
    assert "This field is required" in html
    assert "Select a valid choice" in html
    assert "deadline is before" in html
    response = coordinator.post(
        "/staff/cases/new/",
        {
            "reference": "ua 101/26",
            "headline": "Dup",
            "country": "TM",
            "language": "en",
        },
    )
    assert "already used" in response.content.decode()


def test_stop_switch_hides_forms_and_names_and_is_reversible(coordinator: Any) -> None:
    case = Case.objects.get(reference="UA 101/26")
    response = coordinator.post(
        f"/staff/cases/{case.pk}/stop/", {"stopped": "on", "hide_names": "on", "reason": ""}
    )
    assert response.status_code == 400
    coordinator.post(
        f"/staff/cases/{case.pk}/stop/",
        {"stopped": "on", "hide_names": "on", "reason": "Family asked"},
    )
    case.refresh_from_db()
    assert case.actions_stopped and case.hide_names
    html = coordinator.get(f"/cases/{case.slug}/").content.decode()
    assert "Daniyar Orazmyradov" not in html
    assert "paused for the safety" in html
    coordinator.post(f"/staff/cases/{case.pk}/stop/", {"reason": "Family agreed to resume"})
    case.refresh_from_db()
    assert not case.actions_stopped and not case.hide_names
    assert AuditEntry.objects.filter(action="case.stop", after__reason="Family asked").exists()


def test_roles_editor_cannot_publish_viewer_cannot_edit(
    staff_client: Callable[..., Any], demo: None
) -> None:
    case = Case.objects.get(reference="UA 110/26")
    editor = staff_client("editor", username="ed")
    assert editor.post(f"/staff/cases/{case.pk}/publish/").status_code == 403
    viewer = staff_client("viewer", username="vi")
    assert viewer.get(f"/staff/cases/{case.pk}/").status_code == 200
    form = {
        "reference": case.reference,
        "headline": "x",
        "country": "BY",
        "language": "en",
        "version": case.version,
    }
    assert viewer.post(f"/staff/cases/{case.pk}/", form).status_code == 403
    assert viewer.get("/staff/cases/new/").status_code == 403


def test_translation_side_by_side_and_outdated_after_change(coordinator: Any) -> None:
    case = Case.objects.get(reference="UA 101/26")
    url = f"/staff/cases/{case.pk}/translations/fr/"
    assert case.story[:30] in coordinator.get(url).content.decode()
    coordinator.post(
        url, {"headline": "Militant en danger", "story": "...", "asks": "Libérez-le", "done": "on"}
    )
    translation = case.translations.get(language="fr")
    assert translation.state == "done" and translation.asks == ["Libérez-le"]
    form = {
        "reference": case.reference,
        "headline": case.headline,
        "country": "TM",
        "language": "en",
        "story": case.story + " More.",
        "version": case.version,
    }
    coordinator.post(f"/staff/cases/{case.pk}/", form)
    translation.refresh_from_db()
    assert translation.state == "outdated"
    assert "outdated after a change" in coordinator.get(f"/staff/cases/{case.pk}/").content.decode()
    assert coordinator.get(f"/staff/cases/{case.pk}/translations/xx/").status_code == 404
    assert coordinator.get(f"/staff/cases/{case.pk}/translations/en/").status_code == 404


def test_preview_shows_a_draft(coordinator: Any) -> None:
    case = Case.objects.get(reference="UA 110/26")
    assert coordinator.get(f"/cases/{case.slug}/").status_code == 404
    assert (
        "Draft: lawyer detained"
        in coordinator.get(f"/staff/cases/{case.pk}/preview/").content.decode()
    )


def test_case_list_query_count_is_flat(
    coordinator: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(8):
        html = coordinator.get("/staff/cases/").content.decode()
    assert "UA 101/26" in html and "UA 110/26" in html


def test_dashboard_shows_cases_chart_deliveries_and_fixes(
    coordinator: Any, django_assert_max_num_queries: Any
) -> None:
    from urgent.officials.models import ContactPoint

    point = ContactPoint.objects.get(value="embassy.tm@example.org")
    point.health = "bouncing"
    point.save()
    with django_assert_max_num_queries(15):
        html = coordinator.get("/staff/").content.decode()
    assert "UA 101/26" in html
    assert 'role="img"' in html  # the actions-per-day chart
    assert "embassy.tm@example.org" in html
    assert "Letters to officials by status" in html


def test_preview_the_alert_email(coordinator: Any) -> None:
    case = Case.objects.get(reference="UA 101/26")
    html = coordinator.get(f"/staff/cases/{case.pk}/preview/alert/").content.decode()
    assert "UA 101/26" in html
    assert "Disclose at once the fate" in html
    assert "/s/unsubscribe/" in html
    response = coordinator.get(f"/staff/cases/{case.pk}/preview/alert/", {"part": "html"})
    assert "sandbox" in response["Content-Security-Policy"]
