"""Inbound mail from email services, normalised by django-anymail, at /inbound/<esp>/.

Configure the service to POST to `https://anything:SECRET@your.site/inbound/postmark/`
(HTTP basic auth; the user name is not checked). The endpoint answers 404 while
URGENT_INBOUND_WEBHOOK_SECRET is unset. Services that also sign their webhooks (Mailgun,
Mailjet's, Resend's, ...) are checked with anymail's own settings for them.
"""

from __future__ import annotations

import base64
import binascii
import logging

from anymail.exceptions import AnymailConfigurationError, AnymailWebhookValidationFailure
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare
from django.utils.module_loading import import_string
from django.views.decorators.csrf import csrf_exempt

from urgent.core.client import client_address
from urgent.inbound.services import inbound_accept

logger = logging.getLogger(__name__)

ESP_VIEWS = {
    "amazon_ses": "anymail.webhooks.amazon_ses.AmazonSESInboundWebhookView",
    "brevo": "anymail.webhooks.brevo.BrevoInboundWebhookView",
    "mailersend": "anymail.webhooks.mailersend.MailerSendInboundWebhookView",
    "mailgun": "anymail.webhooks.mailgun.MailgunInboundWebhookView",
    "mailjet": "anymail.webhooks.mailjet.MailjetInboundWebhookView",
    "mailtrap": "anymail.webhooks.mailtrap.MailtrapInboundWebhookView",
    "postal": "anymail.webhooks.postal.PostalInboundWebhookView",
    "postmark": "anymail.webhooks.postmark.PostmarkInboundWebhookView",
    "resend": "anymail.webhooks.resend.ResendInboundWebhookView",
    "sparkpost": "anymail.webhooks.sparkpost.SparkPostInboundWebhookView",
}


def _basic_auth(request: HttpRequest) -> tuple[str, str] | None:
    kind, _sep, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if kind.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def _unauthorised() -> HttpResponse:
    response = HttpResponse(
        "Wrong or missing credentials.\n", status=401, content_type="text/plain"
    )
    response["WWW-Authenticate"] = 'Basic realm="Urgent inbound mail"'
    return response


@csrf_exempt
def webhook(request: HttpRequest, esp: str) -> HttpResponse:
    secret = settings.URGENT_INBOUND_WEBHOOK_SECRET
    if not secret or esp not in ESP_VIEWS:
        raise Http404("No inbound webhook here.")
    credentials = _basic_auth(request)
    if credentials is None or not constant_time_compare(credentials[1], secret):
        return _unauthorised()
    if request.method == "HEAD":
        return HttpResponse()  # some services check the URL with HEAD when it is set up
    if request.method != "POST":
        return HttpResponse("POST only.\n", status=405, content_type="text/plain")
    view_class = import_string(ESP_VIEWS[esp])
    try:
        # Our check above is the basic auth; anymail repeats it with the same credentials
        # and adds the service's own signature check where it has one.
        view = view_class(webhook_secret=[":".join(credentials)])
        view.run_validators(request)
        events = view.parse_events(request)
    except AnymailConfigurationError as exc:
        logger.error("inbound webhook %s is not configured: %s", esp, exc)
        return HttpResponse("Not configured.\n", status=503, content_type="text/plain")
    except AnymailWebhookValidationFailure as exc:
        logger.warning("inbound webhook %s refused: %s", esp, exc)
        return HttpResponse("Refused.\n", status=400, content_type="text/plain")
    except Exception as exc:
        logger.warning("inbound webhook %s sent something unreadable: %s", esp, exc)
        return HttpResponse("Unreadable payload.\n", status=400, content_type="text/plain")
    for event in events:
        message = event.message
        if message is None:
            continue
        if len(message.as_bytes()) > settings.URGENT_INBOUND_MAX_BYTES:
            logger.warning("inbound webhook %s: message over the size limit dropped", esp)
            continue
        recipient = getattr(message, "envelope_recipient", None)
        inbound_accept(
            raw=message.as_bytes(),
            source=f"webhook:{esp}",
            mail_from=getattr(message, "envelope_sender", None) or "",
            rcpt_to=[recipient] if recipient else [],
            peer=client_address(request),
        )
    return HttpResponse("OK\n", content_type="text/plain")
