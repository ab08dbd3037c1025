"""Names, courtesy styles and office titles of addressees, in any of the tables' languages."""

from __future__ import annotations

import re
from functools import lru_cache

from . import lang
from .countries import alias_table
from .lexicon import (
    alternation,
    bounded,
    fold,
    folded,
    folded_alternation,
    folded_pattern,
    lexicon,
    words,
)
from .text import decamel

# Country names that are also given names ("Jordan Brown").
_GIVEN_NAME_COUNTRIES = frozenset({"jordan", "chad", "israel", "georgia", "india"})


@lru_cache(maxsize=1)
def _honorific_re() -> re.Pattern[str]:
    alt = alternation(lang.phrases("addressees", "honorifics"), glued=True)
    # after a style: a space, or nothing when the text lost it ("The Rt HonBoris", "S.E.")
    return re.compile(rf"(?i:{alt})(?:\s+|(?<=\.)(?=\S)|(?<=[nN])(?=[A-Z]))")


@lru_cache(maxsize=1)
def office_re() -> re.Pattern[str]:
    return re.compile(
        rf"(?i)(?<![\w-])(?:{alternation(lang.phrases('addressees', 'offices'))})(?![\w-])"
    )


@lru_cache(maxsize=1)
def _leading_office_re() -> re.Pattern[str]:
    """Over a folded line; the name's capital is checked on the printed line."""
    prefixes = folded_alternation(lang.phrases("addressees", "office_prefixes"))
    offices = folded_alternation(lang.phrases("addressees", "offices"))
    connectors = folded_alternation(lang.phrases("addressees", "connectors"))
    return re.compile(
        rf"^(?:(?:{prefixes})\s+)*(?:{offices})"
        rf"(?:\s+(?:general|de\s+la\s+\w+|(?:{connectors})\s+\w+))?\s+"
    )


def leading_office_end(line: str) -> int | None:
    """Where an office title opening `line` ends, when a capitalised name follows it."""
    flat = folded(line)
    if len(flat) != len(line):
        flat = line.casefold()  # a letter that folds to two ("ß"): keep the offsets true
        if len(flat) != len(line):
            return None
    m = _leading_office_re().match(flat)
    while m:
        # the longest office reading whose next word is a capitalised name
        if m.end() < len(line) and line[m.end()].isupper():
            return m.end()
        return None
    return None


@lru_cache(maxsize=1)
def institution_start_re() -> re.Pattern[str]:
    """Words that open an institution's address line rather than a job title."""
    alt = alternation(lang.phrases("addressees", "institutions"))
    return re.compile(
        rf"(?i)^(?:the\s+|la\s+|el\s+|le\s+|die\s+|de\s+|il\s+|o\s+|a\s+)?(?:(?:{alt})(?![\w])|"
        r"c/o|attn|p\.?\s?o\.?\s?box|b\.?p\.?(?!\w)|\d)"
    )


@lru_cache(maxsize=1)
def address_start_re() -> re.Pattern[str]:
    """Words that start the street part of a one-line address."""
    streets = alternation(lang.phrases("addressees", "address_words"))
    places = alternation(lang.phrases("addressees", "institutions"))
    return re.compile(rf"(?i)^(?:(?:{streets}|{places})(?![\w])|c/|c/o|p\.?\s?o\.?|\d)")


@lru_cache(maxsize=1)
def _noun_suffix_re() -> re.Pattern[str]:
    return re.compile(rf"(?i)(?:{alternation(lang.phrases('words', 'noun_suffixes'))})$")


@lru_cache(maxsize=1)
def connectors() -> frozenset[str]:
    return words(lang.phrases("addressees", "connectors"))


@lru_cache(maxsize=1)
def _addressed_to_re() -> re.Pattern[str]:
    return re.compile(rf"^(?:{folded_alternation(lang.phrases('addressees', 'addressed_to'))})\s+")


def drop_addressed_to(line: str) -> str:
    """'An den Generalstaatsanwalt', 'Al Procuratore', 'Aan de Minister': the office alone."""
    m = _addressed_to_re().match(folded(line))
    if m and len(folded(line)) == len(line) and has_office(line[m.end() :]):
        return line[m.end() :]
    return line


@lru_cache(maxsize=1)
def _office_article_re() -> re.Pattern[str]:
    alt = alternation(lang.phrases("addressees", "office_articles"))
    return re.compile(rf"(?i)^(?:{alt})(?:\s+|(?<=')(?=\w))")


def drop_office_article(text: str) -> str:
    """'le Ministre de la Justice' after 'Monsieur': the office without its article."""
    text = text.strip()
    m = _office_article_re().match(text)
    if m and has_office(text[m.end() :]):
        return text[m.end() :]
    return text


def split_honorific(text: str) -> tuple[str | None, str]:
    """Peel courtesy styles off the front.

    "HIS EXCELLENCY MR LIU" -> ("HIS EXCELLENCY MR", "LIU")."""
    rest = text.strip()
    end = 0
    pattern = _honorific_re()
    while True:
        m = pattern.match(rest[end:])
        if not m:
            break
        end += m.end()
    if not end:
        return None, rest
    honorific = rest[:end].strip()
    remainder = rest[end:].strip()
    if not remainder:
        return None, rest
    return honorific, remainder


def looks_like_noun(word: str) -> bool:
    return len(word) > 6 and bool(_noun_suffix_re().search(word))


def name_token_ok(token: str, allow_country: bool = False, allow_noun: bool = False) -> bool:
    word = token.strip(",.;:()\"'“”")
    if not word:
        return True
    lex = lexicon()
    if word.casefold() in lex.particles:
        return True
    if not word[0].isupper():
        return False
    if len(word) == 1:
        return True  # an initial ("Thomas E. Whitfield")
    key = fold(word)
    if key in lex.non_name_words or (looks_like_noun(word) and not allow_noun):
        return False
    if word.isupper() and key in lex.function_words:
        return False  # "TO", "OF": a heading in capitals, not a name
    return allow_country or not is_country_word(key)


def is_country_word(key: str) -> bool:
    """A folded word that names a country in some language ("montenegro", "mauricio")."""
    return key in alias_table() and key not in _GIVEN_NAME_COUNTRIES


def name_like(text: str, min_tokens: int = 2) -> bool:
    """Looks like a personal name: a few capitalised words, no office or institution words."""
    text = decamel(text).strip(" ,.;:")
    if not text or any(c.isdigit() for c in text) or "@" in text or len(text) > 60:
        return False
    if has_office(text):
        return False
    tokens = text.split()
    if not 1 <= len(tokens) <= 6:
        return False
    core = countries = nouns = 0
    particles = lexicon().particles
    for token in tokens:
        if not name_token_ok(token, allow_country=True, allow_noun=True):
            return False
        if looks_like_noun(token.strip(",.;:()")):
            nouns += 1
        if is_country_word(fold(token.strip(",.;:()"))):
            countries += 1
        elif token.strip(",.").casefold() not in particles:
            core += 1
    # "Leticia Ruiz Montenegro", "Mauricio Durán": a surname or given name may be a country's
    # name in some language, but a line that is mostly country names is not a person
    # "Amade Miquidade Ussene": a surname may end like a noun ("-dade"), if the others do not
    return (
        core + countries >= min_tokens
        and core >= max(1, countries)
        and (nouns == 0 or core - nouns >= 2)
    )


def has_office(text: str) -> bool:
    """Does `text` name an office ("Minister", "Procureur général")? Fast, on folded text."""
    return bool(folded_pattern("addressees", "offices").search(folded(text)))


def is_title_line(text: str) -> bool:
    plain = decamel(text)
    if any(c.isdigit() for c in plain) or institution_start_re().match(plain):
        return False
    return has_office(plain)


@lru_cache(maxsize=1)
def generic_greeting_re() -> re.Pattern[str]:
    return re.compile("^" + bounded(lang.phrases("addressees", "generic_greetings")), re.I)
