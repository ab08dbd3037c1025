"""Invented supporters with history, for supporter tests."""

from __future__ import annotations

from django.utils import timezone

from urgent.actions.models import Action
from urgent.cases.models import Case
from urgent.mailings.models import Delivery, Mailing
from urgent.supporters.models import Consent, Subscription, Supporter


def supporter_with_history(*, email: str = "ana.lima@example.org") -> Supporter:
    """An active supporter with two actions, two subscriptions and mail queued and sent."""
    now = timezone.now()
    supporter = Supporter.objects.create(
        email=email,
        name="Ana Lima",
        city="Porto Exemplo",
        country="PT",
        status=Supporter.Status.ACTIVE,
        confirmed_at=now,
        countries=["TM"],
        channels=["email"],
    )
    case = Case.objects.get(slug="ua-101-26")
    other = Case.objects.get(slug="ua-87-26")
    Subscription.objects.create(
        supporter=supporter, kind=Subscription.Kind.NEW_CASES, confirmed_at=now, source="join"
    )
    Subscription.objects.create(
        supporter=supporter, kind=Subscription.Kind.CASE, case=case, confirmed_at=now, source="web"
    )
    Consent.objects.create(
        supporter=supporter,
        purpose="network: new cases and updates",
        wording="I want to join.",
        source="web form /join/",
        given_at=now,
    )
    for target, channel in ((case, "email"), (other, "post")):
        Action.objects.create(
            case=target,
            supporter=supporter,
            channel=channel,
            letter="Dear President, release him. Ana Lima, Porto Exemplo",
            confirmed=True,
        )
    sent = Mailing.objects.create(
        kind="alert", name="Alert UA 87/26", subject="s", text_template="t"
    )
    queued = Mailing.objects.create(
        kind="update", name="FI UA 101/26", subject="s", text_template="t"
    )
    Delivery.objects.create(
        mailing=sent,
        supporter=supporter,
        status=Delivery.Status.SENT,
        sent_at=now,
        error="250 accepted for ana.lima@example.org",
    )
    Delivery.objects.create(mailing=queued, supporter=supporter, status=Delivery.Status.QUEUED)
    return supporter
