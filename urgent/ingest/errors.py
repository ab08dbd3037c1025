"""Errors raised while turning an uploaded file into a case-sheet record."""

from __future__ import annotations


class IngestError(Exception):
    """A problem with the input that the person uploading it can understand and fix.

    The message is shown to users as is, so it names the problem in plain words
    ("the file is empty") rather than the library that noticed it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
