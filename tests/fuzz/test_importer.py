"""Arbitrary bytes in every format the importer takes: a case sheet or a reason in words,
never a crash."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.fuzz.strategies import mime_message, nasty_text, zip_package
from urgent.ingest.errors import IngestError
from urgent.ingest.services import document_read


def _text(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")


FORMATS = {
    "txt": st.one_of(st.binary(min_size=1, max_size=1500), nasty_text.map(_text)),
    "html": nasty_text.map(
        lambda t: _text(f"<html><head><title>{t}</title></head><body><p>{t}</p><td>{t}")
    ),
    "pdf": st.binary(max_size=1500).map(lambda b: b"%PDF-1.4\n" + b),
    "docx": zip_package(),
    "eml": mime_message(),
}


@pytest.mark.parametrize("suffix", sorted(FORMATS))
def test_any_file_is_read_or_refused_with_a_reason(suffix: str) -> None:
    @hypothesis_settings(max_examples=30)
    @given(data=FORMATS[suffix])
    def check(data: bytes) -> None:
        try:
            document_read(data=data, filename=f"sheet.{suffix}")
        except IngestError as exc:
            assert str(exc).strip()

    check()
