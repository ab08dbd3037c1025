"""Shortcuts the action tests share: take a demo case, write a letter, confirm it."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from urgent.actions import pow
from urgent.actions.models import PendingLetter
from urgent.cases.models import Case
from urgent.supporters.models import Supporter

LETTER = (
    "Dear President,\n\nI am writing to you about Daniyar Orazmyradov.\n\n"
    "I respectfully urge you to:\n– Disclose at once his fate and whereabouts.\n\n"
    "Yours sincerely,"
)


def solved() -> str:
    return pow.challenge_solve(pow.challenge_new(max_number=1000))


def compose_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "language": "en",
        "subject": "Concerning Daniyar Orazmyradov",
        "letter": LETTER,
        "personal": "I am a nurse in Lyon.",
        "name": "Ana Example",
        "city": "Lyon",
        "country": "FR",
        "email": "ana@example.org",
        "channel": "email",
        "website": "",
        "altcha": solved(),
    }
    data.update(overrides)
    return data


def confirm_link(body: str) -> str:
    """The path of the confirmation link in a message body."""
    match = re.search(r"/act/confirm/[^\s/]+/", body)
    assert match, body
    return match.group(0)


def write_and_confirm(
    client: Client, *, slug: str = "ua-101-26", **overrides: Any
) -> PendingLetter:
    response = client.post(f"/act/{slug}/", compose_data(**overrides))
    assert response.status_code == 200, response.content.decode()[:2000]
    pending = PendingLetter.objects.latest("id")
    from urgent.actions.services import letter_confirm_url

    path = "/" + letter_confirm_url(pending).split("://", 1)[1].split("/", 1)[1]
    response = client.post(path)
    assert response.status_code == 200, response.content.decode()[:2000]
    pending.refresh_from_db()
    return pending


def case(slug: str = "ua-101-26") -> Case:
    return Case.objects.get(slug=slug)


def confirmed_letter(email: str, *, slug: str = "ua-101-26", channel: str = "email") -> Any:
    """A letter confirmed by a new supporter, straight through the services."""
    from urgent.actions.services import letter_confirm

    supporter = Supporter.objects.create(email=email, name=email.split("@")[0])
    pending = PendingLetter.objects.create(
        case=case(slug),
        supporter=supporter,
        channel=channel,
        subject="Concerning Daniyar Orazmyradov",
        letter=LETTER + "\n" + supporter.name,
        language="en",
        signature=supporter.name,
    )
    return letter_confirm(pending=pending).action
