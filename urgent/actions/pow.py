"""Self-hosted proof of work (the ALTCHA protocol) for action forms.

The server signs a challenge; the browser finds the number whose SHA-256 with the salt
matches it (static/actions/pow.js, same origin, no third party) and sends it back. A solved
challenge is stored with what it let in (a unique column), so one solution is worth one
action and a replayed form is refused by the database.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

import altcha
from django.conf import settings
from django.utils import timezone

LIFETIME = datetime.timedelta(hours=3)


def _key() -> bytes:
    return hashlib.sha256(b"urgent.actions.pow\x00" + settings.SECRET_KEY.encode()).digest()


def challenge_new(*, max_number: int | None = None) -> dict[str, Any]:
    """A fresh signed challenge, as the ALTCHA widget and our solver read it."""
    challenge = altcha.create_challenge_v1(
        altcha.ChallengeOptionsV1(
            algorithm="SHA-256",
            max_number=max_number or settings.URGENT_POW_MAX_NUMBER,
            hmac_key=_key(),
            expires=timezone.now() + LIFETIME,
        )
    )
    data: dict[str, Any] = challenge.to_dict()
    return data


def challenge_json(**kwargs: Any) -> str:
    return json.dumps(challenge_new(**kwargs), separators=(",", ":"))


def challenge_verify(payload: str) -> str | None:
    """The challenge's signature when `payload` solves an unexpired challenge of ours."""
    if not payload or len(payload) > 2000:
        return None
    ok, _error = altcha.verify_solution_v1(payload, _key(), check_expires=True)
    if not ok:
        return None
    try:
        decoded = altcha.PayloadV1.from_base64(payload)
    except (ValueError, TypeError, KeyError):
        return None
    # Challenges without an expiry are not ours: ours always carry one.
    if "expires=" not in decoded.salt:
        return None
    return str(decoded.signature)[:128]


def challenge_solve(challenge: dict[str, Any]) -> str:
    """Solve a challenge the way a browser does (benchmarks and tests)."""
    solution = altcha.solve_challenge_v1(
        challenge["challenge"],
        challenge["salt"],
        challenge["algorithm"],
        int(challenge["maxNumber"]),
    )
    if solution is None:
        raise ValueError("challenge has no solution")
    payload = altcha.PayloadV1(
        challenge["algorithm"],
        challenge["challenge"],
        solution.number,
        challenge["salt"],
        challenge["signature"],
    )
    return str(payload.to_base64())
