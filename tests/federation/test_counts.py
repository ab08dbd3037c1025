"""Counts roll up: a section reports each adopted case's aggregates to the origin once a
day; the origin keeps each section's latest and adds them up; only numbers cross."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from tests.federation.fake import FakeInstance, fake_instance_serving
from tests.federation.test_adopting import _origin, _send
from tests.federation.test_inbox import _known, _refused
from tests.supporters.factories import supporter_with_history
from urgent.actions.models import Action
from urgent.cases.models import Case
from urgent.federation.delivery import deliveries_run
from urgent.federation.models import Activity, IncomingCase, SectionCounts
from urgent.federation.services import case_activity_send
from urgent.federation.services.adopting import incoming_adopt
from urgent.federation.services.counts import counts_report_all

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 6)


def _drain() -> None:
    while deliveries_run():
        pass


def test_a_section_reports_an_adopted_case_s_counts_once_a_day(
    demo: None, client: Client, fake: FakeInstance
) -> None:
    _known(fake, following_state="accepted")
    assert _send(client, fake, "Create", _origin(fake)) == 202
    incoming = IncomingCase.objects.get()
    copy = incoming_adopt(incoming=incoming, user=None)
    assert counts_report_all(today=TODAY) == 0  # a draft has no counts yet
    Case.objects.filter(pk=copy.pk).update(status="active")
    supporter = supporter_with_history(email="leak.count@example.org")
    for channel in ["email", "email", "post"]:
        Action.objects.create(
            case=copy,
            supporter=supporter,
            channel=channel,
            letter="Letter text 9b2e only here",
            signature="Signed Uniquename",
            confirmed=True,
        )
    assert counts_report_all(today=TODAY) == 1
    assert counts_report_all(today=TODAY) == 0  # once a day
    _drain()
    [report] = fake.posted("Add")
    assert report.verified
    assert report.json["target"] == incoming.object_id
    assert report.json["to"] == [fake.actor_url]
    assert report.json["object"] == {
        "type": "Counts",
        "date": "2026-12-06",
        "actions": 3,
        "byChannel": {"email": 2, "post": 1},
        "lettersDelivered": 0,
        "repliesReceived": 0,
        "supportersReached": 1,
    }
    # Only numbers: nothing about the supporter or the letter leaves.
    text = report.body.decode()
    for secret in ["leak.count", "Ana Lima", "Porto Exemplo", "9b2e", "Uniquename"]:
        assert secret not in text
    assert str(supporter.uuid) not in text and str(supporter.uuid.hex) not in text
    assert counts_report_all(today=TODAY + datetime.timedelta(days=1)) == 1


@pytest.fixture
def two_sections(allow_private: None) -> Iterator[tuple[FakeInstance, FakeInstance]]:
    with (
        fake_instance_serving(name="Section B") as b,
        fake_instance_serving(name="Section C") as c,
    ):
        yield b, c


def _counts(fake: FakeInstance, target: str, actions: int, day: str = "2026-12-06") -> Any:
    obj = {
        "type": "Counts",
        "date": day,
        "actions": actions,
        "byChannel": {"email": actions},
        "lettersDelivered": actions - 1,
        "repliesReceived": 1,
        "supportersReached": actions,
    }
    return fake.activity("Add", obj, target=target, to=[fake.actor_url])


def test_the_origin_adds_up_the_sections_counts(
    demo: None,
    client: Client,
    two_sections: tuple[FakeInstance, FakeInstance],
    staff_client: Callable[..., Any],
) -> None:
    b, c = two_sections
    for section in (b, c):
        _known(section, follower_state="accepted")
    case = Case.objects.get(slug="ua-101-26")
    case_activity_send(case=case, kind="Create")
    target = f"http://127.0.0.1:8000/federation/cases/{case.uuid}"
    assert b.post(client, _counts(b, target, 40)).status_code == 202
    assert c.post(client, _counts(c, target, 25)).status_code == 202
    # A newer report replaces the section's row; an older one arriving late does not.
    assert c.post(client, _counts(c, target, 30, "2026-12-07")).status_code == 202
    assert c.post(client, _counts(c, target, 5, "2026-12-05")).status_code == 202
    rows = {r.instance.name: r.actions for r in SectionCounts.objects.select_related("instance")}
    assert rows == {"Section B": 40, "Section C": 30}

    own = Action.objects.filter(case=case).count()
    page = staff_client("viewer").get(f"/staff/cases/{case.pk}/").content.decode()
    assert 'id="network-counts"' in page
    assert f'<td id="network-actions">{own + 70}</td>' in page
    network = staff_client("viewer", "viewer2").get("/staff/federation/network/")
    row = network.content.decode().split(case.reference, 1)[1].split("</tr>")[0]
    assert "<td>2</td><td>70</td><td>68</td><td>2</td><td>70</td>" in row


def test_counts_for_a_case_the_sender_was_never_sent_are_refused(
    demo: None, client: Client, two_sections: tuple[FakeInstance, FakeInstance]
) -> None:
    b, c = two_sections
    _known(b, follower_state="accepted")
    _known(c, follower_state="none")
    case = Case.objects.get(slug="ua-101-26")
    target = f"http://127.0.0.1:8000/federation/cases/{case.uuid}"
    # A follower that was never sent the case.
    entry = _refused(b.post(client, _counts(b, target, 9)), 403, "not_following")
    assert entry.activity_type == "Add"
    case_activity_send(case=case, kind="Create")
    # An instance that does not follow this one, though it names a case of ours.
    _refused(c.post(client, _counts(c, target, 9)), 403, "not_following")
    # A case that is not ours, or no case at all.
    _refused(b.post(client, _counts(b, f"{b.base}/federation/cases/x", 9)), 403, "not_following")
    # Negative or malformed numbers.
    bad = _counts(b, target, 9)
    bad["object"]["actions"] = -1
    _refused(b.post(client, bad), 422, "invalid_activity")
    bad = _counts(b, target, 9)
    bad["object"]["byChannel"] = {"pigeon": 3}
    _refused(b.post(client, bad), 422, "invalid_activity")
    bad = _counts(b, target, 9)
    bad["object"]["supporterEmails"] = ["someone@example.org"]
    _refused(b.post(client, bad), 422, "invalid_activity")
    assert not SectionCounts.objects.exists()
    case.refresh_from_db()
    assert (case.network_actions, case.network_sections) == (0, 0)
    # Not even the activity is kept.
    assert not Activity.objects.filter(direction="in", kind="Add").exists()


def test_counts_arriving_set_the_network_figures_on_the_public_case_page(
    demo: None, client: Client, two_sections: tuple[FakeInstance, FakeInstance]
) -> None:
    b, c = two_sections
    for section in (b, c):
        _known(section, follower_state="accepted")
    case = Case.objects.get(slug="ua-101-26")
    version = case.version
    page = client.get(f"/cases/{case.slug}/").content.decode()
    assert 'id="network-actions"' not in page  # nobody reported yet
    supporter = supporter_with_history(email="leak.network@example.org")
    Action.objects.create(case=case, supporter=supporter, channel="post", confirmed=True)
    own = Action.objects.filter(case=case).count()
    case_activity_send(case=case, kind="Create")
    target = f"http://127.0.0.1:8000/federation/cases/{case.uuid}"
    assert b.post(client, _counts(b, target, 40)).status_code == 202
    case.refresh_from_db()
    assert (case.network_actions, case.network_sections) == (40, 1)
    assert c.post(client, _counts(c, target, 25)).status_code == 202
    assert c.post(client, _counts(c, target, 30, "2026-12-07")).status_code == 202
    assert c.post(client, _counts(c, target, 5, "2026-12-05")).status_code == 202  # late, older
    case.refresh_from_db()
    assert (case.network_actions, case.network_sections) == (70, 2)
    assert case.version == version  # a figure, not an edit
    page = client.get(f"/cases/{case.slug}/").content.decode()
    facts = page.split('id="network-actions"', 1)[1].split("</div>", 1)[0]
    assert f"{own + 70} actions across the network, from 3 organisations" in facts
    for secret in ["leak.network", "Ana Lima", "Porto Exemplo"]:
        assert secret not in page


def test_the_impact_pages_show_the_network_per_case_and_per_section(
    demo: None,
    client: Client,
    two_sections: tuple[FakeInstance, FakeInstance],
    staff_client: Callable[..., Any],
) -> None:
    b, c = two_sections
    for section in (b, c):
        _known(section, follower_state="accepted")
    case = Case.objects.get(slug="ua-101-26")
    supporter = supporter_with_history(email="leak.impact@example.org")
    Action.objects.create(case=case, supporter=supporter, channel="post", letter="Secret 7c1d")
    own = Action.objects.filter(case=case).count()
    case_activity_send(case=case, kind="Create")
    target = f"http://127.0.0.1:8000/federation/cases/{case.uuid}"
    assert b.post(client, _counts(b, target, 40)).status_code == 202
    assert c.post(client, _counts(c, target, 25)).status_code == 202
    for page in (
        client.get("/impact/").content.decode(),
        staff_client("viewer").get("/staff/impact/").content.decode(),
    ):
        network = page.split('id="network"', 1)[1].split("</section>", 1)[0]
        table = network.split(f'id="network-{case.pk}"', 1)[1].split("</table>", 1)[0]
        rows = {
            row.split("<th", 1)[1].split(">", 1)[1].split("</th>", 1)[0]: row
            for row in table.split("<tr>")[2:]
        }
        assert set(rows) == {case.organisation.name, "Section B", "Section C", "Whole network"}
        assert '<td class="num">40</td>' in rows["Section B"]
        assert f'<td class="num">{own + 65}</td>' in rows["Whole network"]
        # Letters delivered, replies, supporters reached: each section's plus ours.
        assert (
            '<td class="num">39</td><td class="num">1</td><td class="num">40</td>'
            in rows["Section B"]
        )
        for secret in ["leak.impact", "Ana Lima", "Porto Exemplo", "7c1d", str(supporter.uuid)]:
            assert secret not in network
