"""The news actor's documents (actor, WebFinger) and its posts: a `Note` per new case."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.utils.html import escape
from django.utils.text import Truncator

from urgent.cases.models import Case
from urgent.cases.templatetags.cases import redact
from urgent.federation import vocab
from urgent.federation.actor import host, instance_name
from urgent.federation.news.cavage import news_public_pem

USERNAME = "cases"
CONTEXTS = [vocab.AS_CONTEXT, vocab.SECURITY_CONTEXT]


def news_url() -> str:
    return f"{vocab.base_url()}/federation/news"


def news_key_id() -> str:
    return f"{news_url()}#main-key"


def news_document() -> dict[str, Any]:
    """A read-only Service actor with an RSA key, as Mastodon expects one."""
    url = news_url()
    return {
        "@context": CONTEXTS,
        "id": url,
        "type": "Service",
        "preferredUsername": USERNAME,
        "name": f"{instance_name()}: urgent actions",
        "summary": f"<p>Each new urgent action of {escape(instance_name())}, with a link to "
        "its page. Read-only: replies and messages are not read.</p>",
        "url": vocab.base_url() + "/",
        "inbox": f"{url}/inbox",
        "outbox": f"{url}/outbox",
        "followers": f"{url}/followers",
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "endpoints": {"sharedInbox": f"{url}/inbox"},
        "publicKey": {"id": news_key_id(), "owner": url, "publicKeyPem": news_public_pem()},
    }


def news_webfinger(resource: str) -> dict[str, Any] | None:
    """The JRD for `acct:cases@<host>` or the news actor's URL; None for anything else."""
    account = f"acct:{USERNAME}@{host()}"
    if resource not in {account, news_url()}:
        return None
    return {
        "subject": account,
        "aliases": [news_url()],
        "links": [
            {"rel": "self", "type": vocab.ACTIVITY_JSON, "href": news_url()},
            {
                "rel": "http://webfinger.net/rel/profile-page",
                "type": "text/html",
                "href": vocab.base_url() + "/",
            },
        ],
    }


def _activity(kind: str, obj: Any, *, to: list[str], cc: list[str] | None = None) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "@context": vocab.AS_CONTEXT,
        "id": f"{news_url()}/activities/{uuid.uuid4()}",
        "type": kind,
        "actor": news_url(),
        "to": to,
    }
    if cc:
        activity["cc"] = cc
    return {**activity, "object": obj}


def accept_build(*, follow: dict[str, Any]) -> dict[str, Any]:
    return _activity("Accept", follow, to=[str(follow["actor"])])


def _first_paragraph(text: str) -> str:
    """The story's opening, as a summary: its first paragraph, at most 400 characters."""
    first = text.strip().split("\n\n", 1)[0]
    return Truncator(" ".join(first.split())).chars(400)


def note_build(*, case: Case) -> dict[str, Any]:
    """A `Create` of a public `Note` for a newly published case: its headline and summary
    as the public page shows them (names withheld when the case hides them), the link, and
    its language. Nothing about supporters; no content warning (`summary`) either."""
    page = f"{vocab.base_url()}/cases/{case.slug}/"
    text = "".join(
        f"<p>{escape(part)}</p>"
        for part in (redact(case.headline, case), _first_paragraph(redact(case.story, case)))
        if part.strip()
    )
    content = f'{text}<p><a href="{escape(page)}">{escape(page)}</a></p>'
    published = (case.published_at or datetime.datetime.now(tz=datetime.UTC)).astimezone(
        datetime.UTC
    )
    followers = f"{news_url()}/followers"
    note = {
        "id": f"{news_url()}/notes/{case.uuid}",
        "type": "Note",
        "attributedTo": news_url(),
        "published": published.isoformat(timespec="seconds"),
        "url": page,
        "to": [vocab.PUBLIC],
        "cc": [followers],
        "content": content,
        "contentMap": {case.language: content},
        "attachment": [],
        "tag": [],
    }
    return _activity("Create", note, to=[vocab.PUBLIC], cc=[followers])
