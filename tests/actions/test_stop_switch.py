"""The stop switch end to end: once a case is stopped, nothing naming its people leaves.

A mailing about the case is half sent, letters wait by email and by fax, an official's
daily digest is due, a weekly digest is due and a Further Information event waits in the
outbox. The switch is thrown; every sweep and worker then runs against a real SMTP server
and a fake fax service on loopback; nothing leaves. Lifting the switch lets it all go.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from tests.actions.conftest import Smtp
from tests.actions.fakefax import FakeFax, fake_fax
from tests.actions.helpers import case as demo_case
from tests.actions.helpers import confirmed_letter
from urgent.actions.models import DigestTarget, LetterDelivery
from urgent.actions.services import deliveries_send_due
from urgent.actions.services.delivery import _letter_send, _letters_load, deliveries_claim
from urgent.cases.models import Case, CaseTarget
from urgent.cases.services import case_stop_switch, update_post
from urgent.core.queue import QueueHold
from urgent.core.roles import roles_ensure
from urgent.core.sweeps import sweeps_find
from urgent.mailings.engine import mailing_run
from urgent.mailings.models import Delivery, Mailing
from urgent.outreach.models import Notice
from urgent.outreach.selectors import alert_audience
from urgent.outreach.services import case_alert_schedule, case_events_drain
from urgent.supporters.models import Subscription, Supporter

pytestmark = pytest.mark.django_db


__all__ = ["fake_fax"]


@pytest.fixture
def publisher(db: None) -> User:
    roles_ensure()
    user = User.objects.create_user("publisher-user", is_staff=True)
    user.groups.add(Group.objects.get(name="coordinator"))
    return user


def readers(count: int, *, weekly: bool = False) -> list[Supporter]:
    people = []
    for n in range(count):
        supporter = Supporter.objects.create(
            email=f"{'w' if weekly else 'r'}{n}@example.net",
            name=f"Reader {n}",
            status=Supporter.Status.ACTIVE,
            frequency=Supporter.Frequency.WEEKLY if weekly else Supporter.Frequency.EVERY_CASE,
        )
        Subscription.objects.create(
            supporter=supporter, kind=Subscription.Kind.NEW_CASES, confirmed_at=timezone.now()
        )
        people.append(supporter)
    return people


def run_everything() -> None:
    """What the worker does in a few rounds: every sweep, then the tasks they would wake."""
    for _round in range(2):
        for sweep in sweeps_find():
            sweep()
        case_events_drain()
        deliveries_send_due()
        for mailing_id in Mailing.objects.filter(state=Mailing.State.SENDING).values_list(
            "id", flat=True
        ):
            mailing_run(mailing_id=mailing_id)


def test_stop_switch_stops_everything_naming_the_person(
    demo: None, smtp: Smtp, fake_fax: FakeFax, publisher: User, settings: Any
) -> None:
    case = demo_case()
    Case.objects.filter(pk=case.pk).update(published_at=timezone.now())
    readers(6)
    readers(2, weekly=True)
    # An alert mailing about the case, half sent.
    alert = case_alert_schedule(case=case)
    assert alert is not None and alert.state == Mailing.State.SENDING
    rows = list(Delivery.objects.filter(mailing=alert).order_by("id"))
    assert len(rows) >= 6
    early = timezone.now() - datetime.timedelta(minutes=5)
    Delivery.objects.filter(pk__in=[r.pk for r in rows[:2]]).update(status="sent", sent_at=early)
    # One official takes a daily digest: yesterday's letter to them is due now.
    digest_target = CaseTarget.objects.filter(case=case).order_by("id").first()
    assert digest_target is not None
    DigestTarget.objects.create(target=digest_target)
    confirmed_letter("d@example.org")
    LetterDelivery.objects.filter(digest=True).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert LetterDelivery.objects.filter(digest=True).exists()
    # Letters waiting by email and by fax, and a Further Information not yet drained.
    confirmed_letter("a@example.org")
    confirmed_letter("b@example.org", channel="fax")
    update_post(case=case, actor=publisher, title="Moved to another prison", body="Invented.")
    assert LetterDelivery.objects.filter(channel="fax", status="queued").exists()
    assert LetterDelivery.objects.filter(channel="email", status="queued").exists()
    # Two weekly readers would find the case in this week's digest.
    assert alert_audience(case=case, weekly=True).count() == 2
    received_before = len(smtp.received)
    hold_key = f"case:{case.uuid.hex}"

    case_stop_switch(
        case=case, actor=publisher, stopped=True, hide_names=True, reason="The family asked"
    )
    assert QueueHold.objects.filter(key=hold_key).exists()
    run_everything()

    assert len(smtp.received) == received_before, [r.rcpt_tos for r in smtp.received]
    assert fake_fax.requests == []
    assert not LetterDelivery.objects.filter(status="sent").exists()
    assert Delivery.objects.filter(status="sent").count() == 2
    assert set(LetterDelivery.objects.values_list("status", flat=True)) == {"held"}
    # The Further Information was decided, and its mailing waits under the same hold.
    update_mailing = Mailing.objects.get(kind=Mailing.Kind.UPDATE)
    assert update_mailing.hold_key == hold_key
    assert not Delivery.objects.filter(mailing=update_mailing, status="sent").exists()
    # A weekly digest due now leaves the stopped case out.
    digest = Mailing.objects.filter(kind=Mailing.Kind.DIGEST).first()
    notice = Notice.objects.get(purpose=Notice.Purpose.DIGEST)
    assert digest is None and notice.note.startswith("nothing sent"), notice.note

    page_rows = staff_stop_summary(case)
    assert page_rows["Letters to officials by email"] == ("0", "0", "0", "4")
    assert page_rows["Letters to officials by fax"] == ("0", "0", "0", "2")
    assert page_rows["Emails to supporters about the case"][:3] == ("2", "0", "0")

    case_stop_switch(case=case, actor=publisher, stopped=False, hide_names=False, reason="Agreed")
    assert not QueueHold.objects.filter(key=hold_key).exists()
    run_everything()
    # Yesterday's digest letter went in the digest; today's waits for tomorrow's.
    assert LetterDelivery.objects.filter(channel="email", status="sent").count() == 3
    assert LetterDelivery.objects.filter(digest=True, status="sent").get().digest_message_id
    assert LetterDelivery.objects.filter(channel="fax", status="sending").count() == 2
    assert not Delivery.objects.filter(mailing__in=[alert, update_mailing], status="queued")


def staff_stop_summary(case: Case) -> dict[str, tuple[str, ...]]:
    """The "what had already left" table of the staff case page, row by row."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from lxml import html

    user = User.objects.get(username="publisher-user")
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    page = html.fromstring(client.get(f"/staff/cases/{case.pk}/").content)
    return {
        row.xpath("string(th)").strip(): tuple(c.text_content().strip() for c in row.xpath("td"))
        for row in page.xpath('//table[@id="stop-summary"]/tbody/tr')
    }


def test_a_batch_claimed_before_the_stop_sends_nothing_after_it(
    demo: None, smtp: Smtp, publisher: User
) -> None:
    confirmed_letter("a@example.org")
    ids = deliveries_claim(limit=10)
    assert len(ids) == 2
    rows = _letters_load(ids)
    case = demo_case()
    case_stop_switch(case=case, actor=publisher, stopped=True, hide_names=False, reason="Asked")
    outcomes = [_letter_send(row) for row in rows]
    assert [o.kind for o in outcomes] == ["held", "held"]
    assert smtp.received == []
