"""API tokens: create (the token is shown once), revoke, and authenticate."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urgent.api.models import ApiToken
from urgent.core.audit import audit_record
from urgent.core.errors import ApplicationError

TOKEN_PREFIX = "urg_"  # noqa: S105 - marks our tokens, so scanners can spot leaked ones
# Writing last_used_at on every request would turn each read into a write; a minute is
# precise enough to see which tokens are in use.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str, actor: AbstractBaseUser | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the token, which is never shown again."""
    name = " ".join(name.split())
    if not name:
        raise ApplicationError(
            _("Give the token a name that says what it is for."),
            fields={"name": [_("This field is required.")]},
        )
    if not user.is_active:
        raise ApplicationError(_("This account is disabled; it cannot have API tokens."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user, name=name[:100], token_hash=token_hash(raw), prefix=raw[:12]
            )
    except IntegrityError as exc:
        raise ApplicationError(
            _("This user already has a token named “%(name)s”; revoke it or pick another name.")
            % {"name": name},
            code="duplicate_name",
            fields={"name": [_("Already used.")]},
        ) from exc
    audit_record(
        actor=actor,
        action="api_token.create",
        obj=token,
        after={"user": user.get_username(), "name": token.name, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: AbstractBaseUser | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action="api_token.revoke",
            obj=token,
            after={"user": token.user.get_username(), "name": token.name},
        )
    return token


def api_token_user(*, raw: str) -> User | None:
    """The active user a presented token belongs to, or None when it is unknown or revoked."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=token_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
