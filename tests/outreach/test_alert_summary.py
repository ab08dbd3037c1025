"""The alert's story is cut at a sentence or a word, with the link to the page after it."""

from __future__ import annotations

import pytest

from urgent.cases.models import Case
from urgent.outreach.selectors import case_context

pytestmark = pytest.mark.django_db


def test_alert_summary_ends_at_a_word_with_an_ellipsis(demo: None) -> None:
    case = Case.objects.get(slug="ua-101-26")
    case.story = ("Supercalifragilistic " * 40).strip() + ". Second paragraph follows."
    case.save(update_fields=["story"])
    context = case_context(case, "en")
    summary = context["summary"]
    assert summary.endswith("\u2026")
    assert summary[:-1].split()[-1] == "Supercalifragilistic"
    assert len(summary) <= 600
    assert context["url"].endswith("/cases/ua-101-26/")


def test_alert_summary_keeps_whole_sentences(demo: None) -> None:
    case = Case.objects.get(slug="ua-101-26")
    sentence = "He was arrested at dawn and taken to an unknown place. "
    case.story = (sentence * 20).strip()
    case.save(update_fields=["story"])
    summary = case_context(case, "en")["summary"]
    assert summary.endswith("unknown place.")
    assert 300 <= len(summary) <= 600
