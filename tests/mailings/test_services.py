"""Mailing services: checks on creation, audiences, bounces, the worker's sweeps."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.mailings.conftest import mailing_make, supporter_make
from urgent.core.errors import ApplicationError
from urgent.mailings import services
from urgent.mailings.models import Delivery, Mailing
from urgent.supporters.models import Supporter

pytestmark = pytest.mark.django_db


def test_a_broken_template_is_refused_when_the_mailing_is_made() -> None:
    with pytest.raises(ApplicationError) as caught:
        services.mailing_create(
            kind="other", name="x", subject="Hi", text_template="Hello {% if %}"
        )
    assert "The text part does not work as a template" in caught.value.message
    with pytest.raises(ApplicationError, match="subject and a text"):
        services.mailing_create(kind="other", name="x", subject=" ", text_template="Hello")
    with pytest.raises(ApplicationError, match="The subject of the French translation"):
        services.mailing_create(
            kind="other",
            name="x",
            subject="Hi",
            text_template="Hello",
            translations={"fr": {"subject": "{% translate %}"}},
        )
    assert not Mailing.objects.exists()


def test_the_same_key_gives_the_same_mailing() -> None:
    first = services.mailing_create(kind="other", name="a", subject="s", text_template="t", key="k")
    second = services.mailing_create(
        kind="other", name="b", subject="s", text_template="t", key="k"
    )
    assert first.pk == second.pk


def test_audience_takes_active_supporters_once_and_keeps_the_first_variant() -> None:
    keep = supporter_make()
    supporter_make(status=Supporter.Status.PENDING)
    supporter_make(status=Supporter.Status.BOUNCING)
    mailing = mailing_make(start=False, supporters=Supporter.objects.none())
    assert (
        services.mailing_audience_add(
            mailing=mailing, supporters=Supporter.objects.filter(pk=keep.pk), variant="acted"
        )
        == 1
    )
    assert services.mailing_audience_add(mailing=mailing, supporters=Supporter.objects.all()) == 0
    assert list(mailing.deliveries.values_list("supporter_id", "variant")) == [(keep.pk, "acted")]
    with pytest.raises(TypeError):
        services.mailing_audience_add(mailing=mailing, supporters=Mailing.objects.all())  # type: ignore[arg-type]


def test_a_mailing_without_recipients_is_done_at_once() -> None:
    mailing = mailing_make(supporters=Supporter.objects.none())
    assert mailing.state == Mailing.State.DONE


def _message_id(delivery: Delivery) -> str:
    return f"<m{delivery.mailing.uuid.hex}.{delivery.supporter.uuid.hex}@urgent.example.org>"


def test_hard_bounces_mark_the_supporter_bouncing_after_the_limit(settings: Any) -> None:
    settings.URGENT_MAIL_BOUNCE_LIMIT = 2
    person = supporter_make()
    first = mailing_make(name="one")
    second = mailing_make(name="two")
    Delivery.objects.update(status=Delivery.Status.SENT)
    row = first.deliveries.select_related("mailing", "supporter").get()
    for _ in range(2):  # the same report twice counts once
        assert services.mailing_bounce_record(
            message_id=_message_id(row),
            recipient=person.email,
            permanent=True,
            diagnostic="550 5.1.1 no such user",
        )
    row.refresh_from_db()
    person.refresh_from_db()
    assert row.status == Delivery.Status.BOUNCED and "550 5.1.1" in row.error
    assert person.bounce_count == 1 and person.status == Supporter.Status.ACTIVE

    other = second.deliveries.select_related("mailing", "supporter").get()
    assert services.mailing_bounce_record(
        message_id=_message_id(other).upper().replace("<M", "<m"),
        recipient=person.email,
        permanent=True,
        diagnostic="550 gone",
    )
    person.refresh_from_db()
    assert person.bounce_count == 2 and person.status == Supporter.Status.BOUNCING


def test_a_delay_or_an_unknown_message_changes_nothing() -> None:
    person = supporter_make()
    mailing_make()
    Delivery.objects.update(status=Delivery.Status.SENT)
    row = Delivery.objects.select_related("mailing", "supporter").get()
    assert services.mailing_bounce_record(
        message_id=_message_id(row), recipient=person.email, permanent=False, diagnostic="4.4.1"
    )
    row.refresh_from_db()
    assert row.status == Delivery.Status.SENT and row.error == "delayed: 4.4.1"
    assert not services.mailing_bounce_record(
        message_id="<someone-else@example.net>", recipient="x", permanent=True, diagnostic=""
    )
    assert not services.mailing_bounce_record(
        message_id=f"<m{'0' * 32}.{'1' * 32}@x>", recipient="x", permanent=True, diagnostic=""
    )
    person.refresh_from_db()
    assert person.bounce_count == 0


def test_the_worker_finds_and_runs_sweeps(caplog: pytest.LogCaptureFixture) -> None:
    from urgent.core.management.commands.worker import sweeps_find, sweeps_run
    from urgent.mailings.sweeps import mailings_sweep

    assert mailings_sweep in sweeps_find()

    def broken() -> None:
        raise RuntimeError("boom")

    ran: list[str] = []
    with caplog.at_level(logging.ERROR):
        sweeps_run([broken, lambda: ran.append("after")])
    assert ran == ["after"]
    assert "boom" in caplog.text
