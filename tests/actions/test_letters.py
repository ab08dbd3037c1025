"""The model letter and the channel helpers, as pure functions."""

from __future__ import annotations

import pytest

from urgent.actions.channels import mailto_url, social_post
from urgent.actions.letters import (
    LetterSource,
    Signature,
    initials,
    letter_compose,
    letter_for_official,
    text_clean,
)

SOURCE = LetterSource(
    reference="UA 1/26",
    headline="Headline",
    names=["Rosa Santiago López", "T. R."],
    asks=["Release them.", "Protect them."],
    salutations=["Estimada Gobernadora:"],
)


@pytest.mark.parametrize(
    ("language", "intro", "closing"),
    [
        ("en", "I am writing to you about Rosa Santiago López and T. R.", "Yours sincerely,"),
        ("fr", "Je vous écris au sujet de Rosa Santiago López et T. R.", "haute considération."),
        ("es", "Le escribo en relación con Rosa Santiago López y T. R.", "Atentamente,"),
        (
            "de",
            "ich wende mich an Sie wegen Rosa Santiago López und T. R.",
            "Mit freundlichen Grüßen",
        ),
    ],
)
def test_model_letter_in_each_language(language: str, intro: str, closing: str) -> None:
    letter = letter_compose(
        source=SOURCE,
        language=language,
        personal="Soy enfermera.",
        signature=Signature(
            name="Ana María Example", city="Lyon", country="FR", initials_only=True
        ),
    )
    body = letter.body
    assert body.startswith("Estimada Gobernadora:\n\n" + intro)
    assert "\n\nSoy enfermera.\n\n" in body
    assert "– Release them.\n– Protect them." in body
    assert closing in body
    assert body.endswith(
        "A. M. E.\n" + ("Lyon, France" if language == "en" else body.rsplit("\n", 1)[1])
    )
    assert letter.language == language


def test_unknown_language_and_hidden_names_fall_back() -> None:
    source = LetterSource(reference="UA 9/26", headline="h", names=[], asks=[])
    letter = letter_compose(source=source, language="ru")
    assert letter.language == "en"
    assert letter.subject == "Concerning the case UA 9/26"
    assert letter.body.startswith("Dear Sir or Madam,\n\nI am writing to you about the person")


def test_text_clean_strips_html_and_control_characters() -> None:
    assert text_clean("<b>Hi</b> a < b &amp; c\r\n\r\n\r\n\r\nend\x00") == "Hi a < b & c\n\nend"
    assert text_clean("Ana\r\nBcc: x@example.org", multiline=False) == "Ana Bcc: x@example.org"
    assert initials("ana maría  example") == "A. M. E."


def test_each_official_gets_their_own_salutation() -> None:
    body = "Dear President,\n\nText"
    assert (
        letter_for_official(
            body=body, default_salutation="Dear President,", salutation="Your Excellency,"
        )
        == "Your Excellency,\n\nText"
    )
    edited = "Hello,\n\nText"
    assert (
        letter_for_official(
            body=edited, default_salutation="Dear President,", salutation="Your Excellency,"
        )
        == edited
    )


def test_mailto_and_social_post() -> None:
    link = mailto_url(to=["a@example.org"], cc=[], subject="Über & more", body="x\ny")
    assert link.complete
    assert link.url == "mailto:a@example.org?subject=%C3%9Cber%20%26%20more&body=x%0D%0Ay"
    post = social_post(
        handles=["@a", "@b"], ask="Release " * 60, url="https://example.org/cases/x/"
    )
    assert len(post) <= 280 and post.startswith("@a @b Release") and post.endswith("/cases/x/")
