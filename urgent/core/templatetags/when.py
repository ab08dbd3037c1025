"""Dates and times in one format everywhere: `{{ case.deadline|day }}`, `{{ entry.at|moment }}`.

Each renders a <time> element whose machine-readable value is ISO 8601; the words follow
the active language's DATE_FORMAT and DATETIME_FORMAT (config/formats), times in the
site's time zone.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def day(value: datetime.date | None) -> SafeString | str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_html(
        '<time datetime="{}">{}</time>', value.isoformat(), date_format(value, "DATE_FORMAT")
    )


@register.filter
def moment(value: datetime.datetime | None) -> SafeString | str:
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(timespec="seconds"),
        date_format(local, "DATETIME_FORMAT"),
    )
