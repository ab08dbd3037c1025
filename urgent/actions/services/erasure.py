"""Forgetting a supporter's letters when they erase their data (urgent.outreach asks)."""

from __future__ import annotations

from django.db import transaction

from urgent.actions.models import Action, LetterDelivery, PendingLetter
from urgent.supporters.models import Supporter

# Letters that have not left yet; one in flight (sending) may still go.
_WAITING = (
    LetterDelivery.Status.QUEUED,
    LetterDelivery.Status.DEFERRED,
    LetterDelivery.Status.HELD,
)


@transaction.atomic
def supporter_letters_erase(*, supporter: Supporter) -> int:
    """Blank the letters a supporter wrote and stop those still waiting; returns how many
    letters were stopped. The actions stay (anonymous) so every case's counts stay true."""
    stopped = LetterDelivery.objects.filter(supporter=supporter, status__in=_WAITING).update(
        status=LetterDelivery.Status.CANCELLED, error="cancelled: the supporter erased their data"
    )
    Action.objects.filter(supporter=supporter).update(letter="", subject="", signature="")
    # Letters that waited for this address to be confirmed never became actions.
    PendingLetter.objects.filter(supporter=supporter).delete()
    return int(stopped)
