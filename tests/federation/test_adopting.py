"""A section adopts a case from the instance it follows: the copy, the origin's changes,
the stop switch across the network, Further Information and outcomes sent on."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.federation.fake import FakeInstance
from tests.federation.test_activities import _action
from tests.federation.test_inbox import _known
from urgent.cases.models import Case, CaseEvent, CaseTarget, Update
from urgent.cases.services import case_stop_switch
from urgent.core.models import AuditEntry
from urgent.core.queue import QueueHold
from urgent.federation.models import IncomingCase, IncomingNotice
from urgent.federation.services.publishing import case_events_publish
from urgent.officials.models import ContactPoint, Official

pytestmark = pytest.mark.django_db


def _origin(fake: FakeInstance, **changes: Any) -> dict[str, Any]:
    action = _action("ua-101-26")
    return {
        **action,
        "id": f"{fake.base}/federation/cases/5e0a1b2c",
        "url": f"{fake.base}/cases/ua-87-26/",
        "attributedTo": fake.actor_url,
        "reference": "UA 87/26",
        "version": 1,
        "stopped": False,
        "furtherInformation": [],
        "outcome": None,
        **changes,
    }


def _send(client: Client, fake: FakeInstance, kind: str, obj: dict[str, Any]) -> int:
    return int(fake.post(client, fake.activity(kind, obj, to=[fake.actor_url])).status_code)


@pytest.fixture
def section(demo: None, fake: FakeInstance, staff_client: Callable[..., Any]) -> Any:
    _known(fake, following_state="accepted")
    return staff_client("coordinator")


def test_a_section_adopts_translates_and_reviews_the_origin_s_changes(
    section: Any, fake: FakeInstance
) -> None:
    assert _send(section, fake, "Create", _origin(fake)) == 202
    incoming = IncomingCase.objects.get()
    listed = section.get("/staff/federation/incoming/").content.decode()
    assert f'id="incoming-{incoming.pk}"' in listed and "UA 87/26" in listed

    page = f"/staff/federation/incoming/{incoming.pk}/"
    section.post(f"{page}adopt/")
    incoming.refresh_from_db()
    copy = incoming.case
    assert copy is not None and copy.status == Case.Status.DRAFT
    assert (copy.origin_org, copy.origin_url) == (fake.name, f"{fake.base}/cases/ua-87-26/")
    assert incoming.adopted_version == 1
    shown = section.get(page).content.decode()
    assert 'class="side-by-side"' in shown and 'id="copy-link"' in shown

    # The section translates its copy beside the origin's text.
    saved = section.post(
        f"{page}texts/",
        {"headline": "Periodista estudiante encarcelada", "story": "Historia.", "asks": "Pida."},
    )
    assert saved.status_code == 302
    copy.refresh_from_db()
    assert copy.headline == "Periodista estudiante encarcelada"
    # Bad input is answered next to the field, nothing saved.
    refused = section.post(f"{page}texts/", {"headline": "", "story": ""})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()

    # The origin changes its story: the section sees what changed and chooses.
    new_story = "A new paragraph from the origin.\n\n" + incoming.payload["story"]
    assert _send(section, fake, "Update", _origin(fake, version=2, story=new_story)) == 202
    shown = section.get(page).content.decode()
    assert 'id="changes"' in shown and "version 1 → 2" in shown
    assert '<li class="added">A new paragraph from the origin.</li>' in shown
    section.post(f"{page}changes/", {"texts": ["story"]})
    copy.refresh_from_db()
    incoming.refresh_from_db()
    assert copy.story == new_story and copy.headline == "Periodista estudiante encarcelada"
    assert incoming.adopted_version == 2
    assert 'id="changes"' not in section.get(page).content.decode()

    # An older version arriving late changes nothing.
    assert _send(section, fake, "Update", _origin(fake, version=1, story="Old.")) == 202
    incoming.refresh_from_db()
    assert incoming.version == 2 and incoming.payload["story"] == new_story


def test_the_origin_s_stop_stops_the_copy_and_holds_its_letters_at_once(
    section: Any, fake: FakeInstance
) -> None:
    _send(section, fake, "Create", _origin(fake))
    incoming = IncomingCase.objects.get()
    section.post(f"/staff/federation/incoming/{incoming.pk}/adopt/")
    copy = Case.objects.get(origin_url=f"{fake.base}/cases/ua-87-26/")
    Case.objects.filter(pk=copy.pk).update(status="active")

    assert _send(section, fake, "Update", _origin(fake, version=2, stopped=True)) == 202
    copy.refresh_from_db()
    assert copy.actions_stopped is True
    hold = QueueHold.objects.get(key=f"case:{copy.uuid.hex}")
    assert fake.name in hold.reason and "stopped action" in hold.reason
    stop = AuditEntry.objects.get(action="case.stop")
    assert stop.actor is None and "UA 87/26" in str(stop.after)
    page = section.get(f"/staff/federation/incoming/{incoming.pk}/").content.decode()
    assert 'id="stopped-by-origin"' in page
    # The copy's own stop goes on to the section's followers, through its outbox.
    assert CaseEvent.objects.filter(case=copy, kind="stopped").count() == 1


def _adopted_published(section: Any, fake: FakeInstance) -> tuple[IncomingCase, Case]:
    _send(section, fake, "Create", _origin(fake))
    incoming = IncomingCase.objects.get()
    section.post(f"/staff/federation/incoming/{incoming.pk}/adopt/")
    copy = Case.objects.get(origin_url=f"{fake.base}/cases/ua-87-26/")
    Case.objects.filter(pk=copy.pk).update(status="active", published_at=timezone.now())
    return incoming, copy


def test_the_origin_s_resume_resumes_a_copy_its_stop_stopped(
    section: Any, fake: FakeInstance
) -> None:
    incoming, copy = _adopted_published(section, fake)
    assert _send(section, fake, "Update", _origin(fake, version=2, stopped=True)) == 202
    assert _send(section, fake, "Update", _origin(fake, version=3, stopped=False)) == 202
    copy.refresh_from_db()
    assert copy.actions_stopped is False
    assert not QueueHold.objects.filter(key=f"case:{copy.uuid.hex}").exists()
    told = AuditEntry.objects.get(action="federation.origin_resumed")
    assert told.after["copy_resumed"] is True
    page = section.get(f"/staff/federation/incoming/{incoming.pk}/").content.decode()
    assert 'id="resumed-with-origin"' in page and 'id="stopped-by-origin"' not in page
    # The copy's resume goes on to the section's own followers, through its outbox.
    assert CaseEvent.objects.filter(case=copy, kind="resumed").count() == 1


def test_a_copy_its_own_staff_stopped_stays_stopped_when_the_origin_resumes(
    section: Any, fake: FakeInstance
) -> None:
    incoming, copy = _adopted_published(section, fake)
    staff = section.user
    case_stop_switch(case=copy, actor=staff, stopped=True, hide_names=False, reason="Family.")
    assert _send(section, fake, "Update", _origin(fake, version=2, stopped=True)) == 202
    assert _send(section, fake, "Update", _origin(fake, version=3, stopped=False)) == 202
    copy.refresh_from_db()
    assert copy.actions_stopped is True
    assert QueueHold.objects.filter(key=f"case:{copy.uuid.hex}").exists()
    assert AuditEntry.objects.get(action="federation.origin_resumed").after["copy_resumed"] is False
    page = section.get(f"/staff/federation/incoming/{incoming.pk}/").content.decode()
    assert 'id="origin-resumed-copy-stopped"' in page and 'id="resumed-with-origin"' not in page


def test_a_copy_staff_resumed_and_stopped_again_stays_stopped(
    section: Any, fake: FakeInstance
) -> None:
    _incoming, copy = _adopted_published(section, fake)
    assert _send(section, fake, "Update", _origin(fake, version=2, stopped=True)) == 202
    staff = section.user
    case_stop_switch(case=copy, actor=staff, stopped=False, hide_names=False, reason="Checked.")
    case_events_publish()  # the section's own resume, handled by its federation consumer
    case_stop_switch(case=copy, actor=staff, stopped=True, hide_names=False, reason="Again.")
    assert _send(section, fake, "Update", _origin(fake, version=3, stopped=False)) == 202
    copy.refresh_from_db()
    assert copy.actions_stopped is True


def test_a_case_adopted_after_the_stop_is_stopped_too(section: Any, fake: FakeInstance) -> None:
    _send(section, fake, "Create", _origin(fake, stopped=True))
    incoming = IncomingCase.objects.get()
    section.post(f"/staff/federation/incoming/{incoming.pk}/adopt/")
    incoming.refresh_from_db()
    assert incoming.case is not None and incoming.case.actions_stopped


def test_further_information_and_outcome_are_sent_on_in_one_step(
    section: Any, fake: FakeInstance
) -> None:
    _send(section, fake, "Create", _origin(fake))
    incoming = IncomingCase.objects.get()
    page = f"/staff/federation/incoming/{incoming.pk}/"
    section.post(f"{page}adopt/")
    copy = Case.objects.get(origin_url=f"{fake.base}/cases/ua-87-26/")
    fi = {
        "type": "FurtherInformation",
        "number": 1,
        "title": "Further information on UA 87/26",
        "body": "She was moved to a penal colony.",
        "issued": "2026-11-20",
    }
    _send(section, fake, "Update", _origin(fake, version=2, furtherInformation=[fi]))
    notice = IncomingNotice.objects.get()
    assert (notice.kind, notice.title) == ("fi", fi["title"])

    # Not before the copy is published: only its supporters can be told.
    send = f"{page}notices/{notice.pk}/send/"
    refused = section.post(
        send, {"title": "Más información", "body": "Fue trasladada."}, follow=True
    )
    assert "Publish your copy" in refused.content.decode()
    Case.objects.filter(pk=copy.pk).update(status="active")
    section.post(send, {"title": "Más información", "body": "Fue trasladada."})
    notice.refresh_from_db()
    assert notice.sent_at is not None
    update = Update.objects.get(case=copy)
    assert (update.title, update.body) == ("Más información", "Fue trasladada.")
    assert CaseEvent.objects.filter(case=copy, kind="update_posted").count() == 1
    # Sent once.
    section.post(send, {"title": "Again", "body": "Again"})
    assert Update.objects.filter(case=copy).count() == 1

    outcome = {"type": "Outcome", "kind": "released", "date": "2026-11-30", "summary": "Freed."}
    _send(
        section, fake, "Update", _origin(fake, version=3, furtherInformation=[fi], outcome=outcome)
    )
    closing = IncomingNotice.objects.get(kind="outcome")
    section.post(f"{page}notices/{closing.pk}/send/", {"body": "Fue liberada."})
    copy.refresh_from_db()
    assert copy.status == Case.Status.CLOSED
    assert CaseEvent.objects.filter(case=copy, kind="closed").count() == 1


def test_the_public_page_says_who_issued_and_who_adopted(
    section: Any, fake: FakeInstance, client: Client
) -> None:
    _send(section, fake, "Create", _origin(fake))
    incoming = IncomingCase.objects.get()
    section.post(f"/staff/federation/incoming/{incoming.pk}/adopt/")
    copy = Case.objects.get(origin_url=f"{fake.base}/cases/ua-87-26/")
    Case.objects.filter(pk=copy.pk).update(status="active")
    page = Client().get(f"/cases/{copy.slug}/").content.decode()
    assert 'id="provenance"' in page
    assert f'Issued by <a href="{fake.base}/cases/ua-87-26/">{fake.name}</a>' in page
    assert f"adopted by {copy.organisation.name}" in page


def test_a_case_from_an_instance_not_followed_is_refused_and_not_kept(
    demo: None, client: Client, fake: FakeInstance
) -> None:
    _known(fake, following_state="none")
    assert _send(client, fake, "Create", _origin(fake)) == 403
    assert not IncomingCase.objects.exists()


def test_a_dead_contact_point_at_the_origin_warns_the_section(
    section: Any, fake: FakeInstance
) -> None:
    action = _origin(fake)
    _send(section, fake, "Create", action)
    incoming = IncomingCase.objects.get()
    page = f"/staff/federation/incoming/{incoming.pk}/"
    section.post(f"{page}adopt/")
    copy = Case.objects.get(origin_url=f"{fake.base}/cases/ua-87-26/")
    point = action["targets"][0]["contactPoints"][0]
    official = Official.objects.create(name="Same Office", country="TM")
    ContactPoint.objects.create(official=official, kind=point["kind"], value=point["value"])
    CaseTarget.objects.create(case=copy, official=official)
    assert 'id="dead-contacts"' not in section.get(page).content.decode()

    # The origin found the address dead: the same version, sent again with its health.
    dead = copy_with_dead(action, point["value"])
    assert _send(section, fake, "Update", dead) == 202
    shown = section.get(page).content.decode()
    assert 'id="dead-contacts"' in shown and point["value"] in shown
    assert 'class="dead-in-copy"' in shown


def copy_with_dead(action: dict[str, Any], value: str) -> dict[str, Any]:
    changed = json.loads(json.dumps(action))
    for target in changed["targets"]:
        for point in target["contactPoints"]:
            if point["value"] == value:
                point["health"] = "dead"
    return changed


def test_further_information_without_a_new_version_still_arrives(
    section: Any, fake: FakeInstance
) -> None:
    """Posting Further Information does not raise a case's version: the same version with a
    new entry must still reach the section (a three-instance run found it did not)."""
    _send(section, fake, "Create", _origin(fake))
    fi = {
        "type": "FurtherInformation",
        "number": 1,
        "title": "Further information without a version",
        "body": "Text.",
        "issued": "2026-11-20",
    }
    assert _send(section, fake, "Update", _origin(fake, furtherInformation=[fi])) == 202
    assert IncomingNotice.objects.get().title == fi["title"]
    # Sent again (a retry after a lost answer): still one notice.
    assert _send(section, fake, "Update", _origin(fake, furtherInformation=[fi])) == 202
    assert IncomingNotice.objects.count() == 1
