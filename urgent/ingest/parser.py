"""Public entry point of the case-sheet parser.

`parse_case_sheet(text)` is a pure function: it takes the extracted text of one
document and returns a `CaseSheet`.  It imports no Django, touches no network and
calls no hosted model, so it can run anywhere (tests, benchmarks, workers).  The
heuristics live in the `parsing` package, one module per field family.
"""

from __future__ import annotations

from .parsing import parse_case_sheet

__all__ = ["parse_case_sheet"]
