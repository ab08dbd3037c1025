"""Staff roles and what each may do.

A role is a Django group of the same name; a user's capabilities are the union of their
roles'. Superusers may do everything. The services that change what supporters see (the
case lifecycle) check `role_require` themselves, so a page and the API cannot disagree;
views and the API ask `role_can` first only to answer early.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group
from django.utils.translation import gettext as _

from urgent.core.errors import Forbidden

VIEW = "view"  # read the workspace, cases, deliveries, stats
TRANSLATE = "translate"  # edit translations of cases
EDIT = "edit"  # create and edit drafts, post Further Information, manage officials
PUBLISH = "publish"  # publish, close, stop switch
SEND = "send"  # start, pause, resume and cancel mailings
AUDIT = "audit"  # read and export the audit log

ROLES: dict[str, frozenset[str]] = {
    "viewer": frozenset({VIEW}),
    "translator": frozenset({VIEW, TRANSLATE}),
    "editor": frozenset({VIEW, TRANSLATE, EDIT}),
    "coordinator": frozenset({VIEW, TRANSLATE, EDIT, PUBLISH, SEND, AUDIT}),
}


def roles_ensure() -> None:
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def user_capabilities(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    if not user.is_authenticated or not getattr(user, "is_active", False):
        return frozenset()
    if getattr(user, "is_superuser", False):
        return frozenset().union(*ROLES.values())
    cached = getattr(user, "_urgent_capabilities", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)  # type: ignore[attr-defined]
        cached = frozenset().union(*(ROLES.get(n, frozenset()) for n in names))
        user._urgent_capabilities = cached  # type: ignore[attr-defined]
    return cached


def role_can(user: AbstractBaseUser | AnonymousUser, capability: str) -> bool:
    return capability in user_capabilities(user)


def role_require(actor: AbstractBaseUser | AnonymousUser | None, capability: str) -> None:
    """Refuse with Forbidden unless `actor` may do `capability`.

    No actor (None) is the operator's own command line: `urgent import --publish`, the demo
    loader, a shell. Anyone reaching a service through a page or the API is a user.
    """
    if actor is None or role_can(actor, capability):
        return
    raise Forbidden(
        _("Your role does not allow this (it needs the “%(cap)s” permission).")
        % {"cap": capability}
    )
