"""Reading other instances: an address to an actor, an actor document to its key."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from urgent.federation import net, vocab
from urgent.federation.errors import RemoteError
from urgent.federation.keys import key_fingerprint, public_key_pem
from urgent.federation.schemas import ActorIn, PublicKeyIn, actor_parse, origin

ACTOR_MAX_BYTES = 64 * 1024


@dataclass(frozen=True)
class RemoteKey:
    key_id: str
    pem: str
    fingerprint: str
    valid_until: datetime.datetime | None = None

    @property
    def public_key(self) -> ed25519.Ed25519PublicKey:
        return public_key_load(self.pem)


@dataclass(frozen=True)
class RemoteActor:
    actor_url: str
    inbox_url: str
    outbox_url: str
    name: str
    key: RemoteKey
    retired_keys: tuple[RemoteKey, ...] = ()


def public_key_load(pem: str) -> ed25519.Ed25519PublicKey:
    """An Ed25519 public key from PEM; ValueError for anything else."""
    try:
        key = load_pem_public_key(pem.encode("ascii"))
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        raise ValueError("publicKeyPem is not a PEM public key") from exc
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise ValueError("the key must be an Ed25519 key")
    return key


def _key(entry: PublicKeyIn) -> RemoteKey:
    key = public_key_load(entry.publicKeyPem)
    return RemoteKey(
        key_id=entry.id,
        pem=public_key_pem(key),
        fingerprint=key_fingerprint(key),
        valid_until=entry.validUntil,
    )


def actor_from_document(body: bytes, *, url: str) -> RemoteActor:
    """Check an actor document fetched from `url`; ValueError with the reason otherwise."""
    actor = actor_parse(body)
    if actor.id != url:
        raise ValueError(f"the document says it is {actor.id}, not {url}")
    return actor_from_parsed(actor)


def actor_from_parsed(actor: ActorIn) -> RemoteActor:
    """The actor with its keys loaded; ValueError when a key is not an Ed25519 key."""
    return RemoteActor(
        actor_url=actor.id,
        inbox_url=actor.inbox,
        outbox_url=actor.outbox or "",
        name=actor.name or urlsplit(actor.id).netloc,
        key=_key(actor.publicKey),
        retired_keys=tuple(_key(k) for k in actor.retiredKeys),
    )


def _json_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in {vocab.ACTIVITY_JSON, "application/ld+json", "application/json"}


def actor_fetch(url: str) -> RemoteActor:
    """Fetch and check another instance's actor document; RemoteError says what is wrong."""
    response = net.http_signed(
        method="GET", url=url, accept=vocab.ACTIVITY_JSON, max_bytes=ACTOR_MAX_BYTES
    )
    if response.status in {301, 302, 303, 307, 308}:
        raise RemoteError(
            f"{url} redirects elsewhere; enter the address it redirects to.", code="redirect"
        )
    if response.status != 200:
        raise RemoteError(f"{url} answered with status {response.status}.", code="bad_answer")
    if not _json_type(response.content_type):
        raise RemoteError(
            f"{url} did not answer with an actor document ({response.content_type or 'no type'}).",
            code="bad_answer",
        )
    try:
        return actor_from_document(response.body, url=url)
    except ValueError as exc:
        raise RemoteError(
            f"{url} is not an Urgent instance's actor document: {exc}", code="bad_answer"
        ) from exc


def address_to_actor_url(address: str) -> str:
    """What staff type (a host, a site address, or an actor URL) as an actor URL."""
    address = address.strip()
    if not address:
        raise RemoteError("Enter the address of the instance.", code="bad_address")
    if "://" not in address:
        host = address.rsplit("@", 1)[-1].strip("/")
        address = f"https://{host}"
    net.url_check(address)
    parts = urlsplit(address)
    if parts.path.strip("/") or parts.query:
        return address
    site = f"{parts.scheme}://{parts.netloc}"
    response = net.http_signed(
        method="GET",
        url=f"{site}/.well-known/urgent",
        accept="application/json",
        max_bytes=ACTOR_MAX_BYTES,
    )
    if response.status != 200:
        raise RemoteError(
            f"{site} does not look like an Urgent instance "
            f"(/.well-known/urgent answered with status {response.status}).",
            code="not_urgent",
        )
    try:
        actor = json.loads(response.body)["actor"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RemoteError(f"{site}/.well-known/urgent names no actor.", code="not_urgent") from exc
    if not isinstance(actor, str) or origin(actor) != origin(site):
        raise RemoteError(f"{site}/.well-known/urgent names an actor elsewhere.", code="not_urgent")
    return actor
