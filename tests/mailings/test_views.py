"""Staff pages of mailings: list, progress, and the pause/resume/cancel buttons."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.mailings.conftest import mailing_make, supporter_make
from urgent.core.models import AuditEntry
from urgent.mailings.models import Delivery, Mailing

pytestmark = pytest.mark.django_db


def test_pages_need_a_signed_in_staff_member(client: Client) -> None:
    supporter_make()
    mailing = mailing_make()
    for url in (
        reverse("mailings_staff_list"),
        reverse("mailings_staff_detail", args=[mailing.pk]),
        reverse("mailings_staff_progress", args=[mailing.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"]
    response = client.post(reverse("mailings_staff_act", args=[mailing.pk, "pause"]))
    assert response.status_code == 302
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENDING


def test_list_page_query_count_does_not_grow_with_mailings(
    staff_client: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    client = staff_client("viewer")
    for _ in range(3):
        supporter_make()
    for n in range(12):
        mailing_make(name=f"Mailing {n}")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("mailings_staff_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mailing 11" in body and "0 of 3 sent" in body


def test_detail_shows_progress_without_javascript(staff_client: Callable[..., Any]) -> None:
    client = staff_client("coordinator")
    for _ in range(4):
        supporter_make()
    mailing = mailing_make()
    rows = list(mailing.deliveries.order_by("id"))
    Delivery.objects.filter(pk=rows[0].pk).update(status=Delivery.Status.SENT)
    Delivery.objects.filter(pk=rows[1].pk).update(
        status=Delivery.Status.FAILED, error="refused: 550 5.1.1 no such user"
    )
    response = client.get(reverse("mailings_staff_detail", args=[mailing.pk]))
    body = response.content.decode()
    assert '<progress id="mailing-progress-bar" max="4" value="2">50%</progress>' in body
    assert "refused: 550 5.1.1 no such user" in body
    assert "mailings/progress.js" in body  # live refresh while sending, optional
    assert "Pause" in body and "Cancel the mailing" in body

    data = client.get(reverse("mailings_staff_progress", args=[mailing.pk])).json()
    assert data["total"] == 4 and data["sent"] == 1 and data["failed"] == 1
    assert data["remaining"] == 2 and data["percent"] == 50 and data["state"] == "sending"


def test_pause_resume_cancel_buttons(staff_client: Callable[..., Any]) -> None:
    client = staff_client("coordinator")
    supporter_make()
    mailing = mailing_make()
    act = lambda action: client.post(  # noqa: E731
        reverse("mailings_staff_act", args=[mailing.pk, action]), follow=True
    )
    assert "Paused." in act("pause").content.decode()
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.PAUSED
    assert "Only a mailing that is sending can pause." in act("pause").content.decode()
    act("resume")
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENDING
    act("cancel")
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.CANCELLED
    assert mailing.deliveries.get().status == Delivery.Status.CANCELLED
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert {"mailing.paused", "mailing.sending", "mailing.cancelled"} <= set(actions)
    assert client.get(reverse("mailings_staff_act", args=[mailing.pk, "pause"])).status_code == 405


def test_a_viewer_cannot_press_the_buttons(staff_client: Callable[..., Any]) -> None:
    client = staff_client("viewer")
    supporter_make()
    mailing = mailing_make()
    body = client.get(reverse("mailings_staff_detail", args=[mailing.pk])).content.decode()
    assert "Pause" not in body
    assert client.post(reverse("mailings_staff_act", args=[mailing.pk, "pause"])).status_code == 403


def test_csrf_is_required(staff_client: Callable[..., Any]) -> None:
    client = staff_client("coordinator")
    client.handler.enforce_csrf_checks = True
    supporter_make()
    mailing = mailing_make()
    response = client.post(reverse("mailings_staff_act", args=[mailing.pk, "pause"]))
    assert response.status_code == 403
    mailing.refresh_from_db()
    assert mailing.state == Mailing.State.SENDING


def test_bounced_supporters_addresses_are_hidden_below_coordinator(
    staff_client: Callable[..., Any],
) -> None:
    supporter_make(email="bounced.reader@example.net")
    mailing = mailing_make()
    Delivery.objects.filter(mailing=mailing).update(
        status=Delivery.Status.BOUNCED,
        error="550 5.1.1 <Bounced.Reader@example.net>: mailbox unavailable",
    )
    url = reverse("mailings_staff_detail", args=[mailing.pk])
    for role in ["viewer", "translator", "editor"]:
        body = staff_client(role).get(url).content.decode()
        assert "bounced.reader@example.net" not in body.lower(), role
        assert "550 5.1.1 &lt;(hidden)&gt;: mailbox unavailable" in body, role
    body = staff_client("coordinator").get(url).content.decode()
    assert "bounced.reader@example.net" in body
