"""Reads about supporters: signed links, the preference centre, exports and audiences."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from urgent.cases.models import Case
from urgent.core.vault import email_hashes
from urgent.supporters.links import supporter_token_read
from urgent.supporters.models import Confirmation, Subscription, Supporter


def supporters_by_email(email: str) -> QuerySet[Supporter]:
    """The supporter with this address (any case), found through its keyed hash.

    The address itself is sealed in the database; while a key rotation runs, rows may
    still carry the hash under the previous key, so every key's hash is tried.
    """
    return Supporter.objects.filter(email_hash__in=email_hashes(email))


# Names are sealed, so a name search opens them one by one: at most this many, newest first.
NAME_SEARCH_LIMIT = 20000


def supporter_search(text: str) -> list[int]:
    """Ids of supporters whose address is exactly `text`, or whose name contains it.

    An address is found through its keyed hash (exact, any case). A name cannot be
    searched in SQL once sealed: the newest NAME_SEARCH_LIMIT supporters' names are
    opened and compared, case-insensitively.
    """
    text = text.strip()
    if not text:
        return []
    if "@" in text:
        return list(supporters_by_email(text).values_list("pk", flat=True))
    needle = text.casefold()
    named = Supporter.objects.exclude(name="").order_by("-pk").values_list("pk", "name")
    return [pk for pk, name in named[:NAME_SEARCH_LIMIT] if needle in name.casefold()]


def supporter_from_link(*, token: str, purpose: str) -> tuple[Supporter, str] | None:
    """The (not erased) supporter a signed link names, with the link's extra value."""
    read = supporter_token_read(token=token, purpose=purpose)
    if read is None:
        return None
    supporter_uuid, extra = read
    supporter = (
        Supporter.objects.filter(uuid=supporter_uuid)
        .exclude(status=Supporter.Status.ERASED)
        .first()
    )
    return (supporter, extra) if supporter is not None else None


def confirmation_from_link(*, token: str) -> Confirmation | None:
    found = supporter_from_link(token=token, purpose="confirm")
    if found is None:
        return None
    supporter, extra = found
    try:
        confirmation_uuid = uuid.UUID(hex=extra)
    except ValueError:
        return None
    return (
        Confirmation.objects.filter(uuid=confirmation_uuid, supporter=supporter)
        .select_related("supporter", "case")
        .first()
    )


def case_from_link_extra(extra: str) -> Case | None:
    """The case an unsubscribe link's `case:<uuid>` extra names (None for "everything")."""
    kind, _sep, value = extra.partition(":")
    if kind != "case":
        return None
    try:
        case_uuid = uuid.UUID(hex=value)
    except ValueError:
        return None
    return Case.objects.filter(uuid=case_uuid).first()


def supporter_subscriptions(*, supporter: Supporter) -> QuerySet[Subscription]:
    return (
        supporter.subscriptions.filter(ended_at__isnull=True, confirmed_at__isnull=False)
        .select_related("case")
        .order_by("kind", "-created_at")
    )


def supporter_actions(*, supporter: Supporter) -> QuerySet[Any]:
    return supporter.actions.select_related("case").order_by("-created_at")


def supporter_has_new_cases(*, supporter: Supporter) -> bool:
    return supporter_subscriptions(supporter=supporter).filter(kind="new_cases").exists()


def iso(value: Any) -> str | None:
    """A date or time as export data: ISO 8601, or None."""
    return value.isoformat() if value is not None else None


def supporter_profile_export(*, supporter: Supporter) -> dict[str, Any]:
    """What the supporters app holds about one supporter, as JSON-ready data.

    The full right-of-access export (with actions and mail) is composed above, in
    urgent.outreach.selectors.supporter_export.
    """
    return {
        "supporter": {
            "id": str(supporter.uuid),
            "email": supporter.email,
            "name": supporter.name,
            "city": supporter.city,
            "country": supporter.country,
            "language": supporter.language,
            "status": supporter.status,
            "frequency": supporter.frequency,
            "monthly_cap": supporter.monthly_cap,
            "countries": supporter.countries,
            "themes": sorted(supporter.themes.values_list("slug", flat=True)),
            "channels": supporter.channels,
            "bounce_count": supporter.bounce_count,
            "joined_at": iso(supporter.created_at),
            "confirmed_at": iso(supporter.confirmed_at),
        },
        "consents": [
            {
                "purpose": c.purpose,
                "wording": c.wording,
                "source": c.source,
                "given_at": iso(c.given_at),
                "withdrawn_at": iso(c.withdrawn_at),
            }
            for c in supporter.consents.order_by("given_at")
        ],
        "subscriptions": [
            {
                "kind": s.kind,
                "case": s.case.reference if s.case else None,
                "source": s.source,
                "confirmed_at": iso(s.confirmed_at),
                "ended_at": iso(s.ended_at),
            }
            for s in supporter.subscriptions.select_related("case").order_by("created_at")
        ],
        "pending_requests": [
            {
                "kind": c.kind,
                "case": c.case.reference if c.case else None,
                "source": c.source,
                "requested_at": iso(c.created_at),
                "confirmed_at": iso(c.confirmed_at),
            }
            for c in supporter.confirmations.select_related("case").order_by("created_at")
        ],
    }


def subscription_case_audience(*, case: Case) -> QuerySet[Supporter]:
    """Supporters with a confirmed, current subscription to updates on this case."""
    return Supporter.objects.filter(
        status=Supporter.Status.ACTIVE,
        email__isnull=False,
        subscriptions__kind=Subscription.Kind.CASE,
        subscriptions__case=case,
        subscriptions__ended_at__isnull=True,
        subscriptions__confirmed_at__isnull=False,
    ).distinct()


def supporter_new_case_audience(*, case: Case) -> QuerySet[Supporter]:
    """Supporters who asked for new cases and whose country and theme preferences match.

    An empty preference list means "all": a supporter who chose no themes hears about
    every theme.
    """
    theme_ids = list(case.themes.values_list("id", flat=True))
    themes_match = Q(themes__isnull=True) | Q(themes__in=theme_ids)
    return (
        Supporter.objects.filter(
            status=Supporter.Status.ACTIVE,
            email__isnull=False,
            subscriptions__kind=Subscription.Kind.NEW_CASES,
            subscriptions__ended_at__isnull=True,
            subscriptions__confirmed_at__isnull=False,
        )
        # The JSON text holds `"TM"` for Turkmenistan: a text match works on every database.
        .filter(Q(countries=[]) | Q(countries__icontains=f'"{case.country}"'))
        .filter(themes_match)
        .distinct()
    )
