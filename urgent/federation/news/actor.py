"""The news actor's documents (actor, WebFinger) and its posts: a `Note` for a new case,
each Further Information and the outcome, and a `Delete` of them when action stops."""

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
    """A text's opening, as a summary: its first paragraph, at most 400 characters."""
    first = text.strip().split("\n\n", 1)[0]
    return Truncator(" ".join(first.split())).chars(400)


def case_note_id(case: Case) -> str:
    """The id of the first post about a case; later posts answer it."""
    return f"{news_url()}/notes/{case.uuid}"


def note_build(
    *,
    case: Case,
    paragraphs: list[str],
    note_id: str | None = None,
    when: datetime.datetime | None = None,
) -> dict[str, Any]:
    """A `Create` of a public `Note` about a case: the opening of each of `paragraphs` as the
    public page shows it (names withheld when the case hides them, before anything is cut,
    so no name is left half), the link, and the case's language. The
    first post about a case has `case_note_id`; a later one (`note_id`) answers it, so the
    fediverse shows one thread per case. Nothing about supporters; no content warning
    (`summary`) either."""
    page = f"{vocab.base_url()}/cases/{case.slug}/"
    shown = [_first_paragraph(redact(part, case)) for part in paragraphs]
    text = "".join(f"<p>{escape(part)}</p>" for part in shown if part)
    content = f'{text}<p><a href="{escape(page)}">{escape(page)}</a></p>'
    published = (when or datetime.datetime.now(tz=datetime.UTC)).astimezone(datetime.UTC)
    followers = f"{news_url()}/followers"
    note: dict[str, Any] = {
        "id": note_id or case_note_id(case),
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
    if note_id:
        note["inReplyTo"] = case_note_id(case)
    return _activity("Create", note, to=[vocab.PUBLIC], cc=[followers])


def delete_build(*, note_id: str) -> dict[str, Any]:
    """Withdraw a post: servers that follow the standard remove it and keep a tombstone."""
    tombstone = {"id": note_id, "type": "Tombstone"}
    return _activity("Delete", tombstone, to=[vocab.PUBLIC], cc=[f"{news_url()}/followers"])
