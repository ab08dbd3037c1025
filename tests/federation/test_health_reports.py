"""Dead contact points across the network: a section's own bounces reach the origin as a
report, which the origin counts once per section, shows its staff and relays to its other
followers as a warning; it never retires an official's address on their word."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tests.federation.fake import FakeInstance, fake_instance_serving
from tests.federation.test_adopting import _origin, _send
from tests.federation.test_inbox import _known, _refused
from urgent.cases.models import Case, CaseTarget
from urgent.core.models import AuditEntry
from urgent.federation.delivery import deliveries_run
from urgent.federation.models import ContactPointReport, IncomingCase, Instance
from urgent.federation.selectors import case_counts, case_for_federation
from urgent.federation.serialise import urgent_action_from_case
from urgent.federation.services import case_activity_send
from urgent.federation.services.adopting import incoming_adopt
from urgent.federation.services.health import contact_reports_send
from urgent.officials.models import ContactPoint, Official
from urgent.officials.services import contact_point_bounce_record, contact_point_health_set

pytestmark = pytest.mark.django_db


def _drain() -> None:
    while deliveries_run():
        pass


@pytest.fixture
def sections(allow_private: None) -> Iterator[tuple[FakeInstance, FakeInstance, FakeInstance]]:
    with (
        fake_instance_serving(name="Section B") as b,
        fake_instance_serving(name="Section C") as c,
        fake_instance_serving(name="Section D") as d,
    ):
        yield b, c, d


def _our_case() -> tuple[Case, dict[str, Any]]:
    """A published case of ours and the first email of an official it writes to."""
    case = Case.objects.get(slug="ua-101-26")
    loaded = case_for_federation(case_id=case.pk)
    assert loaded is not None
    action = urgent_action_from_case(loaded, counts=case_counts(case=loaded))
    for target in action["targets"]:
        for point in target["contactPoints"]:
            if point["kind"] == "email":
                return case, {"official": target["official"]["id"], "value": point["value"]}
    raise AssertionError("the demo case writes to no email")


def _report(fake: FakeInstance, case: Case, contact: dict[str, Any], **changes: Any) -> Any:
    obj = {"type": "ContactPoint", "kind": "email", "health": "dead", **contact, **changes}
    target = f"http://127.0.0.1:8000/federation/cases/{case.uuid}"
    return fake.activity("Flag", obj, target=target, to=["http://127.0.0.1:8000/federation/actor"])


def test_the_origin_counts_each_section_once_and_warns_the_others(
    demo: None,
    client: Client,
    sections: tuple[FakeInstance, FakeInstance, FakeInstance],
    staff_client: Callable[..., Any],
) -> None:
    b, c, d = sections
    for section in sections:
        _known(section, follower_state="accepted")
    case, contact = _our_case()
    case_activity_send(case=case, kind="Create")
    _drain()
    point = ContactPoint.objects.get(kind="email", value=contact["value"])

    assert b.post(client, _report(b, case, contact)).status_code == 202
    # The same section again (a new activity): counted once, nothing relayed again.
    assert b.post(client, _report(b, case, contact)).status_code == 202
    assert ContactPointReport.objects.filter(role="received").count() == 1
    point.refresh_from_db()
    assert point.health == "ok"  # one section alone changes nothing here
    home = staff_client("viewer").get("/staff/federation/").content.decode()
    assert 'id="contact-reports"' in home and "reported dead by Section B" in home
    assert AuditEntry.objects.filter(action="federation.contact_reported").count() == 1

    _drain()
    assert b.posted("Flag") == []  # the reporter is not warned about its own report
    for other in (c, d):
        [warning] = other.posted("Flag")
        assert warning.verified
        assert warning.json["to"] == [other.actor_url]
        assert "target" not in warning.json
        assert warning.json["object"] == {
            "type": "ContactPoint",
            "official": contact["official"],
            "kind": "email",
            "value": contact["value"],
            "health": "dead",
            "reports": 1,
        }

    # A second section: the address becomes suspect for staff to confirm, never dead.
    assert c.post(client, _report(c, case, contact)).status_code == 202
    point.refresh_from_db()
    assert point.health == "suspect"
    _drain()
    assert [w.json["object"]["reports"] for w in d.posted("Flag")] == [1, 2]
    assert [w.json["object"]["reports"] for w in b.posted("Flag")] == [2]

    # A section that finds the address working again withdraws its report.
    assert b.post(client, _report(b, case, contact, health="ok")).status_code == 202
    assert list(
        ContactPointReport.objects.filter(role="received").values_list("instance__name", flat=True)
    ) == ["Section C"]
    _drain()
    assert [w.json["object"]["reports"] for w in d.posted("Flag")] == [1, 2, 1]


def test_reports_the_origin_refuses(
    demo: None, client: Client, sections: tuple[FakeInstance, FakeInstance, FakeInstance]
) -> None:
    b, c, _d = sections
    _known(b, follower_state="accepted")
    _known(c, follower_state="accepted")
    case, contact = _our_case()
    case_activity_send(case=case, kind="Create")
    Instance.objects.filter(actor_url=c.actor_url).update(follower_state="rejected")
    other = Case.objects.exclude(pk=case.pk).filter(status="active").first()
    assert other is not None

    # Not a follower; a case never sent to the section; an address the case does not use;
    # an official of a third instance; a kind that cannot bounce; a count in a report.
    _refused(c.post(client, _report(c, case, contact)), 403, "not_following")
    _refused(b.post(client, _report(b, other, contact)), 403, "not_following")
    unknown = {**contact, "value": "nobody@example.org"}
    _refused(b.post(client, _report(b, case, unknown)), 422, "unknown_contact_point")
    foreign = {**contact, "official": "https://elsewhere.example/federation/officials/x"}
    _refused(b.post(client, _report(b, case, foreign)), 422, "unexpected")
    _refused(b.post(client, _report(b, case, contact, kind="postal")), 422, "invalid_activity")
    _refused(b.post(client, _report(b, case, contact, reports=5)), 422, "invalid_activity")
    assert not ContactPointReport.objects.exists()


def _adopted_copy(client: Client, fake: FakeInstance) -> tuple[IncomingCase, dict[str, Any]]:
    """A case from the fake origin, adopted and published here with a target of our own
    that has the same email as one of the origin's officials."""
    action = _origin(fake)
    for target in action["targets"]:
        target["official"]["id"] = target["official"]["id"].replace(
            "http://127.0.0.1:8000", fake.base
        )
    assert _send(client, fake, "Create", action) == 202
    incoming = IncomingCase.objects.get()
    copy = incoming_adopt(incoming=incoming, user=None)
    Case.objects.filter(pk=copy.pk).update(status="active")
    target = action["targets"][0]
    email = next(p["value"] for p in target["contactPoints"] if p["kind"] == "email")
    ours = Official.objects.create(name="Official Example", country="BY")
    ContactPoint.objects.create(official=ours, kind="email", value=email)
    CaseTarget.objects.create(case=copy, official=ours, role="primary")
    return incoming, {"official": target["official"]["id"], "value": email}


def test_a_section_reports_its_own_bounces_to_the_origin(
    demo: None, client: Client, fake: FakeInstance
) -> None:
    _known(fake, following_state="accepted")
    incoming, contact = _adopted_copy(client, fake)
    ours = ContactPoint.objects.get(official__name="Official Example")
    assert contact_reports_send() == 0  # working: nothing to say

    for _n in range(settings.URGENT_BOUNCES_BEFORE_DEAD):
        contact_point_bounce_record(
            contact_point_id=ours.pk, permanent=True, diagnostic="550 no such user", trusted=True
        )
    ours.refresh_from_db()
    assert ours.health == "dead"
    assert contact_reports_send() == 1
    assert contact_reports_send() == 0  # told once
    _drain()
    [report] = fake.posted("Flag")
    assert report.verified
    assert report.json["target"] == incoming.object_id
    assert report.json["to"] == [fake.actor_url]
    assert report.json["object"] == {
        "type": "ContactPoint",
        "official": contact["official"],
        "kind": "email",
        "value": contact["value"],
        "health": "dead",
    }

    # Staff here find it working again: the origin is told the report no longer stands.
    contact_point_health_set(contact_point=ours, actor=None, health="ok")
    assert contact_reports_send() == 1
    _drain()
    assert [r.json["object"]["health"] for r in fake.posted("Flag")] == ["dead", "ok"]


def test_a_section_shows_the_origin_s_warning_and_refuses_bad_ones(
    demo: None, client: Client, fake: FakeInstance, staff_client: Callable[..., Any]
) -> None:
    _known(fake, following_state="accepted")
    incoming, contact = _adopted_copy(client, fake)
    warning = {"type": "ContactPoint", "kind": "email", "health": "dead", "reports": 2, **contact}
    assert fake.post(client, fake.activity("Flag", warning)).status_code == 202
    page = staff_client("viewer").get(f"/staff/federation/incoming/{incoming.pk}/")
    shown = page.content.decode()
    assert 'id="network-warnings"' in shown and "reported dead by 2 sections" in shown
    assert contact["value"] in shown and "your copy writes to this address" in shown

    unknown = {**warning, "value": "nobody@example.org"}
    _refused(fake.post(client, fake.activity("Flag", unknown)), 422, "unknown_contact_point")
    uncounted = {k: v for k, v in warning.items() if k != "reports"}
    _refused(fake.post(client, fake.activity("Flag", uncounted)), 422, "invalid_activity")

    # The origin says no section reports it any more: the warning goes.
    cleared = {**warning, "health": "ok", "reports": 0}
    assert fake.post(client, fake.activity("Flag", cleared)).status_code == 202
    shown = staff_client("viewer", "v2").get(f"/staff/federation/incoming/{incoming.pk}/")
    assert 'id="network-warnings"' not in shown.content.decode()


def test_a_warning_from_an_instance_not_followed_is_refused(
    demo: None, client: Client, fake: FakeInstance
) -> None:
    _known(fake, following_state="accepted")
    _incoming, contact = _adopted_copy(client, fake)
    Instance.objects.filter(actor_url=fake.actor_url).update(following_state="none")
    warning = {"type": "ContactPoint", "kind": "email", "health": "dead", "reports": 1, **contact}
    _refused(fake.post(client, fake.activity("Flag", warning)), 403, "not_following")
    assert not ContactPointReport.objects.exists()
