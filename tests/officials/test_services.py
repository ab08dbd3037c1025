"""Contact-point health: bounces counted, bouncing then dead, staff told once."""

from __future__ import annotations

from typing import Any

from django.core import mail

from urgent.core.models import AuditEntry
from urgent.officials.models import ContactPoint, Official
from urgent.officials.services import (
    contact_point_bounce_record,
    contact_point_health_reset,
    contact_point_health_set,
)


def _point(db: None) -> ContactPoint:
    official = Official.objects.create(name="Test Official", country="TM")
    return ContactPoint.objects.create(official=official, kind="email", value="o@example.org")


def test_bouncing_then_dead_then_reset(
    db: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("desk", email="desk@example.org", is_staff=True)
    settings.URGENT_BOUNCES_BEFORE_DEAD = 3
    point = _point(db)
    contact_point_bounce_record(contact_point_id=point.pk, permanent=False, diagnostic="4.x")
    point.refresh_from_db()
    assert (point.health, point.bounce_count) == ("ok", 0)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            contact_point_bounce_record(
                contact_point_id=point.pk, permanent=True, diagnostic="5.1.1", trusted=True
            )
    point.refresh_from_db()
    assert (point.health, point.bounce_count) == ("dead", 4)
    assert len(mail.outbox) == 1  # flagged once, when it died
    assert mail.outbox[0].to == ["desk@example.org"]
    assert "o@example.org" in mail.outbox[0].body
    contact_point_health_reset(contact_point_id=point.pk)
    point.refresh_from_db()
    assert (point.health, point.bounce_count) == ("ok", 0)


def test_bounce_reports_alone_make_a_point_suspect_never_dead(
    db: None, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_user("desk", email="desk@example.org", is_staff=True)
    settings.URGENT_BOUNCES_BEFORE_DEAD = 2
    point = _point(db)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            contact_point_bounce_record(contact_point_id=point.pk, permanent=True, diagnostic="550")
    point.refresh_from_db()
    assert (point.health, point.bounce_count) == ("suspect", 5)
    assert len(mail.outbox) == 1 and "forged" in mail.outbox[0].body
    # Staff confirm it working: counted afresh, and the audit log says who did it.
    contact_point_health_set(contact_point=point, actor=staff, health="ok", note="rang them")
    point.refresh_from_db()
    assert (point.health, point.bounce_count) == ("ok", 0)
    entry = AuditEntry.objects.get(action="contact_point.ok")
    assert entry.before["health"] == "suspect" and entry.after["note"] == "rang them"
