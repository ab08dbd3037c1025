"""Staff views of the local mail folder (outgoing mail when no EMAIL_URL is set)."""

from __future__ import annotations

import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from urgent.core.access import staff_required
from urgent.core.maildir import maildir

_KEY = re.compile(r"^[A-Za-z0-9._,=-]{1,200}$")
_parser = BytesParser(policy=policy.default)


def _summary(key: str, message: EmailMessage) -> dict[str, object]:
    try:
        sent = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        sent = None
    return {
        "key": key,
        "date": sent,
        "from": str(message["From"] or ""),
        "to": str(message["To"] or ""),
        "cc": str(message["Cc"] or ""),
        "subject": str(message["Subject"] or ""),
    }


@staff_required()
def mail_list(request: HttpRequest) -> HttpResponse:
    box = maildir()
    rows = []
    for key in box.iterkeys():
        headers = _parser.parsebytes(box.get_bytes(key), headersonly=True)
        assert isinstance(headers, EmailMessage)
        rows.append(_summary(key, headers))
    rows.sort(key=lambda r: str(r["date"] or ""), reverse=True)
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
    headers = [(name, str(value)) for name, value in message.items()]
    return render(
        request,
        "core/mail_detail.html",
        {
            "mail": _summary(key, message),
            "headers": headers,
            "text": text,
            "attachments": attachments,
        },
    )
