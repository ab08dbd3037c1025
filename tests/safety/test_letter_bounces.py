"""Which letters a delivery report marks, and whether it counts on the official's address,
read exactly: one report marks the letter it names (and the letters of a digest that went
as one message) and nothing else; the words staff read; and which mail servers may speak
for an address. A report that marks the wrong letters, or lets any server count bounces on
an official's address, turns a working address dead."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.actions.conftest import Smtp, smtp
from tests.actions.helpers import confirmed_letter
from urgent.actions.models import DigestTarget, LetterDelivery
from urgent.actions.services import deliveries_send_due, digests_send_due, letter_bounce_record
from urgent.actions.services.inbound import bounce_reporter_plausible
from urgent.cases.models import CaseTarget
from urgent.officials.models import ContactPoint

__all__ = ["smtp"]


@pytest.mark.parametrize(
    ("host", "address", "plausible"),
    [
        ("mx1.ministry.example", "desk@ministry.example", True),
        ("ministry.example", "desk@ministry.example", True),
        # Written anyhow: a trailing dot, capitals, an address in angle brackets.
        ("MX1.Ministry.Example.", "desk@ministry.example", True),
        ("mx1.ministry.example", "<Desk@Ministry.Example>", True),
        ("MX.MINISTRY.LUX", "Office@Ministry.LUX.", True),
        ("mx.ministry.lux", "<Office@Ministry.LUX>", True),
        # The domain is what follows the last @, even when the local part quotes one.
        ("mx.ministry.example", '"desk@elsewhere.example"@ministry.example', True),
        ("mx.elsewhere.example", '"desk@elsewhere.example"@ministry.example', False),
        # Look-alikes and strangers.
        ("mx.notministry.example", "desk@ministry.example", False),
        ("ministry.example.evil.example", "desk@ministry.example", False),
        ("", "desk@ministry.example", False),
        ("mx.ministry.example", "", False),
        # A listed relay speaks for every address; an address with no domain for none.
        ("smtp.relay.urgent.example", "desk@ministry.example", True),
        ("relay.urgent.example", "desk@ministry.example", True),
        ("smtp.relay.urgent.example", "desk@", False),
        ("notrelay.urgent.example", "desk@ministry.example", False),
    ],
)
def test_which_servers_may_speak_for_an_address(
    settings: Any, host: str, address: str, plausible: bool
) -> None:
    settings.URGENT_BOUNCE_RELAYS = ["relay.urgent.example"]
    assert bounce_reporter_plausible(host=host, address=address) is plausible


pytestmark = pytest.mark.django_db


def test_the_words_staff_read_on_a_bounced_or_delayed_letter(demo: None, smtp: Smtp) -> None:
    first = confirmed_letter("a@example.org").deliveries.get(role="to")
    second = confirmed_letter("b@example.org").deliveries.get(role="to")
    deliveries_send_due()
    long_words = "550 5.1.1 <mission.tm@example.org> unknown; " + "x" * 3000
    assert letter_bounce_record(
        message_id=first.message_id,
        recipient="<Mission.TM@example.org>",
        permanent=True,
        diagnostic=long_words,
    )
    assert letter_bounce_record(
        message_id=second.message_id,
        recipient="mission.tm@example.org",
        permanent=False,
        diagnostic="452 4.2.2 mailbox full",
    )
    first.refresh_from_db()
    second.refresh_from_db()
    masked = long_words.replace("mission.tm@example.org", "<address>")
    assert (first.status, first.error) == ("bounced", "bounced: " + masked[:1900])
    assert (second.status, second.error) == (
        "deferred",
        "delayed by the receiving server: 452 4.2.2 mailbox full",
    )


def test_a_report_marks_the_letter_it_names_not_the_others_to_that_address(
    demo: None, smtp: Smtp
) -> None:
    first = confirmed_letter("a@example.org").deliveries.get(role="to")
    second = confirmed_letter("b@example.org").deliveries.get(role="to")
    deliveries_send_due()
    assert letter_bounce_record(
        message_id=first.message_id,
        recipient="mission.tm@example.org",
        permanent=True,
        diagnostic="550 5.1.1 unknown",
    )
    statuses = dict(LetterDelivery.objects.filter(role="to").values_list("pk", "status"))
    assert statuses == {first.pk: "bounced", second.pk: "sent"}


def _digest_of_three() -> list[LetterDelivery]:
    """Three letters that went to the embassy in one digest, sent a day after."""
    DigestTarget.objects.create(target=CaseTarget.objects.get(case__slug="ua-101-26", role="copy"))
    for i in range(3):
        confirmed_letter(f"w{i}@example.org")
    deliveries_send_due()
    LetterDelivery.objects.filter(digest=True).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert digests_send_due() == 1
    return list(LetterDelivery.objects.filter(digest=True).order_by("id"))


@pytest.mark.parametrize("found_by", ["return path", "message id"])
def test_a_digest_bounces_as_one_message_and_only_its_letters(
    demo: None, smtp: Smtp, found_by: str
) -> None:
    digest = _digest_of_three()
    later = confirmed_letter("later@example.org").deliveries.get(role="cc")  # in no digest yet
    assert later.digest and not later.digest_message_id
    by_path = found_by == "return path"
    assert letter_bounce_record(
        message_id="" if by_path else digest[0].digest_message_id,
        delivery_id=digest[0].pk if by_path else None,
        recipient="embassy.tm@example.org",
        permanent=True,
        diagnostic="550 gone",
    )
    rows = LetterDelivery.objects.filter(contact_point__value="embassy.tm@example.org")
    assert dict(rows.values_list("pk", "status")) == {
        **{d.pk: "bounced" for d in digest},
        later.pk: "queued",
    }
    # One message, one bounce on the address.
    assert ContactPoint.objects.get(value="embassy.tm@example.org").bounce_count == 1
