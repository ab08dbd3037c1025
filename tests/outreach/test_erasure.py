"""The supporter's own data across every app: the right-of-access export, and erasure."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.supporters.factories import supporter_with_history
from urgent.actions.models import Action, LetterDelivery, PendingLetter
from urgent.cases.models import Case
from urgent.core.models import AuditEntry
from urgent.inbound.models import InboundMessage
from urgent.officials.models import Official
from urgent.outreach import selectors, services
from urgent.supporters import selectors as supporter_selectors
from urgent.supporters.links import supporter_token
from urgent.supporters.models import Confirmation, Supporter
from urgent.supporters.selectors import supporters_by_email
from urgent.supporters.services import confirmation_request

pytestmark = pytest.mark.django_db


def join(email: str) -> Confirmation | None:
    return confirmation_request(
        email=email,
        kind=Confirmation.Kind.JOIN,
        wording="I want to join.",
        source="web form /join/",
        language="en",
    )


def test_export_holds_everything_about_the_supporter(demo: None) -> None:
    supporter = supporter_with_history()
    data = selectors.supporter_export(supporter=supporter)
    assert data["supporter"]["email"] == "ana.lima@example.org"
    assert data["supporter"]["name"] == "Ana Lima"
    assert {a["case"] for a in data["actions"]} == {"UA 101/26", "UA 87/26"}
    assert data["actions"][0]["letter"].startswith("Dear President")
    assert {s["case"] for s in data["subscriptions"]} == {None, "UA 101/26"}
    assert data["consents"][0]["wording"] == "I want to join."
    assert {m["status"] for m in data["mail_received"]} == {"sent", "queued"}


def test_erasure_removes_every_personal_field_and_keeps_counts(demo: None) -> None:
    supporter = supporter_with_history()
    case = Case.objects.get(slug="ua-101-26")
    actions_before = Action.objects.filter(case=case).count()
    old_uuid = supporter.uuid
    AuditEntry.objects.create(
        action="supporter.edit",
        object_type="supporters.supporter",
        object_id=str(supporter.pk),
        object_repr="Ana Lima",
        after={"email": "ana.lima@example.org"},
    )

    action = supporter.actions.get(case=case)
    official = Official.objects.get(name="Oraz Baymuradov")
    letter = LetterDelivery.objects.create(
        action=action,
        case=case,
        official=official,
        supporter=supporter,
        contact_point=official.contact_points.get(kind="email"),
        status=LetterDelivery.Status.QUEUED,
        message_id="<letter-erase@urgent.example.org>",
    )

    InboundMessage.objects.create(
        source="smtp",
        digest="0" * 64,
        size=3,
        raw=b"Hi!",
        subject="Keep me updated",
        supporter=supporter,
    )
    PendingLetter.objects.create(
        case=case,
        supporter=supporter,
        channel="email",
        subject="Release him",
        letter="Dear President",
        language="en",
    )

    # Links the supporter holds from earlier mail, really signed; each works until erasure.
    links = {
        purpose: supporter_token(supporter_uuid=old_uuid, purpose=purpose)
        for purpose in ("preferences", "unsubscribe", "confirm")
    }
    for purpose, token in links.items():
        found = supporter_selectors.supporter_from_link(token=token, purpose=purpose)
        assert found is not None and found[0].pk == supporter.pk, purpose

    services.supporter_erase(supporter=supporter)

    letter.refresh_from_db()
    assert letter.status == "cancelled"  # its text is gone: it must not leave
    shell = Supporter.objects.get(pk=supporter.pk)
    assert shell.status == Supporter.Status.ERASED
    assert shell.email is None
    assert (shell.name, shell.city, shell.country, shell.countries, shell.channels) == (
        "",
        "",
        "",
        [],
        [],
    )
    assert shell.uuid != old_uuid
    assert shell.erased_at is not None
    assert not shell.themes.exists()
    assert not shell.consents.exists()
    assert not shell.subscriptions.exists()
    assert not InboundMessage.objects.exists()
    assert not PendingLetter.objects.exists()
    # Actions stay, pointing at the anonymous shell, with their letters blanked.
    assert Action.objects.filter(case=case).count() == actions_before
    assert shell.actions.count() == 2
    assert set(shell.actions.values_list("letter", flat=True)) == {""}
    # Queued mail is stopped; the sent one stays for the mailing's figures, without the address.
    statuses = dict(shell.deliveries.values_list("mailing__name", "status"))
    assert statuses == {"Alert UA 87/26": "sent", "FI UA 101/26": "cancelled"}
    assert set(shell.deliveries.values_list("error", flat=True)) - {
        "cancelled: supporter erased"
    } == {""}
    entry = AuditEntry.objects.get(action="supporter.edit")
    assert (entry.object_repr, entry.after) == ("(erased supporter)", {})
    assert "ana" not in str(list(AuditEntry.objects.values())).lower()
    # Old links no longer reach anyone; the address can join again as a new person.
    for purpose, token in links.items():
        assert supporter_selectors.supporter_from_link(token=token, purpose=purpose) is None
    # Nor does a link signed for the shell's new UUID: an erased supporter has no links.
    for purpose in links:
        token = supporter_token(supporter_uuid=shell.uuid, purpose=purpose)
        assert supporter_selectors.supporter_from_link(token=token, purpose=purpose) is None
    client = Client()
    page = client.get(f"/s/preferences/{links['preferences']}/")
    assert page.status_code == 404 and "ana" not in page.content.decode().lower()
    assert client.post(f"/s/unsubscribe/{links['unsubscribe']}/").status_code == 404
    assert join(email="ana.lima@example.org") is not None
    assert supporters_by_email("ana.lima@example.org").exclude(pk=shell.pk).exists()


def test_erasing_twice_changes_nothing_more(demo: None) -> None:
    supporter = supporter_with_history()
    first = services.supporter_erase(supporter=supporter)
    again = services.supporter_erase(supporter=first)
    assert (again.uuid, again.erased_at) == (first.uuid, first.erased_at)
    assert AuditEntry.objects.filter(action="supporter.erase").count() == 1


def test_erasure_redacts_the_supporter_from_every_audit_entry_that_names_them(
    demo: None,
) -> None:
    supporter = supporter_with_history()
    action = supporter.actions.first()
    assert action is not None and action.letter
    other = AuditEntry.objects.create(action="case.publish", object_repr="UA 101/26")
    # As an admin edit of the letter, a mailing row and a free note recorded them before.
    AuditEntry.objects.create(
        action="admin.change:actions.action",
        object_type="actions.action",
        object_id=str(action.pk),
        object_repr=str(action),
        before={"letter": action.letter, "signature": "Ana Lima"},
        after={"letter": "Dear President, changed", "signature": "A. Lima"},
        ip="192.0.2.9",
    )
    AuditEntry.objects.create(
        action="admin.change:mailings.delivery",
        object_type="mailings.delivery",
        object_id="999",
        before={"supporter_id": supporter.pk, "error": "550 for Ana Lima"},
        after={"supporter_id": supporter.pk, "status": "bounced"},
    )
    AuditEntry.objects.create(
        action="admin.delete:supporters.consent",
        object_type="supporters.consent",
        object_id="998",
        object_repr="consent of ANA.LIMA@example.org",
        before={"wording": "I want to join.", "note": ["from Ana Lima, Curitiba"]},
    )
    services.supporter_erase(supporter=supporter)

    log = json.dumps(list(AuditEntry.objects.values("object_repr", "before", "after", "ip")))
    for personal in ["ana.lima@example.org", "Ana Lima", "Dear President", "192.0.2.9"]:
        assert personal.lower() not in log.lower(), personal
    assert "(erased supporter)" in log
    delivery = AuditEntry.objects.get(object_type="mailings.delivery")
    assert delivery.after == {"supporter_id": supporter.pk, "status": "bounced"}  # kept
    consent = AuditEntry.objects.get(object_type="supporters.consent")
    assert consent.before["wording"] == "I want to join."  # nothing personal: kept
    other.refresh_from_db()
    assert other.object_repr == "UA 101/26"
