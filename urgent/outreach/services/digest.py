"""The weekly digest: one mailing per ISO week for supporters who chose "once a week"."""

from __future__ import annotations

import datetime
import hashlib
from collections import defaultdict
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urgent.cases.models import Case, Update
from urgent.mailings.models import Mailing
from urgent.mailings.services import mailing_audience_add, mailing_create, mailing_start
from urgent.outreach.models import Notice
from urgent.outreach.selectors import alert_audience, case_context, case_url, followers
from urgent.supporters.models import Supporter

DIGEST_WINDOW = datetime.timedelta(days=7)

# item name ("c12", "u7") -> (section, what the template shows)
Items = dict[str, tuple[str, dict[str, Any]]]
Wants = dict[int, set[str]]


def _cases_collect(*, since: datetime.datetime, now: datetime.datetime) -> tuple[Items, Wants]:
    """The week's published cases, and which weekly readers each matches."""
    items: Items = {}
    wants: Wants = defaultdict(set)
    # A stopped case is left out: nothing naming its people leaves while it is stopped.
    for case in Case.objects.filter(
        status=Case.Status.ACTIVE,
        actions_stopped=False,
        published_at__gte=since,
        published_at__lt=now,
    ):
        context = case_context(case, case.language)
        items[f"c{case.pk}"] = (
            "cases",
            {k: context[k] for k in ("reference", "headline", "country_name", "url")},
        )
        for pk in alert_audience(case=case, weekly=True).values_list("pk", flat=True):
            wants[pk].add(f"c{case.pk}")
    return items, wants


def _updates_collect(
    *, since: datetime.datetime, now: datetime.datetime, items: Items, wants: Wants
) -> None:
    """The week's Further Information, for weekly readers who follow each case."""
    for update in Update.objects.filter(
        published_at__gte=since, published_at__lt=now, case__actions_stopped=False
    ).select_related("case"):
        items[f"u{update.pk}"] = (
            "updates",
            {
                "reference": update.case.reference,
                "title": update.title,
                "url": case_url(update.case),
            },
        )
        acted, subscribed = followers(case=update.case, weekly=True)
        for pk in acted.union(subscribed).values_list("pk", flat=True):
            wants[pk].add(f"u{update.pk}")


def _variants(items: Items, wants: Wants) -> tuple[dict[str, dict[str, Any]], dict[str, list[int]]]:
    """Each distinct set of items becomes one variant; supporters grouped by variant."""
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
    return variants, groups


def _digest_mailing(
    *, week: str, variants: dict[str, dict[str, Any]], groups: dict[str, list[int]]
) -> Mailing:
    mailing = mailing_create(
        kind=Mailing.Kind.DIGEST,
        key=f"digest:{week}",
        name=_("Weekly digest %(week)s") % {"week": week},
        template_prefix="mailings/digest",
        context={"week": week, "variants": variants},
    )
    if mailing.state != Mailing.State.DRAFT:
        return mailing  # made before this week's notice was (a data directory from before)
    for variant, ids in groups.items():
        for start in range(0, len(ids), 500):
            mailing_audience_add(
                mailing=mailing,
                supporters=Supporter.objects.filter(pk__in=ids[start : start + 500]),
                variant=variant,
            )
    mailing_start(mailing=mailing)
    return mailing


@transaction.atomic
def digest_weekly_schedule(*, now: datetime.datetime | None = None) -> Mailing | None:
    """One digest for weekly supporters: the week's matching cases and news they follow.

    Safe to call as often as wanted (a sweep does, every few seconds): the week's Notice
    row is written first, so the digest is decided once per ISO week, and a week with
    nothing to say is not reconsidered. Each supporter's set of items is a variant of the
    one mailing.
    """
    now = now or timezone.now()
    year, number, _day = now.isocalendar()
    week = f"{year}-W{number:02d}"
    existing = Notice.objects.filter(key=f"digest:{week}").select_related("mailing").first()
    if existing is not None:
        return existing.mailing
    try:
        with transaction.atomic():
            notice = Notice.objects.create(key=f"digest:{week}", purpose=Notice.Purpose.DIGEST)
    except IntegrityError:
        return Notice.objects.select_related("mailing").get(key=f"digest:{week}").mailing
    since = now - DIGEST_WINDOW
    items, wants = _cases_collect(since=since, now=now)
    _updates_collect(since=since, now=now, items=items, wants=wants)
    if not wants:
        notice.note = "nothing sent: no weekly reader had news this week"
        notice.save(update_fields=["note", "updated_at"])
        return None
    variants, groups = _variants(items, wants)
    notice.mailing = _digest_mailing(week=week, variants=variants, groups=groups)
    notice.save(update_fields=["mailing", "updated_at"])
    return notice.mailing
