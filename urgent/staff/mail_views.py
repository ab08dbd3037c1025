"""Staff views of the local mail folder (outgoing mail when no EMAIL_URL is set).

Here, not in core, because what a reader below coordinator may see depends on the officials
directory: an official's address is public, a supporter's is not.
"""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from urllib.parse import urlsplit

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from urgent.actions.letters import signers_mask
from urgent.actions.selectors import letter_signers
from urgent.core.access import staff_required
from urgent.core.maildir import (
    ADDRESS_HEADERS,
    ENVELOPE_HEADER,
    AddressShown,
    addresses_mask,
    mail_summary,
    maildir,
    maildir_list,
    text_addresses_mask,
)
from urgent.core.roles import SEND, role_can
from urgent.staff.selectors import official_email_addresses

_KEY = re.compile(r"^[A-Za-z0-9._,=-]{1,200}$")
_parser = BytesParser(policy=policy.default)

# A supporter's signed links (confirm, preference centre and what hangs off it, one-click
# unsubscribe, letter confirmation): whoever holds one acts as the supporter.
SIGNED_LINK = re.compile(r"(/(?:s/confirm|s/preferences|s/unsubscribe|act/confirm)/)[^/\s\"'<>]+")
SIGNED_LINK_MASK = "(hidden)"
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def mail_folder_is_production() -> bool:
    """A public instance: its base URL is not plain http on this machine's loopback."""
    parts = urlsplit(settings.URGENT_BASE_URL)
    return not (parts.scheme == "http" and (parts.hostname or "") in _LOCAL_HOSTS)


def signed_links_shown(request: HttpRequest) -> bool:
    """Signed links are shown in full only to a coordinator, on a development instance.

    Everyone below coordinator (viewer, translator, editor) always sees them masked; on a
    production instance every role does, since there the links act for real supporters.
    """
    return role_can(request.user, SEND) and not mail_folder_is_production()


def signed_links_mask(text: str) -> str:
    return SIGNED_LINK.sub(rf"\1{SIGNED_LINK_MASK}", text)


def addresses_shown(request: HttpRequest) -> AddressShown | None:
    """None (show every address) for a coordinator; below, only officials' addresses.

    Supporters' addresses and names are personal data a viewer has no need of; the
    officials' contact points are public on every case page anyway.
    """
    if role_can(request.user, SEND):
        return None
    officials = official_email_addresses()
    return lambda address: address.strip().lower() in officials


@staff_required()
def mail_list(request: HttpRequest) -> HttpResponse:
    rows = maildir_list(shown=addresses_shown(request))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "core/mail_list.html", {"page": page, "total": len(rows)})


@staff_required()
def mail_detail(request: HttpRequest, key: str) -> HttpResponse:
    if not _KEY.match(key):
        raise Http404("No such message.")
    box = maildir()
    try:
        message = _parser.parsebytes(box.get_bytes(key))
    except (KeyError, FileNotFoundError) as exc:
        raise Http404("No such message.") from exc
    assert isinstance(message, EmailMessage)
    body = message.get_body(preferencelist=("plain", "html"))
    text = body.get_content() if body is not None else ""
    attachments = [part.get_filename() or "(unnamed)" for part in message.iter_attachments()]
    headers = [(name, str(value)) for name, value in message.items() if name != ENVELOPE_HEADER]
    if not signed_links_shown(request):
        text = signed_links_mask(text)
        headers = [(name, signed_links_mask(value)) for name, value in headers]
    shown = addresses_shown(request)
    if shown is not None:
        # A letter to an official is signed by a supporter: the name is theirs to keep.
        signers = letter_signers(message_ids=[str(message.get("Message-ID", "")).strip()])
        text = signers_mask(
            text_addresses_mask(text, shown=shown), signers, mask=_("(name hidden)")
        )
        headers = [
            (name, addresses_mask(value, shown=shown) if name.lower() in ADDRESS_HEADERS else value)
            for name, value in headers
        ]
    return render(
        request,
        "core/mail_detail.html",
        {
            "mail": mail_summary(key, message, shown=shown),
            "headers": headers,
            "text": text,
            "attachments": attachments,
        },
    )
