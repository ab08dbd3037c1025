"""Who hears about what: new-case alerts, Further Information, outcomes, weekly digests."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from urgent.cases.models import (
    Case,
    Outcome,
    Update,
)

logger = logging.getLogger(__name__)


# -- Who hears about what: alerts, Further Information, outcomes, the weekly digest ----------
#
# These decide the audience (a queryset of supporters) and the context; urgent.mailings
# sends. Each mailing has a key, so scheduling the same case, update or week twice finds
# the first mailing instead of mailing everyone again.

_DIGEST_WINDOW = datetime.timedelta(days=7)
_CAP_WINDOW = datetime.timedelta(days=30)


def _case_languages(case: Case) -> set[str]:
    done = case.translations.filter(state="done").values_list("language", flat=True)
    return {case.language.lower(), *(code.lower() for code in done)}


def _case_url(case: Case) -> str:
    from django.conf import settings
    from django.urls import reverse

    return settings.URGENT_BASE_URL + reverse("case_detail", kwargs={"slug": case.slug})


def _case_context(case: Case, language: str) -> dict[str, Any]:
    """What the mailing templates show of a case, in one language (translated when done)."""
    from django.utils import translation
    from django.utils.formats import date_format

    from urgent.core.countries import country_name

    done = case.translations.filter(language=language, state="done").first()
    story = (done.story if done and done.story else case.story).strip()
    with translation.override(language):
        deadline = date_format(case.deadline, "DATE_FORMAT") if case.deadline else ""
    return {
        "reference": case.reference,
        "headline": done.headline if done and done.headline else case.headline,
        "country_name": country_name(case.country, language),
        "url": _case_url(case),
        "asks": (done.asks if done and done.asks else [a.text for a in case.asks.all()]),
        "deadline": deadline,
        "summary": story.split("\n\n")[0][:600],
    }


def _per_language(case: Case, extra: Any = None) -> dict[str, dict[str, Any]]:
    """Context for every site language other than the case's own."""
    from django.conf import settings

    translations = {}
    for code, _name in settings.LANGUAGES:
        if code != case.language:
            context = {"case": _case_context(case, code), **(extra(code) if extra else {})}
            translations[code] = {"context": context}
    return translations


def case_alert_languages(*, case: Case) -> list[str]:
    """The languages a case's alert goes out in: its own, then each finished translation."""
    return [case.language.lower(), *sorted(_case_languages(case) - {case.language.lower()})]


def case_alert_audience(*, case: Case, weekly: bool = False) -> Any:
    """The supporters the case's alert goes to now (or, with `weekly`, in their digest)."""
    return _alert_audience(case=case, weekly=weekly)


def _alert_audience(*, case: Case, weekly: bool, now: datetime.datetime | None = None) -> Any:
    """Active supporters who want new cases like this one, in a language it exists in.

    Country and theme preferences are matched by the supporters' own selector; a region
    is chosen in the preference centre as its countries. Weekly-digest supporters are
    left out (they get the digest) unless `weekly`; a monthly cap counts every mailing the
    supporter was sent or is about to be sent in the last 30 days.
    """
    from django.db.models import Count, OuterRef, Q, Subquery
    from django.db.models.functions import Coalesce

    from urgent.mailings.selectors import deliveries_since
    from urgent.supporters.models import Supporter
    from urgent.supporters.selectors import supporter_new_case_audience

    in_language = Q()
    for code in _case_languages(case):
        in_language |= Q(language__iexact=code) | Q(language__istartswith=f"{code}-")
    audience = Supporter.objects.filter(
        in_language, pk__in=supporter_new_case_audience(case=case).values("pk")
    )
    if weekly:
        return audience.filter(frequency=Supporter.Frequency.WEEKLY)
    recent = (
        deliveries_since(since=(now or timezone.now()) - _CAP_WINDOW)
        .filter(supporter=OuterRef("pk"))
        .order_by()
        .values("supporter")
        .annotate(n=Count("id"))
        .values("n")
    )
    return audience.annotate(recent=Coalesce(Subquery(recent), 0)).filter(
        Q(frequency=Supporter.Frequency.EVERY_CASE)
        | Q(frequency=Supporter.Frequency.MONTHLY_CAP, monthly_cap__isnull=True)
        | Q(frequency=Supporter.Frequency.MONTHLY_CAP, recent__lt=F("monthly_cap"))
    )


def _followers(*, case: Case, weekly: bool = False) -> tuple[Any, Any]:
    """(supporters who acted on the case, supporters subscribed to it).

    Weekly-digest supporters are left out, or are the only ones with `weekly`. Someone
    who ended their subscription to this case hears no more of it, even if they acted on
    it once.
    """
    from django.db.models import Exists, OuterRef, Q

    from urgent.supporters.models import Subscription, Supporter
    from urgent.supporters.selectors import subscription_case_audience

    stopped = Subscription.objects.filter(
        supporter=OuterRef("pk"),
        kind=Subscription.Kind.CASE,
        case=case,
        ended_at__isnull=False,
    )
    digest = Q(frequency=Supporter.Frequency.WEEKLY)
    people = Supporter.objects.filter(digest if weekly else ~digest).exclude(Exists(stopped))
    acted = people.filter(pk__in=Supporter.objects.filter(actions__case=case).values("pk"))
    subscribed = people.filter(pk__in=subscription_case_audience(case=case).values("pk"))
    return acted, subscribed


@transaction.atomic
def case_alert_schedule(*, case: Case) -> Any:
    """Schedule the new-case alert for the supporters whose preferences match; once."""
    from urgent.mailings.models import Mailing
    from urgent.mailings.services import mailing_audience_add, mailing_create, mailing_start

    case = Case.objects.get(pk=case.pk)
    if case.status != Case.Status.ACTIVE:
        return None
    mailing = mailing_create(
        kind=Mailing.Kind.ALERT,
        key=f"alert:{case.uuid}",
        name=_("Alert: %(ref)s") % {"ref": case.reference},
        template_prefix="mailings/alert",
        language=case.language,
        context={"case": _case_context(case, case.language)},
        translations=_per_language(case),
    )
    if mailing.state == Mailing.State.DRAFT:
        mailing_audience_add(mailing=mailing, supporters=_alert_audience(case=case, weekly=False))
        mailing_start(mailing=mailing)
    return mailing


def _followers_schedule(
    *, case: Case, kind: str, key: str, name: str, prefix: str, extra: Any
) -> Any:
    from urgent.mailings.models import Mailing
    from urgent.mailings.services import mailing_audience_add, mailing_create, mailing_start

    mailing = mailing_create(
        kind=kind,
        key=key,
        name=name,
        template_prefix=prefix,
        language=case.language,
        context={
            "case": _case_context(case, case.language),
            **extra(case.language),
            "variants": {"acted": {"acted": True}},
        },
        translations=_per_language(case, extra),
        unsubscribe_extra=f"case:{case.uuid.hex}",
    )
    if mailing.state == Mailing.State.DRAFT:
        acted, subscribed = _followers(case=case)
        # Those who acted first: they keep the "you took action" wording.
        mailing_audience_add(mailing=mailing, supporters=acted, variant="acted")
        mailing_audience_add(mailing=mailing, supporters=subscribed)
        mailing_start(mailing=mailing)
    return mailing


@transaction.atomic
def update_notice_schedule(*, update: Update) -> Any:
    """Send a Further Information to the case's subscribers and everyone who acted on it."""
    from urgent.mailings.models import Mailing

    update = Update.objects.select_related("case").get(pk=update.pk)

    def extra(_language: str) -> dict[str, Any]:
        return {"update": {"number": update.number, "title": update.title, "body": update.body}}

    return _followers_schedule(
        case=update.case,
        kind=Mailing.Kind.UPDATE,
        key=f"update:{update.uuid}",
        name=_("Further information %(n)s: %(ref)s")
        % {"n": update.number, "ref": update.case.reference},
        prefix="mailings/update",
        extra=extra,
    )


@transaction.atomic
def outcome_notice_schedule(*, outcome: Outcome) -> Any:
    """Tell the case's subscribers and everyone who acted on it how the case ended."""
    from django.utils import translation
    from django.utils.formats import date_format

    from urgent.mailings.models import Mailing

    outcome = Outcome.objects.select_related("case").get(pk=outcome.pk)

    def extra(language: str) -> dict[str, Any]:
        with translation.override(language):
            return {
                "outcome": {
                    "label": str(outcome.get_kind_display()),
                    "occurred_on": date_format(outcome.occurred_on, "DATE_FORMAT"),
                    "summary": outcome.summary,
                    "positive": outcome.is_positive,
                }
            }

    return _followers_schedule(
        case=outcome.case,
        kind=Mailing.Kind.OUTCOME,
        key=f"outcome:{outcome.uuid}",
        name=_("Outcome: %(ref)s") % {"ref": outcome.case.reference},
        prefix="mailings/outcome",
        extra=extra,
    )


@transaction.atomic
def digest_weekly_schedule(*, now: datetime.datetime | None = None) -> Any:
    """One digest for weekly supporters: the week's matching cases and news they follow.

    Safe to call as often as wanted (a scheduler, a sweep, cron): one mailing per ISO week.
    Each supporter's set of items is a variant of the one mailing.
    """
    import hashlib
    from collections import defaultdict

    from urgent.mailings.models import Mailing
    from urgent.mailings.services import mailing_audience_add, mailing_create, mailing_start
    from urgent.supporters.models import Supporter

    now = now or timezone.now()
    year, week, _day = now.isocalendar()
    key = f"digest:{year}-W{week:02d}"
    existing = Mailing.objects.filter(key=key).first()
    if existing is not None:
        return existing
    since = now - _DIGEST_WINDOW
    wants: dict[int, set[str]] = defaultdict(set)
    items: dict[str, tuple[str, dict[str, Any]]] = {}
    for case in Case.objects.filter(
        status=Case.Status.ACTIVE, published_at__gte=since, published_at__lt=now
    ):
        context = _case_context(case, case.language)
        items[f"c{case.pk}"] = (
            "cases",
            {k: context[k] for k in ("reference", "headline", "country_name", "url")},
        )
        for pk in _alert_audience(case=case, weekly=True).values_list("pk", flat=True):
            wants[pk].add(f"c{case.pk}")
    for update in Update.objects.filter(
        published_at__gte=since, published_at__lt=now
    ).select_related("case"):
        items[f"u{update.pk}"] = (
            "updates",
            {
                "reference": update.case.reference,
                "title": update.title,
                "url": _case_url(update.case),
            },
        )
        acted, subscribed = _followers(case=update.case, weekly=True)
        for pk in acted.union(subscribed).values_list("pk", flat=True):
            wants[pk].add(f"u{update.pk}")
    if not wants:
        return None
    groups: dict[str, list[int]] = defaultdict(list)
    variants: dict[str, dict[str, Any]] = {}
    for supporter_id, chosen in wants.items():
        names = sorted(chosen)
        variant = hashlib.blake2b(" ".join(names).encode(), digest_size=8).hexdigest()
        if variant not in variants:
            chosen_items: dict[str, list[dict[str, Any]]] = {"cases": [], "updates": []}
            for name in names:
                section, item = items[name]
                chosen_items[section].append(item)
            variants[variant] = chosen_items
        groups[variant].append(supporter_id)
    mailing = mailing_create(
        kind=Mailing.Kind.DIGEST,
        key=key,
        name=_("Weekly digest %(week)s") % {"week": f"{year}-W{week:02d}"},
        template_prefix="mailings/digest",
        context={"week": f"{year}-W{week:02d}", "variants": variants},
    )
    for variant, ids in groups.items():
        for start in range(0, len(ids), 500):
            mailing_audience_add(
                mailing=mailing,
                supporters=Supporter.objects.filter(pk__in=ids[start : start + 500]),
                variant=variant,
            )
    mailing_start(mailing=mailing)
    return mailing


def case_alert_preview(
    *, case: Case, name: str = "Sam Example", language: str | None = None
) -> Any:
    """The alert as one supporter would receive it, rendered by the mailing engine itself.

    In `language` (the case's own by default), as a supporter who reads it is sent it.
    """
    import uuid

    from urgent.mailings.rendering import MailingRenderer, Recipient, TemplateSet
    from urgent.mailings.services import mailing_templates_load

    parts = mailing_templates_load(prefix="mailings/alert")
    language = language or case.language
    sets = {
        code: TemplateSet(
            subject=parts["subject"],
            text=parts["text_template"],
            html=parts["html_template"],
            context={"case": _case_context(case, code)},
        )
        for code in {case.language, language}
    }
    renderer = MailingRenderer(language=case.language, sets=sets, variants={})
    return renderer.render(
        Recipient(
            delivery_id=0,
            supporter_uuid=uuid.uuid4(),
            email="supporter@example.org",
            name=name,
            language=language,
            variant="",
        )
    )
