from __future__ import annotations

import datetime

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from urgent.cases.models import Case
from urgent.core.countries import country_name

register = template.Library()


@register.simple_tag
def country(code: str) -> str:
    return country_name(code, get_language() or "en")


@register.filter
def public_names(case: Case) -> list[str]:
    return [name for name in (p.public_name for p in case.people.all()) if name]


@register.simple_tag
def deadline(day: datetime.date, today: datetime.date) -> SafeString:
    days = (day - today).days
    when = date_format(day, "DATE_FORMAT")
    if days < 0:
        note = _("passed")
    elif days == 0:
        note = _("today")
    else:
        note = ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}
    return format_html(
        '<time datetime="{}">{}</time> <span class="deadline-note">({})</span>',
        day.isoformat(),
        when,
        note,
    )
