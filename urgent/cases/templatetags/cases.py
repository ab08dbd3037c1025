from __future__ import annotations

import datetime
import re

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from urgent.cases.models import Case, PersonAtRisk
from urgent.cases.selectors import PersonPhoto, case_list_active
from urgent.cases.selectors import person_photo as photo_of
from urgent.cases.text import story_summary
from urgent.core.countries import country_name

register = template.Library()


@register.simple_tag
def country(code: str) -> str:
    return country_name(code, get_language() or "en")


@register.filter
def public_names(case: Case) -> list[str]:
    if case.hide_names:
        return []
    return [name for name in (p.public_name for p in case.people.all()) if name]


@register.filter
def redact(text: str, case: Case) -> str:
    """With the case's names hidden, take every mention of the people at risk out of a text."""
    if not case.hide_names or not text:
        return text
    withheld = _("[name withheld]")
    names = [p.name for p in case.people.all()]
    parts = {part for name in names for part in name.split() if len(part) >= 3}
    for needle in sorted([*names, *parts], key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(needle)}(?!\w)", withheld, text, flags=re.IGNORECASE)
    # "Daniyar Orazmyradov" became two markers; one is enough.
    marker = re.escape(withheld)
    return re.sub(rf"{marker}(?:\s+{marker})+", withheld, text)


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


@register.simple_tag
def person_photo(person: PersonAtRisk, case: Case | None = None) -> PersonPhoto | None:
    """`{% person_photo person case as photo %}`: the photo public pages may show, or None.

    `photo.srcset_webp`, `photo.srcset` (JPEG), `photo.src`, `photo.width`, `photo.height`
    and `photo.alt` fill a <picture> with lazy loading; None with no consent, for a
    person not named in full, or while the stop switch is on.
    """
    return photo_of(person=person, case=case)


@register.simple_tag
def person_photo_staff(person: PersonAtRisk) -> PersonPhoto | None:
    """The same for the staff pages: shown whatever the consent and the stop switch."""
    return photo_of(person=person, staff=True)


@register.filter
def summary(story: str, limit: int = 320) -> str:
    """`{{ case.story|summary }}`: the story's first paragraph, cut at a sentence or word."""
    return story_summary(story, limit=limit)


@register.simple_tag
def next_case(case: Case) -> Case | None:
    """`{% next_case case as other %}`: the case after this one that most needs letters."""
    today = timezone.localdate()
    return case_list_active(today=today).exclude(pk=case.pk).filter(actions_stopped=False).first()


@register.simple_tag
def case_link(case: Case) -> str:
    """The case page's full address, to share."""
    return settings.URGENT_BASE_URL + reverse("case_detail", args=[case.slug])
