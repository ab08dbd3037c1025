"""Reads for deciding who hears about what: audiences, what a mail says of a case, previews;
and the supporter's right-of-access export, which spans every app that holds their data.

An audience is a queryset of supporters; urgent.mailings sends to it. Country and theme
preferences are matched by the supporters' own selectors.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from urgent.actions.models import LetterDelivery
from urgent.actions.selectors import supporter_actions_export
from urgent.cases.models import Case, CaseEvent
from urgent.cases.text import story_summary
from urgent.core.countries import country_name
from urgent.core.queue import WAITING, Status
from urgent.inbound.selectors import supporter_messages_export
from urgent.mailings.models import Delivery
from urgent.mailings.rendering import MailingRenderer, Recipient, Rendered, TemplateSet
from urgent.mailings.selectors import deliveries_since, supporter_mail_export
from urgent.mailings.services import mailing_templates_load
from urgent.supporters.models import Subscription, Supporter
from urgent.supporters.selectors import (
    subscription_case_audience,
    supporter_new_case_audience,
    supporter_profile_export,
)

# "At most a few a month" counts every mailing sent, or about to be, in this window.
CAP_WINDOW = datetime.timedelta(days=30)

Extra = Callable[[str], dict[str, Any]]


def case_languages(case: Case) -> set[str]:
    done = case.translations.filter(state="done").values_list("language", flat=True)
    return {case.language.lower(), *(code.lower() for code in done)}


def case_url(case: Case) -> str:
    return settings.URGENT_BASE_URL + reverse("case_detail", kwargs={"slug": case.slug})


def case_context(case: Case, language: str) -> dict[str, Any]:
    """What the mailing templates show of a case, in one language (translated when done)."""
    done = case.translations.filter(language=language, state="done").first()
    story = (done.story if done and done.story else case.story).strip()
    with translation.override(language):
        deadline = date_format(case.deadline, "DATE_FORMAT") if case.deadline else ""
    return {
        "reference": case.reference,
        "headline": done.headline if done and done.headline else case.headline,
        "country_name": country_name(case.country, language),
        "url": case_url(case),
        "asks": (done.asks if done and done.asks else [a.text for a in case.asks.all()]),
        "deadline": deadline,
        "summary": story_summary(story, limit=600),
    }


def case_contexts_per_language(case: Case, extra: Extra | None = None) -> dict[str, Any]:
    """Context for every site language other than the case's own."""
    translations = {}
    for code, _name in settings.LANGUAGES:
        if code != case.language:
            context = {"case": case_context(case, code), **(extra(code) if extra else {})}
            translations[code] = {"context": context}
    return translations


def alert_audience(
    *, case: Case, weekly: bool, now: datetime.datetime | None = None
) -> QuerySet[Supporter]:
    """Active supporters who want new cases like this one, in a language it exists in.

    Weekly-digest supporters are left out (they get the digest) unless `weekly`; a monthly
    cap counts every mailing the supporter was sent or is about to be sent in the last 30
    days.
    """
    in_language = Q()
    for code in case_languages(case):
        in_language |= Q(language__iexact=code) | Q(language__istartswith=f"{code}-")
    audience = Supporter.objects.filter(
        in_language, pk__in=supporter_new_case_audience(case=case).values("pk")
    )
    if weekly:
        return audience.filter(frequency=Supporter.Frequency.WEEKLY)
    recent = (
        deliveries_since(since=(now or timezone.now()) - CAP_WINDOW)
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


def followers(
    *, case: Case, weekly: bool = False
) -> tuple[QuerySet[Supporter], QuerySet[Supporter]]:
    """(supporters who acted on the case, supporters subscribed to it).

    Weekly-digest supporters are left out, or are the only ones with `weekly`. Someone
    who ended their subscription to this case hears no more of it, even if they acted on
    it once.
    """
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


def case_alert_languages(*, case: Case) -> list[str]:
    """The languages a case's alert goes out in: its own, then each finished translation."""
    own = case.language.lower()
    return [own, *sorted(case_languages(case) - {own})]


def case_alert_preview(
    *, case: Case, name: str = "Sam Example", language: str | None = None
) -> Rendered:
    """The alert as one supporter would receive it, rendered by the mailing engine itself.

    In `language` (the case's own by default), as a supporter who reads it is sent it.
    """
    language = language or case.language
    parts = mailing_templates_load(prefix="mailings/alert")
    sets = {
        code: TemplateSet(
            subject=parts["subject"],
            text=parts["text_template"],
            html=parts["html_template"],
            context={"case": case_context(case, code)},
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


def supporter_export(*, supporter: Supporter) -> dict[str, Any]:
    """Everything Urgent holds about one supporter, as JSON-ready data (right of access)."""
    return {
        "exported_at": timezone.now().isoformat(),
        **supporter_profile_export(supporter=supporter),
        "actions": supporter_actions_export(supporter=supporter),
        "mail_received": supporter_mail_export(supporter=supporter),
        "mail_sent_to_us": supporter_messages_export(supporter=supporter),
    }


# -- What had already left when a case was stopped ---------------------------------------


def case_stop_summary(*, case: Case) -> dict[str, Any] | None:
    """For a stopped case: per channel, how many messages naming its people had left before
    the stop, how many left after it (a letter already on the wire), how many are in flight
    (a fax the gateway is dialling; it cannot be called back) and how many wait, held.

    None when action on the case is not stopped. Three queries.
    """
    if not case.actions_stopped:
        return None
    stop = (
        CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.STOPPED)
        .order_by("-id")
        .values_list("created_at", flat=True)
        .first()
    )
    stopped_at = stop or case.updated_at
    waiting = [s for s in WAITING if s != Status.SENDING]
    letters = (
        LetterDelivery.objects.filter(case=case)
        .values("channel")
        .annotate(
            before=Count("id", filter=Q(sent_at__lte=stopped_at)),
            after=Count("id", filter=Q(sent_at__gt=stopped_at)),
            sending=Count("id", filter=Q(status=Status.SENDING)),
            waiting=Count("id", filter=Q(status__in=waiting)),
        )
    )
    mail = Delivery.objects.filter(mailing__hold_key=case.hold_key).aggregate(
        before=Count("id", filter=Q(sent_at__lte=stopped_at)),
        after=Count("id", filter=Q(sent_at__gt=stopped_at)),
        sending=Count("id", filter=Q(status=Status.SENDING)),
        waiting=Count("id", filter=Q(status__in=waiting)),
    )
    labels = {"email": _("Letters to officials by email"), "fax": _("Letters to officials by fax")}
    rows = [
        {"channel": labels.get(r["channel"], r["channel"]), **{k: r[k] for k in STOP_COUNTS}}
        for r in sorted(letters, key=lambda r: r["channel"])
    ]
    rows.append({"channel": _("Emails to supporters about the case"), **mail})
    return {"stopped_at": stopped_at, "rows": rows}


STOP_COUNTS = ("before", "after", "sending", "waiting")
