"""The "Take action" block of the case page, and the composer it shares with action pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from urgent.actions import pow, selectors
from urgent.actions.channels import (
    email_addresses,
    phone_entries,
    social_handles,
    social_post,
)
from urgent.actions.fax import fax_gateway
from urgent.actions.forms import country_options, likely_country
from urgent.actions.letters import LANGUAGE_NAMES, letter_compose
from urgent.actions.models import Action
from urgent.cases.models import Case
from urgent.core.countries import country_name

register = template.Library()

CHANNEL_ORDER = ["email", "mail_app", "post", "fax", "phone", "social"]


def composer_context(*, case: Case, request: HttpRequest, form: Any = None) -> dict[str, Any]:
    """Everything the composer shows, from the case as the case page loaded it."""
    refusal = selectors.case_refusal(case)
    languages = selectors.letter_languages(case)
    wanted = request.GET.get("letter_lang", "")
    if form is not None and form.is_bound:
        wanted = form.data.get("language", wanted)
    language = wanted if wanted in languages else languages[0]
    letter = letter_compose(
        source=selectors.letter_source(case=case, language=language), language=language
    )
    targets = list(case.targets.all())
    to, cc = email_addresses(targets)
    has_fax = bool(selectors.case_recipients(case=case, kind="fax")) and fax_gateway() is not None
    counts = selectors.action_counts_by_channel(case=case)
    labels = dict(Action.Channel.choices)
    handles = social_handles(targets)
    ask = next((a.text for a in case.asks.all()), case.headline)
    case_url = settings.URGENT_BASE_URL + reverse("case_detail", args=[case.slug])
    data = form.data if form is not None and form.is_bound else {}
    return {
        "case": case,
        "refusal": refusal,
        "form": form,
        "values": {
            "subject": data.get("subject", letter.subject),
            "letter": data.get("letter", letter.body),
            "personal": data.get("personal", ""),
            "name": data.get("name", ""),
            "city": data.get("city", ""),
            "country": str(data.get("country", "")).upper(),
            "email": data.get("email", ""),
            "initials_only": bool(data.get("initials_only")),
        },
        "language": language,
        "letter_languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in languages],
        "country_name": country_name(case.country, get_language() or "en"),
        "countries": country_options(get_language() or "en"),
        "likely_country": _likely_country(request),
        "has_email": bool(to or cc),
        "has_fax": has_fax,
        "max_chars": settings.URGENT_LETTER_MAX_CHARS,
        "challenge": pow.challenge_json() if not refusal else "",
        "counts": [(labels[c], counts[c]) for c in CHANNEL_ORDER if counts.get(c)],
        "total": sum(counts.values()),
        "phones": phone_entries(targets, now=timezone.now()),
        "handles": handles,
        "post": social_post(handles=[h for h, _l in handles], ask=ask, url=case_url),
        "x_handles": any(label.lower() in {"x", "twitter"} for _h, label in handles),
        "compose_url": reverse("actions_compose", args=[case.slug]),
        "record_url": reverse("actions_record", args=[case.slug]),
        "pack_url": reverse("actions_pack", args=[case.slug]),
    }


def _likely_country(request: HttpRequest) -> tuple[str, str] | None:
    """(code, name) of the country the browser's language suggests, offered first."""
    code = likely_country(request.headers.get("Accept-Language", ""))
    return (code, country_name(code, get_language() or "en")) if code else None


@register.inclusion_tag("actions/take_action.html", takes_context=True)
def take_action(context: template.Context, case: Case) -> dict[str, Any]:
    return composer_context(case=case, request=context["request"])


@register.filter
def urlquote(value: str) -> str:
    from urllib.parse import quote

    return quote(str(value), safe="")
