"""`urgent api_token create USERNAME --name NAME` (prints the token once), `list`, `revoke`."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from urgent.api.models import ApiToken
from urgent.api.services import api_token_create, api_token_revoke
from urgent.core.errors import ApplicationError
from urgent.core.roles import user_capabilities


class Command(BaseCommand):
    help = "Create, list and revoke API tokens for staff accounts."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token and print it once")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what the token is for")
        listing = sub.add_parser("list", help="list tokens (never the tokens themselves)")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="revoke a token by its id or prefix")
        revoke.add_argument("token", help="the id shown by `list`, or the token's prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options["username"], options["name"])
        elif action == "list":
            self._list(options.get("username"))
        else:
            self._revoke(options["token"])

    def _create(self, username: str, name: str) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        try:
            token, raw = api_token_create(user=user, name=name)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        capabilities = ", ".join(sorted(user_capabilities(user))) or "none"
        self.stdout.write(raw)
        self.stderr.write(
            f"Token {token.pk} ({token.name}) for {username}; it may: {capabilities}. "
            "It is shown only now: keep it in a password manager."
        )

    def _list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if username:
            tokens = tokens.filter(user__username=username)
        for token in tokens:
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk}\t{token.prefix}…\t{token.user.get_username()}\t{token.name}\t"
                f"{state}\tlast used {used}"
            )

    def _revoke(self, ref: str) -> None:
        tokens = ApiToken.objects.filter(revoked_at__isnull=True)
        matches = list(tokens.filter(pk=int(ref))) if ref.isdigit() else []
        if not matches and len(ref) >= 8:
            matches = list(tokens.filter(prefix__startswith=ref[:12]))
        if not matches:
            raise CommandError(f"no active token with id or prefix {ref!r}")
        if len(matches) > 1:
            raise CommandError(f"{len(matches)} tokens start with {ref!r}; give the id instead")
        api_token_revoke(token=matches[0])
        self.stdout.write(f"revoked token {matches[0].pk} ({matches[0].name})")
