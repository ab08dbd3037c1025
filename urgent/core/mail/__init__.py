"""The one way a single email is sent: a subject, a text and an HTML template.

Bulk mail (alerts, updates, outcomes) goes through `urgent.mailings`; this is for messages
to one person (confirmations, replies, letters) and is called on commit by services.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils import translation


def _render_plain(name: str, context: Mapping[str, Any]) -> str:
    # Plain-text parts are not HTML: no escaping, or "<Ana>" would arrive as "&lt;Ana&gt;".
    template = get_template(name)
    return str(template.template.render(Context(dict(context), autoescape=False)))  # type: ignore[attr-defined]


def mail_render(
    *, template_prefix: str, context: Mapping[str, Any], language: str | None = None
) -> tuple[str, str, str | None]:
    """Render `<prefix>.subject.txt`, `<prefix>.txt` and, when present, `<prefix>.html`."""
    ctx = {"base_url": settings.URGENT_BASE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = " ".join(_render_plain(f"{template_prefix}.subject.txt", ctx).split())
        text = _render_plain(f"{template_prefix}.txt", ctx)
        try:
            html: str | None = render_to_string(f"{template_prefix}.html", ctx)
        except TemplateDoesNotExist:
            html = None
    return subject, text, html


def mail_send(
    *,
    to: Sequence[str],
    template_prefix: str,
    context: Mapping[str, Any],
    language: str | None = None,
    cc: Sequence[str] = (),
    reply_to: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
    from_email: str | None = None,
    attachments: Sequence[tuple[str, bytes, str]] = (),
    return_path: str | None = None,
) -> int:
    """Render and send one message; returns 1 when the backend accepted it.

    Header values with CR or LF are refused by Django (BadHeaderError), so text that came
    from outside can never add a header. `return_path` is the envelope sender, where bounce
    reports go (a letter's signed VERP address); the SMTP backend uses it, others ignore it.
    """
    subject, text, html = mail_render(
        template_prefix=template_prefix, context=context, language=language
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_email or settings.URGENT_FROM_EMAIL,
        to=list(to),
        cc=list(cc),
        reply_to=list(reply_to),
        headers=dict(headers or {}),
    )
    if html is not None:
        message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    if return_path:
        bare = tuple(parseaddr(address)[1] for address in message.recipients())
        message.envelope = (return_path, bare)  # type: ignore[attr-defined]
    return message.send()
