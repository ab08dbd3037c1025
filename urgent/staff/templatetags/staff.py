from __future__ import annotations

from typing import Any

from django import template
from django.forms import BaseFormSet, BoundField
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
def plus(items: list[Any], item: Any) -> list[Any]:
    """`form|as_list|plus:other_form`: several forms for one error summary."""
    return [*items, item]


@register.filter
def error_links(forms: list[Any]) -> list[tuple[str, str]]:
    """Every problem in the forms (or formsets) given, each with the field it is about.

    For the error summary at the top of a page: (anchor, message), the anchor empty for a
    problem with no field of its own to jump to.
    """
    links: list[tuple[str, str]] = []
    for form in forms:
        if form is None:
            continue
        if isinstance(form, BaseFormSet):
            links.extend(("", str(e)) for e in form.non_form_errors())
            links.extend(error_links(list(form.forms)))
            continue
        links.extend(("", str(e)) for e in form.non_field_errors())
        for field in form:
            anchor = "" if field.is_hidden else _field_anchor(field)
            links.extend((anchor, str(e)) for e in field.errors)
    return links


def _field_anchor(field: BoundField) -> str:
    return f"{field.auto_id}_0" if field.use_fieldset else field.id_for_label


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
