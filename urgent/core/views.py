"""Staff views of the local mail folder (outgoing mail when no EMAIL_URL is set)."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from urgent.core.access import staff_required
from urgent.core.maildir import ENVELOPE_HEADER, mail_summary, maildir, maildir_list

_KEY = re.compile(r"^[A-Za-z0-9._,=-]{1,200}$")
_parser = BytesParser(policy=policy.default)


@staff_required()
def mail_list(request: HttpRequest) -> HttpResponse:
    rows = maildir_list()
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
    return render(
        request,
        "core/mail_detail.html",
        {
            "mail": mail_summary(key, message),
            "headers": headers,
            "text": text,
            "attachments": attachments,
        },
    )
