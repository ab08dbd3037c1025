from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from urgent.staff.menu import staff_menu as menu_for

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)


@register.filter
def as_list(value: Any) -> list[Any]:
    return [value]


@register.filter
def with_errors(forms: list[Any]) -> list[Any]:
    """The forms (of those given) that were sent back with errors."""
    return [f for f in forms if f is not None and f.errors]


@register.inclusion_tag("staff/_menu.html", takes_context=True)
def staff_menu(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    groups = menu_for(user=request.user, path=request.path)
    current = next((g for g in groups for link in g.links if link.current), None)
    home = reverse("staff_home")
    return {
        "groups": groups,
        "current_group": current,
        "home": home,
        "home_current": request.path == home,
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
