"""docs/federation.md stays true: its examples pass the parser, its codes are the code's."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import REPO
from urgent.federation import vocab
from urgent.federation.remote import actor_from_document
from urgent.federation.schemas import ACTIVITY_TYPES, activity_parse

DOC = (REPO / "docs" / "federation.md").read_text()


def _examples() -> list[dict[str, object]]:
    return [json.loads(block) for block in re.findall(r"```json\n(.*?)```", DOC, re.S)]


def test_every_example_passes_the_strict_parser() -> None:
    examples = _examples()
    kinds = set()
    for example in examples:
        if example["type"] in ACTIVITY_TYPES:
            parsed, _ = activity_parse(json.dumps(example).encode())
            kinds.add(parsed.type)
        else:
            actor_from_document(json.dumps(example).encode(), url=str(example["id"]))
    assert kinds == {"Follow", "Accept", "Undo", "Create", "Delete", "Update", "Add", "Flag"}


def test_every_refusal_code_in_the_table_is_one_the_code_gives() -> None:
    source = "\n".join(p.read_text() for p in Path(REPO / "urgent" / "federation").rglob("*.py"))
    table = re.findall(r"^\| (\d{3}) \| ((?:`\w+`(?:, )?)*) \|", DOC, re.M)
    codes = {code for _, cell in table for code in re.findall(r"`(\w+)`", cell)}
    assert len(codes) >= 18
    for code in codes:
        assert f'"{code}"' in source, code


def test_the_context_terms_in_the_doc_exist() -> None:
    section = DOC.split("### An urgent action")[1].split("## Activities")[0]
    terms = re.findall(r"^\| `(\w+)`(?:, `(\w+)`)? \|", section, re.M)
    assert len(terms) >= 20
    for pair in terms:
        for term in filter(None, pair):
            assert term in vocab.TERMS, term
