"""Short forms of a case's texts: the summary at the top of its page and in an alert."""

from __future__ import annotations

import re

ELLIPSIS = "\u2026"
# A sentence ends with . ! ? (or their CJK forms), maybe a closing quote or bracket, then space.
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f][\"'\u201d\u2019)\]]*(?=\s)")


def text_excerpt(text: str, *, limit: int) -> str:
    """At most `limit` characters of `text`, never cut inside a word.

    Whole sentences when they fill at least half the room; otherwise whole words and an
    ellipsis. A text that fits is returned unchanged (spaces tidied).
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    room = text[: limit + 1]
    ends = [m.end() for m in _SENTENCE_END.finditer(room) if m.end() <= limit]
    if ends and ends[-1] >= limit // 2:
        return text[: ends[-1]]
    cut = room[:limit].rstrip()
    if not room[limit].isspace():
        # The cut fell inside a word: drop that word (all of it, if it is the only one).
        cut = cut[: cut.rindex(" ")] if " " in cut else ""
    return cut.rstrip(" ,;:-\u2013\u2014") + ELLIPSIS


def story_summary(story: str, *, limit: int = 320) -> str:
    """The first paragraph of a story, shortened to `limit` characters."""
    first = story.strip().split("\n\n")[0] if story else ""
    return text_excerpt(first, limit=limit)
