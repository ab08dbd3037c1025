"""The staff menu, grouped by task: what each role sees and which entry is the current page."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from urgent.core.roles import AUDIT, EDIT, VIEW, role_can

ADMIN = "django-admin"  # the Django admin's index: staff accounts (is_staff) only
# An admin page for one model (the permission it needs; shown to superusers).
VIEW_SUPPORTERS = "perm:supporters.view_supporter"
VIEW_USERS = "perm:auth.view_user"
VIEW_THEMES = "perm:cases.view_theme"
VIEW_TOKENS = "perm:api.view_apitoken"


@dataclass(frozen=True)
class Entry:
    label: Promise
    url_name: str
    capability: str = VIEW


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    current: bool


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    links: list[Link]


MENU: tuple[tuple[str, Promise, tuple[Entry, ...]], ...] = (
    (
        "cases",
        _("Cases"),
        (
            Entry(_("All cases"), "staff_case_list"),
            Entry(_("New case"), "staff_case_new", EDIT),
            Entry(_("New case from a document"), "ingest_start", EDIT),
            Entry(_("Other instances"), "federation_staff_home"),
            Entry(_("Incoming cases"), "federation_staff_incoming_list"),
        ),
    ),
    (
        "mail",
        _("Supporters & mail"),
        (
            Entry(_("Mailings"), "mailings_staff_list"),
            Entry(_("Outgoing mail"), "staff_mail_list"),
            Entry(_("Supporters"), "admin:supporters_supporter_changelist", VIEW_SUPPORTERS),
        ),
    ),
    (
        "officials",
        _("Officials"),
        (
            Entry(_("Directory"), "staff_official_list"),
            Entry(_("Letters to officials"), "actions_staff_officials"),
        ),
    ),
    (
        "reports",
        _("Reports"),
        (
            Entry(_("Impact"), "staff_impact"),
            Entry(_("Audit log"), "staff_audit", AUDIT),
        ),
    ),
    (
        "settings",
        _("Settings"),
        (
            Entry(_("People and roles"), "admin:auth_user_changelist", VIEW_USERS),
            Entry(_("Themes"), "admin:cases_theme_changelist", VIEW_THEMES),
            Entry(_("API tokens"), "admin:api_apitoken_changelist", VIEW_TOKENS),
            Entry(_("Everything else (Django admin)"), "admin:index", ADMIN),
        ),
    ),
)


def _allowed(user: AbstractBaseUser | AnonymousUser, capability: str) -> bool:
    if capability == ADMIN:
        return bool(getattr(user, "is_staff", False))
    if capability.startswith("perm:"):
        # Only a superuser is sure to hold the admin page's permission; asking Django for
        # anyone else's would cost every staff page two more queries.
        return bool(getattr(user, "is_superuser", False))
    return role_can(user, capability)


def staff_menu(*, user: AbstractBaseUser | AnonymousUser, path: str) -> list[Group]:
    """The groups this person may use; the entry whose address best matches `path` is current.

    A page below an entry (a case under "All cases") counts as that entry; the dashboard
    is current only on itself.
    """
    entries = [
        (key, label, [(e, reverse(e.url_name)) for e in items if _allowed(user, e.capability)])
        for key, label, items in MENU
    ]
    urls = [url for _key, _label, items in entries for _entry, url in items]
    matching = [url for url in urls if path.startswith(url)]
    current = max(matching, key=len, default="")
    return [
        Group(key, str(label), [Link(str(e.label), url, url == current) for e, url in items])
        for key, label, items in entries
        if items
    ]
