"""Staff views of what was sent to each official and contact point, and what happened.

Behind the one staff gate (sign-in, second factor, a role that may view).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from urgent.actions import selectors
from urgent.actions.letters import signers_mask
from urgent.actions.models import OfficialReply
from urgent.core.access import staff_required
from urgent.core.roles import SEND, role_can
from urgent.officials.models import ContactPoint


@staff_required()
def official_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "actions/staff/official_list.html",
        {"officials": selectors.official_list_for_staff()},
    )


@staff_required()
def official_detail(request: HttpRequest, uuid: object) -> HttpResponse:
    official = selectors.official_for_staff(uuid=str(uuid))
    if official is None:
        raise Http404("No such official.")
    return render(
        request,
        "actions/staff/official_detail.html",
        {
            "official": official,
            "deliveries": selectors.deliveries_for_staff(official=official),
            "replies": _replies_shown(request, selectors.replies_for_staff(official=official)),
        },
    )


def _replies_shown(request: HttpRequest, replies: list[OfficialReply]) -> list[OfficialReply]:
    """Replies as this reader may see them: below coordinator, a reply quoting the letter
    shows "(name hidden)" where the supporter signed (names are not a viewer's business)."""
    if role_can(request.user, SEND):
        return replies
    for reply in replies:
        letter = reply.delivery
        ids = [letter.message_id, letter.digest_message_id] if letter is not None else []
        signers = selectors.letter_signers(message_ids=ids)
        reply.text = signers_mask(reply.text, signers, mask=_("(name hidden)"))
        reply.subject = signers_mask(reply.subject, signers, mask=_("(name hidden)"))
    return replies


@staff_required()
def contact_point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_object_or_404(ContactPoint.objects.select_related("official"), pk=pk)
    return render(
        request,
        "actions/staff/contact_point_detail.html",
        {"point": point, "deliveries": selectors.deliveries_for_staff(contact_point=point)},
    )
