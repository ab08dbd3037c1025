"""One vocabulary table per language (`<code>.toml`), read once.

Adding a language is adding a table: the parser has no branch per language. Each table has
the same sections (see en.toml, which documents the format); a section or key a table
leaves out simply adds nothing.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def tables() -> dict[str, dict[str, Any]]:
    """Language code -> its table, in a stable order (English first)."""
    out: dict[str, dict[str, Any]] = {}
    paths = sorted(HERE.glob("*.toml"), key=lambda p: (p.stem != "en", p.stem))
    for path in paths:
        with path.open("rb") as handle:
            out[path.stem] = tomllib.load(handle)
    return out


def entries(section: str, key: str) -> list[tuple[str, str]]:
    """(language, phrase) for every phrase under [section] key in every table.

    A string value is a list of single words separated by spaces; an array is a list of
    phrases."""
    out: list[tuple[str, str]] = []
    for code, table in tables().items():
        value = table.get(section, {}).get(key, [])
        items = value.split() if isinstance(value, str) else list(value)
        out.extend((code, item) for item in items if item)
    return out


def phrases(section: str, key: str) -> list[str]:
    """Every phrase under [section] key, all languages together, without repeats."""
    return list(dict.fromkeys(phrase for _code, phrase in entries(section, key)))


def keys(section: str) -> list[str]:
    """The keys used under [section] in any table (theme slugs, for instance)."""
    seen: dict[str, None] = {}
    for table in tables().values():
        for key in table.get(section, {}):
            seen[key] = None
    return list(seen)
