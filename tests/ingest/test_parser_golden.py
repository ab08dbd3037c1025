"""Golden files: each invented sample layout parses to its reviewed .expected.json."""

from __future__ import annotations

import json

import pytest

from urgent.ingest.extract import extract_text
from urgent.ingest.parser import parse_case_sheet
from urgent.ingest.record import SCHEMA_FIELDS

from .conftest import SAMPLES

CASES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".txt", ".html"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_sample_matches_golden(path):
    text = extract_text(path.read_bytes(), path.name).text
    record = parse_case_sheet(text).to_json_dict()
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text())
    got = {k: record[k] for k in SCHEMA_FIELDS}
    for target in got["targets"]:
        target.pop("dial")  # the parser's extra (E.164 forms), checked in test_parser_units
    got["themes"] = record["themes"]
    assert got == expected


def test_every_layout_has_a_sample():
    stems = {p.stem for p in CASES}
    assert {
        "amnesty_2020s",
        "typewriter_1990s",
        "further_info",
        "good_news",
        "section_page",
        "model_letter",
        "other_org",
        "french",
        "spanish",
        "german",
    } <= stems
