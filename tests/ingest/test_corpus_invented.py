"""The invented corpus (tests/ingest/corpus): every gold record is well formed and true to its text.

Each `NNN.txt` is an invented document in a real layout and `NNN.json` its hand-written gold, in
the scorer's schema (../shared/corpus/README.md). These tests keep the gold honest: the fields
have the right types and values, and every string the gold quotes (names, asks, addresses,
numbers, salutations, ...) is printed in the text, up to whitespace. Normalised fields (kind,
language, country, dates, gender, role) are checked for their form only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path
from typing import get_args

import pytest

from urgent.ingest.record import SCHEMA_FIELDS, Gender, Kind, Role, Target

CORPUS = Path(__file__).resolve().parent / "corpus"
PAIRS = sorted(CORPUS.glob("*.json"))

TOP_KEYS = {"source", *SCHEMA_FIELDS}
TARGET_KEYS = set(Target().to_json_dict()) - {"dial"}  # the parser's extra, not the schema's
TARGET_TEXT = ("honorific", "name", "title", "salutation")
TARGET_LISTS = ("address_lines", "emails", "faxes", "phones", "social")
KINDS = set(get_args(Kind))
LANGUAGES = {"en", "fr", "es", "de", "pt", "it", "nl"}
GENDERS = {*get_args(Gender), None}
ROLES = set(get_args(Role))


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _load(path: Path) -> tuple[str, dict]:
    return path.with_suffix(".txt").read_text(encoding="utf-8"), json.loads(path.read_text())


def _optional_str(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == value and value != "")


def _date(value: object) -> bool:
    if value is None:
        return True
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _quoted_strings(gold: dict) -> list[tuple[str, str]]:
    """(field, value) for every gold string that must be printed in the text."""
    out = [(f, gold[f]) for f in ("ua_number", "index_number", "title") if gold[f]]
    out += [("persons.name", p["name"]) for p in gold["persons"]]
    out += [("asks", a) for a in gold["asks"]]
    for target in gold["targets"]:
        out += [(f"target.{f}", target[f]) for f in TARGET_TEXT if target[f]]
        out += [(f"target.{f}", v) for f in TARGET_LISTS for v in target[f]]
    request = gold["update_request"]
    if request:
        out += [(f"update_request.{k}", v) for k, v in request.items() if v]
    return out


def test_corpus_is_there_and_numbered():
    assert PAIRS, "no gold records in tests/ingest/corpus"
    for path in PAIRS:
        assert re.fullmatch(r"\d{3}", path.stem) and int(path.stem) >= 100, path.name
        assert path.with_suffix(".txt").is_file(), f"{path.name} has no text"
    texts = {p.stem for p in CORPUS.glob("*.txt")}
    assert texts == {p.stem for p in PAIRS}, "every text needs its gold and every gold its text"


@pytest.mark.parametrize("path", PAIRS, ids=[p.stem for p in PAIRS])
def test_gold_record_is_well_formed(path):
    text, gold = _load(path)
    assert text.strip(), "empty document"
    assert set(gold) == TOP_KEYS
    assert gold["kind"] in KINDS
    assert gold["language"] in LANGUAGES
    for field in ("ua_number", "index_number", "title", "country", "source"):
        assert _optional_str(gold[field]), field
    assert gold["country"], "every document is about a country"
    assert _date(gold["date_issued"]) and _date(gold["deadline"])
    assert isinstance(gold["persons"], list) and isinstance(gold["asks"], list)
    for person in gold["persons"]:
        assert set(person) == {"name", "gender"} and person["gender"] in GENDERS
        assert _optional_str(person["name"]) and person["name"]
    assert all(_optional_str(a) and a for a in gold["asks"])
    for target in gold["targets"]:
        assert set(target) == TARGET_KEYS
        assert target["role"] in ROLES
        assert all(_optional_str(target[f]) for f in TARGET_TEXT)
        for field in TARGET_LISTS:
            assert isinstance(target[field], list)
            assert all(_optional_str(v) and v for v in target[field]), field
        assert any(target[f] for f in (*TARGET_TEXT, *TARGET_LISTS)), "empty target"
    request = gold["update_request"]
    assert request is None or (set(request) == {"email", "subject"} and request["email"])


@pytest.mark.parametrize("path", PAIRS, ids=[p.stem for p in PAIRS])
def test_every_gold_string_is_printed_in_the_text(path):
    text, gold = _load(path)
    printed = _squash(text)
    missing = [(f, v) for f, v in _quoted_strings(gold) if _squash(v) not in printed]
    assert not missing, missing


def test_copies_only_follow_a_primary_target():
    for path in PAIRS:
        roles = [t["role"] for t in _load(path)[1]["targets"]]
        if "copy" in roles:
            assert roles[0] == "primary", f"{path.stem}: a copy with no primary target"


def test_corpus_covers_the_languages_and_families():
    golds = [_load(p)[1] for p in PAIRS]
    languages = Counter(g["language"] for g in golds)
    kinds = Counter(g["kind"] for g in golds)
    assert len(golds) >= 48
    for language in ("de", "fr", "es", "en"):
        assert languages[language] >= 6, language
    for language in ("pt", "it", "nl"):
        assert languages[language] >= 4, language
    assert kinds["other_org"] >= 8
    assert kinds["update"] >= 6
    letters = [p for p in PAIRS if _starts_with_address_block(*_load(p))]
    assert len(letters) >= 8, [p.stem for p in letters]


def _starts_with_address_block(text: str, gold: dict) -> bool:
    """A model letter: the first lines of the text are the first target's name/title/address."""
    if not gold["targets"]:
        return False
    first = gold["targets"][0]
    head = _squash("\n".join(text.strip().splitlines()[:3]))
    parts = [first["name"], first["title"], *first["address_lines"][:1]]
    return any(p and _squash(p) in head for p in parts)


def test_the_checks_catch_a_wrong_gold_record():
    text, gold = _load(PAIRS[0])
    gold["persons"] = [*gold["persons"], {"name": "Nobody Printed Here", "gender": None}]
    printed = _squash(text)
    missing = [v for _, v in _quoted_strings(gold) if _squash(v) not in printed]
    assert missing == ["Nobody Printed Here"]
    assert not _date("2023-02-30") and not _date("30.02.2023") and _date(None)
    assert not _optional_str(" padded ") and not _optional_str("")
