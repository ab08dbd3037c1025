"""Requests, confirmation, cooldowns, unsubscribing and erasure, on the real database."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from tests.supporters.factories import supporter_with_history
from urgent.cases.models import Case
from urgent.core.vault import email_hash
from urgent.supporters import selectors, services
from urgent.supporters.addresses import AddressRejected
from urgent.supporters.models import Confirmation, Consent, Subscription, Supporter
from urgent.supporters.selectors import supporters_by_email

pytestmark = pytest.mark.django_db

PROFILE = {
    "name": "Ana Lima",
    "city": "Porto Exemplo",
    "country": "PT",
    "language": "en",
    "frequency": "capped",
    "monthly_cap": 4,
    "countries": ["TM"],
    "channels": ["email", "post"],
    "themes": ["torture"],
}


def join(email: str = "ana.lima@example.org", **extra: Any) -> Confirmation | None:
    return services.confirmation_request(
        email=email,
        kind=Confirmation.Kind.JOIN,
        wording="I want to join the urgent-action network.",
        source="web form /join/",
        language="en",
        profile={**PROFILE, **extra},
    )


def confirm_link(message: Any) -> str:
    match = re.search(r"http://\S+/s/confirm/\S+/", message.body)
    assert match, message.body
    return match.group(0)


def test_join_applies_nothing_until_confirmed(
    django_capture_on_commit_callbacks: Any, demo: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        confirmation = join()
    assert confirmation is not None
    supporter = supporters_by_email("ana.lima@example.org").get()
    assert supporter.status == Supporter.Status.PENDING
    assert supporter.name == ""  # typed on a form, not yet proven to be this person's
    assert not supporter.subscriptions.exists()
    assert not Consent.objects.exists()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana.lima@example.org"]
    assert "/s/confirm/" in confirm_link(mail.outbox[0])

    services.confirmation_confirm(confirmation=confirmation)
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.ACTIVE
    assert (supporter.name, supporter.city, supporter.monthly_cap) == (
        "Ana Lima",
        "Porto Exemplo",
        4,
    )
    assert list(supporter.themes.values_list("slug", flat=True)) == ["torture"]
    assert supporter.subscriptions.get().kind == Subscription.Kind.NEW_CASES
    consent = Consent.objects.get()
    assert consent.wording == "I want to join the urgent-action network."
    assert consent.source.startswith("web form /join/")
    assert consent.given_at <= timezone.now()

    # A second press of the button changes nothing and records no second consent.
    services.confirmation_confirm(confirmation=confirmation)
    assert Consent.objects.count() == 1


def test_repeated_sign_up_sends_no_second_mail_within_the_cooldown(
    django_capture_on_commit_callbacks: Any, demo: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = join()
        second = join(name="Someone Else")
    assert len(mail.outbox) == 1
    assert first is not None and second is not None and first.pk == second.pk
    assert second.profile["name"] == "Ana Lima"  # the repeat changed nothing
    Confirmation.objects.update(mailed_at=timezone.now() - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        join()
    assert len(mail.outbox) == 2
    assert Confirmation.objects.count() == 1


def test_an_address_gets_at_most_a_few_mails_a_day(
    django_capture_on_commit_callbacks: Any, demo: None
) -> None:
    for case in Case.objects.filter(status="active"):
        with django_capture_on_commit_callbacks(execute=True):
            services.confirmation_request(
                email="target@example.org",
                kind=Confirmation.Kind.CASE,
                case=case,
                wording="updates",
                source="web",
                language="en",
            )
    for case in Case.objects.filter(status="closed"):
        with django_capture_on_commit_callbacks(execute=True):
            services.confirmation_request(
                email="target@example.org",
                kind=Confirmation.Kind.CASE,
                case=case,
                wording="updates",
                source="web",
                language="en",
            )
    assert Confirmation.objects.count() == 5
    assert len(mail.outbox) == services.MAILS_PER_ADDRESS_PER_DAY
    with django_capture_on_commit_callbacks(execute=True):
        join(email="target@example.org")
    assert len(mail.outbox) == services.MAILS_PER_ADDRESS_PER_DAY


def test_an_active_supporter_signing_up_again_keeps_their_details_until_they_confirm(
    django_capture_on_commit_callbacks: Any, demo: None
) -> None:
    supporter = supporter_with_history()
    with django_capture_on_commit_callbacks(execute=True):
        join(email="ANA.LIMA@example.org", name="Impostor")
    supporter.refresh_from_db()
    assert supporter.name == "Ana Lima"
    assert "already a member" in mail.outbox[0].body
    assert "/s/preferences/" in mail.outbox[0].body


def test_rejected_addresses_create_nothing(demo: None) -> None:
    with pytest.raises(AddressRejected):
        join(email="someone@mailinator.com")
    with pytest.raises(AddressRejected):
        join(email="not an address")
    assert not Supporter.objects.exists()
    assert mail.outbox == []


def test_case_request_subscribes_to_that_case_only(demo: None) -> None:
    case = Case.objects.get(slug="ua-101-26")
    confirmation = services.confirmation_request(
        email="bo@example.org",
        kind=Confirmation.Kind.CASE,
        case=case,
        wording="Send me updates on UA 101/26",
        source="email: x",
        language="fr",
    )
    assert confirmation is not None
    services.confirmation_confirm(confirmation=confirmation)
    supporter = supporters_by_email("bo@example.org").get()
    assert [s.case for s in selectors.supporter_subscriptions(supporter=supporter)] == [case]
    assert list(selectors.subscription_case_audience(case=case)) == [supporter]
    assert supporter not in selectors.supporter_new_case_audience(case=case)
    assert Consent.objects.get().purpose == "case updates: UA 101/26"


def test_unsubscribe_one_case_then_everything(demo: None) -> None:
    supporter = supporter_with_history()
    case = Case.objects.get(slug="ua-101-26")
    assert supporter in selectors.supporter_new_case_audience(case=case)
    services.supporter_unsubscribe(supporter=supporter, case=case, source="test")
    assert not selectors.subscription_case_audience(case=case).exists()
    assert selectors.supporter_has_new_cases(supporter=supporter)

    services.supporter_unsubscribe(supporter=supporter, case=None, source="test")
    supporter.refresh_from_db()
    assert supporter.status == Supporter.Status.UNSUBSCRIBED
    assert not selectors.supporter_subscriptions(supporter=supporter).exists()
    assert not supporter.consents.filter(withdrawn_at__isnull=True).exists()
    assert not selectors.supporter_new_case_audience(case=case).exists()
    # Mail already queued stays queued: the engine cancels it at the row's turn, because
    # the supporter is no longer active (tests/mailings/test_engine.py).
    # Safe to repeat.
    services.supporter_unsubscribe(supporter=supporter, case=None, source="test")


def test_unconfirmed_requests_and_addresses_are_forgotten_after_30_days(
    django_capture_on_commit_callbacks: Any, demo: None
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        stale = join("never.clicked@example.org")
        fresh = join("not.yet@example.org")
        member = supporter_with_history(email="member@example.org")
        asked = services.confirmation_request(
            email="member@example.org",
            kind=Confirmation.Kind.CASE,
            case=Case.objects.get(reference="UA 101/26"),
            wording="Keep me updated.",
            source="web form",
            language="en",
        )
    assert stale and fresh and asked
    month_ago = timezone.now() - datetime.timedelta(days=31)
    Confirmation.objects.filter(pk__in=[stale.pk, asked.pk]).update(created_at=month_ago)
    Supporter.objects.filter(
        email_hash__in=[email_hash("never.clicked@example.org"), email_hash("member@example.org")]
    ).update(created_at=month_ago)

    assert services.unconfirmed_prune(batch=1) == (2, 1)
    assert not supporters_by_email("never.clicked@example.org").exists()
    # A request made last week stays; a member stays whatever they left unconfirmed.
    assert Confirmation.objects.filter(pk=fresh.pk).exists()
    assert Supporter.objects.filter(pk=member.pk, status=Supporter.Status.ACTIVE).exists()
    assert services.unconfirmed_prune() == (0, 0)


def test_housekeeping_sweeps_run_at_most_hourly() -> None:
    from urgent.core.management.commands.worker import sweeps_find
    from urgent.core.sweeps import ratelimit_sweep, sweep_every
    from urgent.supporters.sweeps import unconfirmed_sweep

    assert {ratelimit_sweep, unconfirmed_sweep} <= set(sweeps_find())
    calls: list[int] = []
    sweep = sweep_every(3600)(lambda: calls.append(1))
    sweep()
    sweep()
    assert calls == [1]
