"""Text that must stay on one line: names, cities, subjects.

A name travels into mail headers, letters' signatures and the first lines of messages; a
line break in it would start a header or a paragraph of someone else's choosing.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.functional import Promise

# What str.split() does not already treat as a space: the other C0 and C1 controls, and
# the zero-width and bidirectional format characters that hide what a name says.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
# Line ends in every form people and programs write them.
_LINE_BREAK = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def one_line(value: object) -> str:
    """`value` on one line: breaks and runs of spaces become one space, controls go."""
    return " ".join(_INVISIBLE.sub("", str(value or "")).split())


def has_line_break(value: object) -> bool:
    """True when `value` would need more than one line (what forms tell people to fix)."""
    return bool(_LINE_BREAK.search(str(value or "").strip()))


def one_line_clean(value: object, *, message: str | Promise) -> str:
    """A form field's value on one line; a line break in it is refused with `message`.

    Browsers never put one in a one-line field, so one means a script or a paste from
    elsewhere: say so rather than guess where the name ends.
    """
    if has_line_break(value):
        raise ValidationError(str(message), code="line_break")
    return one_line(value)
