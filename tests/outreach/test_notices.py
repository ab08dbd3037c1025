"""Who gets what: alerts by preference, updates and outcomes to followers, weekly digests."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from urgent.actions.models import Action
from urgent.cases.models import Case, CaseTranslation, Outcome, Theme, Update
from urgent.core.models import Organisation
from urgent.mailings.models import Delivery, Mailing
from urgent.outreach import services
from urgent.supporters.models import Subscription, Supporter

pytestmark = pytest.mark.django_db

_n = iter(range(1, 10_000))


def person(*, new_cases: bool = True, themes: tuple[Theme, ...] = (), **fields: Any) -> Supporter:
    n = next(_n)
    values: dict[str, Any] = {
        "email": f"p{n}@example.org",
        "name": f"Person {n}",
        "status": Supporter.Status.ACTIVE,
        "language": "en",
    }
    values.update(fields)
    supporter = Supporter.objects.create(**values)
    supporter.themes.set(themes)
    if new_cases:
        Subscription.objects.create(
            supporter=supporter, kind=Subscription.Kind.NEW_CASES, confirmed_at=timezone.now()
        )
    return supporter


@pytest.fixture
def world() -> dict[str, Any]:
    org = Organisation.objects.create(name="Invented Section", slug="invented")
    death = Theme.objects.create(slug="death-penalty", name="Death penalty")
    torture = Theme.objects.create(slug="torture", name="Torture")
    case = Case.objects.create(
        organisation=org,
        reference="UA 7/26",
        slug="ua-7-26",
        headline="Invented man faces execution",
        country="TM",
        language="en",
        story="Mr Example was sentenced after an unfair trial.\n\nMore background.",
        status=Case.Status.ACTIVE,
        published_at=timezone.now(),
        deadline=datetime.date(2026, 12, 30),
    )
    case.themes.set([death])
    case.asks.create(text="Halt the execution", position=0)
    CaseTranslation.objects.create(
        case=case,
        language="fr",
        headline="Un homme inventé risque l'exécution",
        state=CaseTranslation.State.DONE,
    )
    return {"case": case, "death": death, "torture": torture}


def recipients(mailing: Mailing) -> set[str]:
    return {str(e) for e in mailing.deliveries.values_list("supporter__email", flat=True)}


def test_alert_goes_to_matching_preferences_only(world: dict[str, Any]) -> None:
    case = world["case"]
    yes = {
        person(),
        person(countries=["TM"]),
        person(themes=(world["death"],)),
        person(language="fr"),
        person(language="en-GB"),
        person(frequency=Supporter.Frequency.MONTHLY_CAP, monthly_cap=2),
    }
    no = {
        person(countries=["MX"]),
        person(themes=(world["torture"],)),
        person(language="de"),
        person(frequency=Supporter.Frequency.WEEKLY),
        person(status=Supporter.Status.UNSUBSCRIBED),
        person(status=Supporter.Status.BOUNCING),
        person(new_cases=False),
    }
    ended = person()
    ended.subscriptions.update(ended_at=timezone.now())
    no.add(ended)
    # A capped supporter who already had their one mail this month.
    capped = person(frequency=Supporter.Frequency.MONTHLY_CAP, monthly_cap=1)
    earlier = Mailing.objects.create(
        kind="update",
        name="earlier",
        subject="s",
        text_template="t",
        state=Mailing.State.DONE,
        started_at=timezone.now() - datetime.timedelta(days=3),
    )
    Delivery.objects.create(mailing=earlier, supporter=capped, status=Delivery.Status.SENT)
    no.add(capped)

    mailing = services.case_alert_schedule(case=case)

    assert mailing is not None
    assert mailing.kind == Mailing.Kind.ALERT and mailing.state == Mailing.State.SENDING
    assert recipients(mailing) == {s.email for s in yes}
    assert mailing.context["case"]["headline"] == "Invented man faces execution"
    assert mailing.translations["fr"]["context"]["case"]["headline"].startswith("Un homme")
    # Publishing twice (a retried commit) schedules nothing more.
    again = services.case_alert_schedule(case=case)
    assert again is not None and again.pk == mailing.pk
    assert Mailing.objects.filter(kind=Mailing.Kind.ALERT).count() == 1
    assert mailing.deliveries.count() == len(yes)


def test_a_draft_case_alerts_nobody(world: dict[str, Any]) -> None:
    case = world["case"]
    Case.objects.filter(pk=case.pk).update(status=Case.Status.DRAFT)
    person()
    assert services.case_alert_schedule(case=case) is None
    assert not Mailing.objects.exists()


def test_update_goes_to_subscribers_and_those_who_acted(world: dict[str, Any]) -> None:
    case = world["case"]
    acted = person(new_cases=False)
    Action.objects.create(case=case, supporter=acted, channel=Action.Channel.EMAIL)
    subscribed = person(new_cases=False)
    Subscription.objects.create(
        supporter=subscribed, kind="case", case=case, confirmed_at=timezone.now()
    )
    both = person(new_cases=False)
    Action.objects.create(case=case, supporter=both, channel=Action.Channel.POST)
    Subscription.objects.create(supporter=both, kind="case", case=case, confirmed_at=timezone.now())
    stopped = person(new_cases=False)
    Action.objects.create(case=case, supporter=stopped, channel=Action.Channel.FAX)
    Subscription.objects.create(
        supporter=stopped,
        kind="case",
        case=case,
        confirmed_at=timezone.now(),
        ended_at=timezone.now(),
    )
    weekly = person(new_cases=False, frequency=Supporter.Frequency.WEEKLY)
    Action.objects.create(case=case, supporter=weekly, channel=Action.Channel.EMAIL)
    person()  # follows new cases only: not this update

    update = Update.objects.create(
        case=case,
        number=1,
        title="He was moved",
        body="Invented news.",
        issued_on=timezone.localdate(),
        published_at=timezone.now(),
    )
    mailing = services.update_notice_schedule(update=update)

    assert recipients(mailing) == {acted.email, subscribed.email, both.email}
    variants = dict(mailing.deliveries.values_list("supporter__email", "variant"))
    assert variants == {acted.email: "acted", both.email: "acted", subscribed.email: ""}
    assert mailing.unsubscribe_extra == f"case:{case.uuid.hex}"
    assert mailing.context["update"]["title"] == "He was moved"
    assert services.update_notice_schedule(update=update).pk == mailing.pk


def test_outcome_notice_reaches_the_same_people(world: dict[str, Any]) -> None:
    case = world["case"]
    acted = person(new_cases=False)
    Action.objects.create(case=case, supporter=acted, channel=Action.Channel.EMAIL)
    outcome = Outcome.objects.create(
        case=case, kind=Outcome.Kind.SENTENCE_COMMUTED, occurred_on=timezone.localdate()
    )
    mailing = services.outcome_notice_schedule(outcome=outcome)
    assert recipients(mailing) == {acted.email}
    assert mailing.context["outcome"]["label"] == "Sentence commuted"
    assert mailing.context["outcome"]["positive"] is True
    assert mailing.translations["fr"]["context"]["outcome"]["label"]


def test_weekly_supporters_get_one_digest(world: dict[str, Any]) -> None:
    case = world["case"]
    weekly = person(frequency=Supporter.Frequency.WEEKLY)
    weekly_follower = person(new_cases=False, frequency=Supporter.Frequency.WEEKLY)
    Action.objects.create(case=case, supporter=weekly_follower, channel=Action.Channel.EMAIL)
    Update.objects.create(
        case=case,
        number=1,
        title="News",
        body="Invented.",
        issued_on=timezone.localdate(),
        published_at=timezone.now(),
    )
    person()  # every-case supporter: gets alerts, not the digest

    digest = services.digest_weekly_schedule()

    assert digest is not None
    assert digest.kind == Mailing.Kind.DIGEST
    assert recipients(digest) == {weekly.email, weekly_follower.email}
    rows = dict(digest.deliveries.values_list("supporter__email", "variant"))
    first = digest.context["variants"][rows[weekly.email]]
    assert [c["reference"] for c in first["cases"]] == ["UA 7/26"]
    second = digest.context["variants"][rows[weekly_follower.email]]
    assert [u["title"] for u in second["updates"]] == ["News"]
    assert services.digest_weekly_schedule() == digest
