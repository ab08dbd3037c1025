"""The words of the protocol: contexts, media types, and the JSON-LD context of an urgent action.

Receivers do not fetch contexts: every term below has one fixed meaning, and an activity
whose `@context` is anything but the ActivityStreams context followed by the sender's own
`/federation/context.jsonld` (and, in actor documents, the security context) is refused.
The context is the same document on every instance of this protocol version.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CONTEXT_PATH = "/federation/context.jsonld"
NAMESPACE = "urn:urgent:v1:"
PROTOCOL = "urgent-federation/1"

ACTIVITY_JSON = "application/activity+json"
LD_JSON_PROFILE = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'

# Actor types an instance may have.
ACTOR_TYPES = ("Organization", "Service")


def base_url() -> str:
    return settings.URGENT_BASE_URL.rstrip("/")


def context_url() -> str:
    return base_url() + CONTEXT_PATH


def contexts() -> list[str]:
    return [AS_CONTEXT, context_url()]


def _typed(term: str, kind: str) -> dict[str, str]:
    return {"@id": f"ua:{term}", "@type": f"xsd:{kind}"}


def _container(term: str, container: str) -> dict[str, str]:
    return {"@id": f"ua:{term}", "@container": container}


_PLAIN = (
    "reference headline story background country pronouns visibility role salutation official "
    "honorific title organisation kind value label health language status outcome body counts "
    "fingerprint"
)
_CLASSES = (
    "UrgentAction PersonAtRisk Target Official ContactPoint Outcome FurtherInformation Counts"
)
_INTEGERS = "version number actions lettersDelivered repliesReceived supportersReached reports"

CONTEXT: dict[str, Any] = {
    "@context": {
        "@version": 1.1,
        "ua": NAMESPACE,
        "xsd": "http://www.w3.org/2001/XMLSchema#",
        **{name: f"ua:{name}" for name in _CLASSES.split()},
        **{name: f"ua:{name}" for name in _PLAIN.split()},
        **{name: _typed(name, "integer") for name in _INTEGERS.split()},
        "issued": _typed("issued", "date"),
        "deadline": _typed("deadline", "date"),
        "date": _typed("date", "date"),
        "validUntil": _typed("validUntil", "dateTime"),
        "stopped": _typed("stopped", "boolean"),
        "namesHidden": _typed("namesHidden", "boolean"),
        "themes": _container("themes", "@set"),
        "persons": _container("persons", "@list"),
        "asks": _container("asks", "@list"),
        "targets": _container("targets", "@list"),
        "contactPoints": _container("contactPoints", "@list"),
        "furtherInformation": _container("furtherInformation", "@list"),
        "byChannel": _container("byChannel", "@index"),
        "retiredKeys": _container("retiredKeys", "@set"),
    }
}

# Every term an activity, actor or urgent action may use: ours, and those of ActivityStreams
# and the security vocabulary that this protocol uses.
_AS_TERMS = (
    "@context id type actor object target to cc published updated deleted url attributedTo "
    "name summary inbox outbox preferredUsername publicKey owner publicKeyPem formerType "
    "orderedItems totalItems first last next prev partOf"
)
AS_TERMS = frozenset(_AS_TERMS.split())
TERMS = AS_TERMS | frozenset(k for k in CONTEXT["@context"] if not k.startswith("@"))
