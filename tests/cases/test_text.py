"""Short forms of a case's texts: cut at a sentence or a word, never inside a word."""

from __future__ import annotations

import pytest

from urgent.cases.text import story_summary, text_excerpt


def test_a_text_that_fits_is_unchanged() -> None:
    assert text_excerpt("Short story.", limit=50) == "Short story."


def test_cut_at_the_last_whole_sentence() -> None:
    text = "First sentence here. Second sentence is a little longer. Third one is cut."
    assert (
        text_excerpt(text, limit=60) == "First sentence here. Second sentence is a little longer."
    )


def test_cut_at_a_word_with_an_ellipsis_when_no_sentence_fits() -> None:
    text = "An extraordinarily long opening sentence without any full stop until the end."
    cut = text_excerpt(text, limit=30)
    assert cut == "An extraordinarily long…"
    assert len(cut) <= 30


@pytest.mark.parametrize("limit", [1, 5, 17, 40, 79, 200])
def test_never_inside_a_word(limit: int) -> None:
    text = "Words of various lengths, unbroken always; quotation “marks” and commas, too."
    cut = text_excerpt(text, limit=limit)
    assert len(cut) <= max(limit, 1) + 1
    whole = [w.strip(",;.") for w in text.split()]
    for word in cut.rstrip("…").split():
        assert word.strip(",;.") in whole


def test_summary_is_the_first_paragraph() -> None:
    assert story_summary("One.\n\nTwo.") == "One."
    assert story_summary("") == ""
