"""Faxes through a local fake HTTP fax service, and through email-to-fax."""

from __future__ import annotations

import base64
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pypdf
import pytest
from django.test import Client

from tests.actions.conftest import Smtp
from tests.actions.helpers import compose_data, confirmed_letter
from urgent.actions.models import FaxTransmission, LetterDelivery
from urgent.actions.services import deliveries_send_due, fax_poll_open
from urgent.actions.services.delivery import fax_callback_url
from urgent.cases.models import CaseTarget


class FakeFaxService:
    """Speaks the JSON fax API of urgent.actions.fax on loopback."""

    def __init__(self) -> None:
        self.faxes: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str, dict[str, Any] | None, str]] = []
        self.fail_with: int | None = None
        self.final_status = "queued"
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, code: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                service.requests.append(
                    ("POST", self.path, body, self.headers.get("Authorization", ""))
                )
                if service.fail_with:
                    self._send(service.fail_with, {"error": "busy"})
                    return
                fax_id = f"fx{len(service.faxes) + 1}"
                service.faxes[fax_id] = {"id": fax_id, "status": service.final_status, "pages": 1}
                self._send(201, {"id": fax_id, "status": "queued"})

            def do_GET(self) -> None:
                service.requests.append(
                    ("GET", self.path, None, self.headers.get("Authorization", ""))
                )
                fax = service.faxes.get(self.path.rsplit("/", 1)[-1])
                self._send(200 if fax else 404, fax or {"error": "unknown"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/faxes"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def fax_service(settings: Any) -> Iterator[FakeFaxService]:
    service = FakeFaxService()
    settings.URGENT_FAX = {
        "kind": "http",
        "url": service.url.replace("://", "://s3cret@"),
        "domain": "",
    }
    yield service
    service.server.shutdown()


def test_fax_is_submitted_then_confirmed_by_callback(
    demo: None, smtp: Smtp, fax_service: FakeFaxService
) -> None:
    action = confirmed_letter("a@example.org", channel="fax")
    deliveries = list(action.deliveries.order_by("role"))
    assert [(d.channel, d.contact_point.value) for d in deliveries] == [
        ("fax", "+1 202 555 0151"),
        ("fax", "+1 212 555 0142"),
    ]
    report = deliveries_send_due()
    assert report.submitted == 2
    method, path, body, auth = fax_service.requests[0]
    assert (method, path, auth) == ("POST", "/v1/faxes", "Bearer s3cret")
    assert body is not None and body["to"] in {"+12125550142", "+12025550151"}
    pdf = pypdf.PdfReader(io.BytesIO(base64.b64decode(body["document"])))
    content = pdf.pages[0].extract_text()
    assert "Fax +1" in content and "Disclose at once" in content
    # Submitted faxes are not sent again while the gateway dials.
    assert deliveries_send_due().submitted == 0
    assert set(LetterDelivery.objects.values_list("status", flat=True)) == {"sending"}

    delivery = LetterDelivery.objects.get(contact_point__value="+1 212 555 0142")
    transmission = FaxTransmission.objects.get(delivery=delivery)
    callback = fax_callback_url(delivery).split("127.0.0.1:8000", 1)[-1]
    client = Client()
    assert (
        client.post(
            callback.replace("/act/fax/status/", "/act/fax/status/x"),
            "{}",
            content_type="application/json",
        ).status_code
        == 403
    )
    response = client.post(
        callback,
        json.dumps({"id": transmission.remote_id, "status": "sent", "pages": 2}),
        content_type="application/json",
    )
    assert response.status_code == 200
    delivery.refresh_from_db()
    transmission.refresh_from_db()
    assert delivery.status == "sent" and delivery.sent_at is not None
    assert transmission.status == "sent" and transmission.pages == 2


def test_lost_callbacks_are_polled_and_failures_dialled_again(
    demo: None, smtp: Smtp, fax_service: FakeFaxService
) -> None:
    fax_service.final_status = "failed"
    confirmed_letter("a@example.org", channel="fax")
    deliveries_send_due()
    FaxTransmission.objects.update(updated_at="2000-01-01T00:00:00Z")
    assert fax_poll_open() == 2
    assert set(FaxTransmission.objects.values_list("status", flat=True)) == {"failed"}
    assert set(LetterDelivery.objects.values_list("status", flat=True)) == {"deferred"}


def test_fax_service_down_defers_and_nothing_is_lost(
    demo: None, smtp: Smtp, fax_service: FakeFaxService
) -> None:
    fax_service.fail_with = 503
    confirmed_letter("a@example.org", channel="fax")
    report = deliveries_send_due()
    assert report.deferred == 2
    rows = LetterDelivery.objects.all()
    assert {r.status for r in rows} == {"deferred"}
    assert all("HTTP 503" in r.error for r in rows)
    fax_service.fail_with = 400
    LetterDelivery.objects.update(next_attempt_at=None, status="queued")
    assert deliveries_send_due().failed == 2


def test_email_to_fax_mails_the_pdf_to_the_number(demo: None, smtp: Smtp, settings: Any) -> None:
    settings.URGENT_FAX = {"kind": "email", "url": "", "domain": "fax.example.org"}
    confirmed_letter("a@example.org", channel="fax")
    assert deliveries_send_due().sent == 2
    sent = smtp.handler.to("12125550142@fax.example.org")
    assert len(sent) == 1
    attachment = next(sent[0].message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"


def test_fax_channel_is_offered_only_with_a_gateway(demo: None, settings: Any) -> None:
    settings.URGENT_FAX = {"kind": "", "url": "", "domain": ""}
    assert 'value="fax"' not in Client().get("/cases/ua-101-26/").content.decode()
    settings.URGENT_FAX = {"kind": "email", "url": "", "domain": "fax.example.org"}
    page = Client().get("/cases/ua-101-26/").content.decode()
    assert 'value="fax"' in page
    response = Client().post("/act/ua-101-26/", compose_data(channel="fax"))
    assert "Check your inbox" in response.content.decode()
    assert CaseTarget.objects.filter(case__slug="ua-101-26").count() == 2
