"""Forgetting a supporter's letters when they erase their data (urgent.outreach asks)."""

from __future__ import annotations

from functools import partial

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from urgent.actions.models import Action, LetterDelivery, PendingLetter
from urgent.actions.selectors import supporter_identifiers, supporter_official_replies
from urgent.core.redact import message_redact, text_redact
from urgent.supporters.models import Supporter

# Letters that have not left yet; one in flight (sending) may still go.
_WAITING = (
    LetterDelivery.Status.QUEUED,
    LetterDelivery.Status.DEFERRED,
    LetterDelivery.Status.HELD,
)


def official_replies_redact(*, supporter: Supporter) -> int:
    """Take the supporter out of officials' replies (text and the stored raw message);
    the replies stay as evidence. Returns how many replies were redacted."""
    needles = supporter_identifiers(supporter=supporter)
    replies = list(supporter_official_replies(supporter=supporter))
    for reply in replies:
        reply.text = text_redact(reply.text, needles)
        reply.subject = text_redact(reply.subject, needles)
        old_path = reply.raw_path
        if old_path and default_storage.exists(old_path):
            with default_storage.open(old_path, "rb") as handle:
                raw = handle.read()
            reply.raw_path = default_storage.save(
                old_path, ContentFile(message_redact(raw, needles))
            )
            # Delete the original once the new file is stored and the row points at it;
            # a rollback would leave a stray redacted copy, never a lost original.
            transaction.on_commit(partial(default_storage.delete, old_path))
        reply.save(update_fields=["text", "subject", "raw_path", "updated_at"])
    return len(replies)


@transaction.atomic
def supporter_letters_erase(*, supporter: Supporter) -> int:
    """Blank the letters a supporter wrote and stop those still waiting; returns how many
    letters were stopped. The actions stay (anonymous) so every case's counts stay true.
    Officials' replies to them stay as evidence, without the supporter's address or name."""
    official_replies_redact(supporter=supporter)
    stopped = LetterDelivery.objects.filter(supporter=supporter, status__in=_WAITING).update(
        status=LetterDelivery.Status.CANCELLED, error="cancelled: the supporter erased their data"
    )
    Action.objects.filter(supporter=supporter).update(letter="", subject="", signature="")
    # Letters that waited for this address to be confirmed never became actions.
    PendingLetter.objects.filter(supporter=supporter).delete()
    return int(stopped)
