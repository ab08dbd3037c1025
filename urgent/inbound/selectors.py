"""Reads for routing inbound mail: which case a reference names, which addresses are ours."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from urgent.cases.models import Case
from urgent.core.models import Organisation
from urgent.inbound.models import InboundMessage
from urgent.inbound.subjects import reference_key
from urgent.supporters.models import Supporter
from urgent.supporters.selectors import iso


def updates_addresses() -> set[str]:
    """Addresses that receive "Keep me updated" requests, lower-cased."""
    found = {
        address.lower()
        for address in Organisation.objects.exclude(update_request_email="").values_list(
            "update_request_email", flat=True
        )
    }
    if settings.URGENT_UPDATES_EMAIL:
        found.add(settings.URGENT_UPDATES_EMAIL.lower())
    return found


def case_find_by_reference(*, key: str, recipients: set[str]) -> Case | None:
    """The published case whose reference has this key ("118/21").

    When organisations share a reference, the one whose update address the mail was sent to
    wins, then an active case over a closed one, then the most recent.
    """
    number = key.split("/", 1)[0]
    candidates = [
        case
        for case in Case.objects.filter(
            status__in=[Case.Status.ACTIVE, Case.Status.CLOSED], reference__contains=number
        ).select_related("organisation")
        if reference_key(case.reference) == key
    ]
    if not candidates:
        return None

    def rank(case: Case) -> tuple[bool, bool, str]:
        addressed = case.organisation.update_request_email.lower() in recipients
        return (addressed, case.status == Case.Status.ACTIVE, str(case.issued_on or ""))

    return max(candidates, key=rank)


def case_list_for_reply(*, limit: int = 10) -> list[Case]:
    return list(
        Case.objects.filter(status=Case.Status.ACTIVE).order_by("-issued_on", "-id")[:limit]
    )


def inbound_pending(*, limit: int) -> QuerySet[InboundMessage]:
    """Messages accepted but not routed yet (or whose routing failed), oldest first."""
    return InboundMessage.objects.filter(
        status__in=[InboundMessage.Status.RECEIVED, InboundMessage.Status.FAILED],
        attempts__lt=10,
    ).order_by("received_at", "id")[:limit]


def supporter_messages_export(*, supporter: Supporter) -> list[dict[str, Any]]:
    """The mail a supporter sent us, for their right-of-access export."""
    return [
        {"received_at": iso(m.received_at), "subject": m.subject, "status": m.status}
        for m in InboundMessage.objects.filter(supporter=supporter).order_by("received_at")
    ]
