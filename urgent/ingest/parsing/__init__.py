"""Case-sheet parsing, split by field family; `parse_case_sheet` is the entry point."""

from .core import parse_case_sheet

__all__ = ["parse_case_sheet"]
