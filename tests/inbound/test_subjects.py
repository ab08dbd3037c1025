from __future__ import annotations

import pytest

from urgent.inbound.subjects import reference_key, subject_is_bare_reference, subject_parse


@pytest.mark.parametrize(
    ("subject", "language"),
    [
        ("Keep me updated on UA 118/21", "en"),
        ("keep me updated UA118/21", "en"),
        ("KEEP ME UPDATED ON ua 118/21", "en"),
        ("UA 118-21 updates", "en"),
        ("Keep me posted: UA 118 / 2021", "en"),
        ("Tenez-moi informé·e UA 118/21", "fr"),
        ("Tenez-moi informé(e) sur l'AU 118/21", "fr"),
        ("Tenez moi au courant AU 118-21", "fr"),
        ("Manténganme informado AU 118/21", "es"),
        ("Mantenme informada sobre la AU 118/21", "es"),
        ("Bitte halten Sie mich auf dem Laufenden UA 118/21", "de"),
        ("EXTRA 118/21 keep me informed", "en"),
    ],
)
def test_requests_in_many_forms_name_the_same_case(subject: str, language: str) -> None:
    parsed = subject_parse(subject)
    assert parsed.reference == "118/21"
    assert parsed.asks_updates
    assert parsed.language == language
    assert not parsed.is_reply


def test_references_normalise_to_one_key() -> None:
    assert reference_key("UA 118/21") == reference_key("ua118-21") == "118/21"
    assert reference_key("AU 118/2021") == reference_key("EXTRA 118/21") == "118/21"
    assert reference_key("UA 012/26") == "12/26"
    assert reference_key("AI Index: MDE 13/4567/2021") is None
    assert reference_key("no reference here") is None


def test_replies_and_bare_references() -> None:
    assert subject_parse("Re: Letter about UA 101/26").is_reply
    assert subject_parse("AW: UA 101/26").is_reply
    assert not subject_parse("Re: Letter about UA 101/26").asks_updates
    assert subject_is_bare_reference("UA 101/26")
    assert subject_is_bare_reference("  ua101-26 ")
    assert not subject_is_bare_reference("Release him: UA 101/26")
    assert not subject_parse("Hello there").asks_updates
