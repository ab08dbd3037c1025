"""Field-level behaviour of the parser on small invented snippets."""

from __future__ import annotations

import json
import time

import pytest

from urgent.ingest.errors import IngestError
from urgent.ingest.parser import parse_case_sheet
from urgent.ingest.parsing.contacts import find_numbers
from urgent.ingest.parsing.header import find_ua_number
from urgent.ingest.parsing.names import split_honorific
from urgent.ingest.parsing.text import find_dates, is_date_line
from urgent.ingest.record import SCHEMA_FIELDS

from .conftest import SAMPLES

RECIPE = """Grandma's Lemon Drizzle Cake

Ingredients
225g unsalted butter, softened
225g caster sugar
4 eggs
Zest of 1 lemon

Method
Heat the oven to 180C. Beat together the butter and sugar until pale and creamy, then add
the eggs one at a time. Bake for 45 minutes and pour over the lemon syrup while still warm.
"""

NEWS = """City council approves new cycle lanes

The city council on Tuesday approved a plan to build 40 kilometres of protected cycle lanes
over the next three years. Councillor Jane Example said the plan would make streets safer.
Opponents argued that the money should be spent on road repairs. Construction is expected to
begin in the spring, with the first lanes opening in the city centre by the end of next year.
"""


def test_recipe_is_not_a_case_sheet():
    with pytest.raises(IngestError, match="does not look like an urgent-action case sheet"):
        parse_case_sheet(RECIPE)


def test_news_article_is_not_a_case_sheet():
    with pytest.raises(IngestError, match="does not look like"):
        parse_case_sheet(NEWS)


def test_empty_text_is_refused():
    with pytest.raises(IngestError):
        parse_case_sheet("   \n ")


def test_json_dict_has_schema_keys_then_extras():
    sheet = parse_case_sheet((SAMPLES / "amnesty_2020s.txt").read_text())
    record = sheet.to_json_dict()
    assert list(record)[: len(SCHEMA_FIELDS)] == list(SCHEMA_FIELDS)
    assert {"story", "background", "themes", "missing", "uncertain"} <= set(record)
    json.dumps(record)
    assert "index_number" in record["missing"]
    assert record["story"] and "Dana Serikova" in record["story"]
    assert record["background"] and "unpaid" not in record["background"]


def test_fallback_fields_are_marked_uncertain():
    text = (
        "UA 12/99 Fear of execution 3 May 1999\n\n"
        "Amnesty International fears that Ana Example will be executed.\n\n"
        "RECOMMENDED ACTION: Please send faxes: - urging President Example to grant clemency "
        "to Ana Example; - stating your opposition to the death penalty.\n"
    )
    sheet = parse_case_sheet(text)
    assert sheet.targets[0].title == "President"
    assert sheet.targets[0].name == "Example"
    assert "targets" in sheet.uncertain


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("20 February 1992", "1992-02-20"),
        ("2September 2016", "2016-09-02"),
        ("March 13, 2017", "2017-03-13"),
        ("5 de julio de 2017", "2017-07-05"),
        ("14. März 2023", "2023-03-14"),
        ("1er juin 2021", "2021-06-01"),
        ("2019-10-02", "2019-10-02"),
    ],
)
def test_dates(text, iso):
    assert find_dates(text)[0].iso() == iso


def test_date_line_allows_weekday():
    assert is_date_line("Thursday, January 20, 2011")
    assert not is_date_line("Arrested on 20 January 2011 in the capital")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("UA 118/21", "118/21"),
        ("EXTRA 19/92 Death Penalty", "EXTRA 19/92"),
        ("UA: Mexico 63.10", "63.10"),
        ("URGENT ACTION TYPE AND NUMBER: THIRD UA 60/16", "60/16"),
        ("UA 5/20 ... This is the second update of UA 300/19.", "300/19"),
        ("UA-Nr: UA-031/2023", "031/2023"),
        ("AU 77/21, MDE 30/4455/2021", "77/21"),
    ],
)
def test_ua_numbers(text, number):
    assert find_ua_number(text) == number


def test_numbers_keep_printed_form():
    assert find_numbers("+ 1 555 0100 123 (English only)") == ["+ 1 555 0100 123"]
    assert find_numbers("+1 555 0100 / +1 555 0199") == ["+1 555 0100", "+1 555 0199"]


@pytest.mark.parametrize(
    ("line", "honorific", "rest"),
    [
        ("His Excellency Ivan Example", "His Excellency", "Ivan Example"),
        ("The Rt HonJane Example MP", "The Rt Hon", "Jane Example MP"),
        ("HIS EXCELLENCY MR LI EXAMPLE", "HIS EXCELLENCY MR", "LI EXAMPLE"),
        ("General de División Juan Ejemplo", "General de División", "Juan Ejemplo"),
        ("Donald Example", None, "Donald Example"),
    ],
)
def test_honorifics(line, honorific, rest):
    assert split_honorific(line) == (honorific, rest)


def test_parse_is_fast():
    text = (SAMPLES / "typewriter_1990s.txt").read_text()
    parse_case_sheet(text)
    start = time.perf_counter()
    for _ in range(10):
        parse_case_sheet(text)
    assert (time.perf_counter() - start) / 10 < 0.1
