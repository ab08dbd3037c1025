"""People (or named groups) at risk, found by capitalised name runs and how they are mentioned."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..record import Gender, Person
from . import lang
from .countries import alias_table, find_countries
from .lexicon import fold, folded, lexicon, words
from .names import is_country_word, looks_like_noun, split_honorific

_TOKEN_RE = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?|\d+|[^\w\s]")
_POSSESSIVE_RE = re.compile(r"['’]s$")
_ABBREVIATIONS = {"mr", "mrs", "ms", "dr", "st", "no", "jr", "sr", "prof", "gen", "col", "lt"}


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset[str]:
    """Every word of the tables' headings, labels, markers and instructions."""
    sections = {
        "headings": ("primary", "copy", "asks", "background", "letter", "end"),
        "kind": ("update", "urgent_action", "amnesty", "no_further_action"),
        "instructions": ("updates", "forward", "report", "site", "navigation", "series"),
        "labels": (
            "salutation",
            "fax",
            "phone",
            "email",
            "title",
            "subject",
            "date",
            "index",
            "language",
        ),
    }
    lex = lexicon()
    out = {
        fold(word)
        for section, keys in sections.items()
        for key in keys
        for phrase in lang.phrases(section, key)
        for word in re.findall(r"[^\W\d_]+", phrase)
    }
    return frozenset(w for w in out if len(w) > 2 and w not in lex.particles)


@lru_cache(maxsize=1)
def _organisation_words() -> tuple[str, ...]:
    return tuple(sorted({fold(w) for w in lang.phrases("words", "organisations")}))


def _names_organisation(tokens: tuple[str, ...]) -> bool:
    """'Colectivo de Abogados Tierra Viva', 'Menschenrechtsnetz': an organisation, not a person."""
    orgs = _organisation_words()
    return any(
        folded(t) in orgs or any(len(o) > 3 and folded(t).endswith(o) for o in orgs) for t in tokens
    )


@lru_cache(maxsize=1)
def _office_words() -> frozenset[str]:
    """Single office words ("minister", "gouverneur"): a name right after one is an official's."""
    return words(p for p in lang.phrases("addressees", "offices") if " " not in p)


@lru_cache(maxsize=1)
def _apposition() -> frozenset[str]:
    """Words that open a description right after a name and a comma ("X, a journalist")."""
    return words(lang.phrases("words", "apposition"))


@dataclass
class Mention:
    tokens: tuple[str, ...]
    before: list[str]
    after: list[str]
    zone: str
    order: int


@dataclass
class Group:
    tokens: tuple[str, ...]
    display: str
    first: int
    mentions: list[Mention] = field(default_factory=list)
    singles: int = 0


def _is_name_token(word: str) -> bool:
    if not word[0].isupper():
        return False
    lex = lexicon()
    key = folded(_POSSESSIVE_RE.sub("", word))
    if key in lex.non_name_words or key in lex.role_words:
        return False
    if key in lex.months or key in lex.weekdays:
        return False  # "On 20 June", "Tuesday": dates, though "Julio" and "June" are names too
    if key in _vocabulary():
        return False  # "BITTE SCHREIBEN", "GOED NIEUWS": headings in capitals
    if key in lex.function_words and key not in lex.particles:
        return False  # "Sie", "He", "Lei": pronouns and articles are never names
    if "-" in word and any(
        fold(p) in lex.non_name_words or fold(p) in alias_table() for p in word.split("-")
    ):
        return False
    if is_country_word(key):
        return False
    if looks_like_noun(word):
        return False
    return key not in _office_words()


def _country_in_name(token: str, run: list[str]) -> bool:
    """'Leticia Ruiz Montenegro': a country's name may close a name already two words long."""
    particles = lexicon().particles
    if sum(1 for t in run if t.casefold() not in particles) < 2 or not token[0].isupper():
        return False
    key = folded(_POSSESSIVE_RE.sub("", token))
    return is_country_word(key) and _is_name_token_but_country(token)


def _is_name_token_but_country(word: str) -> bool:
    lex = lexicon()
    key = folded(word)
    return not (key in lex.non_name_words or key in lex.function_words or looks_like_noun(word))


def _common_word(token: str, lowercase_words: set[str]) -> bool:
    """A capitalised sentence opener that the text also uses as an ordinary word."""
    low = token.casefold()
    if len(low) < 3:
        return False
    stem = low[:-1] if low.endswith("e") else low
    return any(
        form in lowercase_words
        for form in (low, low + "s", low + "d", low + "ed", stem + "ing", low + "ly")
    )


def _runs(segment: str, zone: str, order: int, lowercase_words: set[str]) -> list[Mention]:
    """Maximal runs of name-like tokens in one sentence or line."""
    tokens = [m.group() for m in _TOKEN_RE.finditer(segment)]
    lex = lexicon()
    out: list[Mention] = []
    i = 0
    sentence_start = True
    while i < len(tokens):
        tok = tokens[i]
        if not tok[0].isalpha():
            sentence_start = sentence_start or _ends_sentence(tokens, i)
            i += 1
            continue
        starts_here, sentence_start = sentence_start, False
        if not _opens_run(tok, starts_here):
            i += 1
            continue
        j = _run_end(tokens, i)
        run = [t for t in tokens[i:j] if t != "."]
        while run and run[-1].casefold() in lex.particles and not run[-1][0].isupper():
            run.pop()
        skip = _leading_words(run, starts_here, lowercase_words)
        if _opens_with_demand(run, zone, starts_here and skip == 0):
            skip = 1  # "1. Release Akmal Beispiel", "Uganda: Protect LGBTI activists": a verb
        run, start = run[skip:], i + skip
        core = [t for t in run if t.casefold() not in lex.particles and len(t) > 1]
        if core:
            cleaned = tuple(_POSSESSIVE_RE.sub("", t) for t in run)
            before = [t.casefold() for t in tokens[max(0, start - 6) : start]]
            after = [t.casefold() for t in tokens[j : j + 4]]
            out.append(Mention(cleaned, before, after, zone, order + start))
        i = j
    return out


def _ends_sentence(tokens: list[str], i: int) -> bool:
    tok = tokens[i]
    if tok not in '.!?:;•"“”«»()[]–—':
        return False
    abbreviation = (
        tok == "."
        and i > 0
        and (len(tokens[i - 1]) == 1 or tokens[i - 1].casefold() in _ABBREVIATIONS)
        and not tokens[i - 1].isdigit()  # "1. Release X": a numbered demand starts a sentence
    )
    return not abbreviation


def _opens_run(tok: str, starts_here: bool) -> bool:
    lex = lexicon()
    if starts_here and tok.casefold() in lex.function_words:
        return False
    particle_start = tok.casefold() in lex.particles and tok[0].isupper() and not starts_here
    return _is_name_token(tok) or particle_start


def _run_end(tokens: list[str], i: int) -> int:
    """Index after the last token of the name run that starts at i."""
    particles = lexicon().particles
    run = [tokens[i]]
    j = i + 1
    while j < len(tokens):
        nxt = tokens[j]
        if nxt == "." and len(run[-1]) == 1:
            j += 1
            continue
        if nxt[0].isalpha() and (
            _is_name_token(nxt)
            or _country_in_name(nxt, run)
            or (nxt.casefold() in particles and j + 1 < len(tokens))
        ):
            run.append(nxt)
            j += 1
            continue
        break
    return j


@lru_cache(maxsize=1)
def _demand_stems() -> frozenset[str]:
    return words(lang.phrases("demands", "verbs"))


def _opens_with_demand(run: list[str], zone: str, at_start: bool) -> bool:
    """A demand or a headline that opens with its verb; a name keeps two words after it."""
    if not at_start or not _demand_verb(run[0]):
        return False
    return (zone == "asks" and len(run) > 2) or zone == "title"


def _demand_verb(token: str) -> bool:
    """'Release', 'Libérez', 'Garantizar': a verb a demand opens with (stems in the tables)."""
    key = fold(token)
    return any(key == s or (len(s) >= 5 and key.startswith(s)) for s in _demand_stems())


def _leading_words(run: list[str], starts_here: bool, lowercase_words: set[str]) -> int:
    """How many tokens in front of a name are not the name: a courtesy style ("Maître",
    "M."), a role or trade ("Gewerkschafters", "Mensenrechtenadvocaat"), an elided article
    ("L'avvocata"), or a sentence's first word the text also uses in lower case."""
    skip = 0
    # "Verschwinden der Bauernführerin Marites Dumalag": the name starts after the last role
    for i in range(len(run) - 3, -1, -1):
        if _is_role(run[i]):
            skip = i + 1
            break
    while len(run) - skip > 2 or (len(run) - skip == 2 and skip == 0):
        tok = run[skip]
        styled = split_honorific(tok + " X")[1] == "X" or split_honorific(tok + ". X")[1] == "X"
        if _is_role(tok) or _elided(tok) or styled:
            skip += 1
            continue
        if skip == 0 and starts_here and not tok.isupper() and _common_word(tok, lowercase_words):
            skip += 1
            continue
        break
    return skip


def _is_role(token: str) -> bool:
    """'Gewerkschafters', 'Umweltverteidigerin', 'advocaat': a role, even inside a compound."""
    key = folded(token)
    roles = lexicon().role_words
    if key in roles or key.rstrip("s") in roles:
        return True
    return len(key) > 8 and any(key.endswith(r) for r in _long_roles())


@lru_cache(maxsize=1)
def _long_roles() -> tuple[str, ...]:
    return tuple(r for r in lexicon().role_words if len(r) >= 6)


def _elided(token: str) -> bool:
    """An article glued to a common noun: "L'avvocata", "d'Amnesty"."""
    m = re.match(r"^[A-Za-z][’']([^\W\d_]+)", token)
    return m is not None and (m.group(1)[:1].islower() or _is_role(m.group(1)))


def _subsequence(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    it = iter(t.casefold() for t in long)
    return all(any(s.casefold() == x for x in it) for s in short)


def _gender(text: str, group: Group) -> Gender | None:
    for m in group.mentions:
        if m.after[:3] in (["(", "m", ")"], ["(", "f", ")"]):
            return "m" if m.after[1] == "m" else "f"
    surname = re.escape(group.tokens[-1])
    lex = lexicon()
    male = female = 0
    for hit in re.finditer(surname, text):
        window = re.findall(r"[^\W\d_]+", text[hit.end() : hit.end() + 220].casefold())
        male += sum(1 for w in window if w in lex.male_words)
        female += sum(1 for w in window if w in lex.female_words)
    if male > female:
        return "m"
    if female > male:
        return "f"
    return None


def find_persons(
    segments: list[tuple[str, str]],
    exclude_names: list[str],
    full_text: str,
) -> list[Person]:
    """segments: (zone, text) with zone in {"title", "header", "asks", "body"}.

    `exclude_names` are the addressees: an official is not a person at risk."""
    mentions = _mentions(segments, full_text)
    particles = lexicon().particles
    multi = [m for m in mentions if sum(1 for t in m.tokens if t.casefold() not in particles) >= 2]
    groups = _groups(multi, [m for m in mentions if m not in multi])
    mentioned = {tuple(t.casefold() for t in m.tokens) for m in multi}
    addressees = [tuple(fold(t) for t in name.split()) for name in exclude_names]
    people: list[tuple[int, Person]] = []
    for g in groups:
        _trim_leading_noun(g, mentioned)
        if _is_addressee(g, addressees) or _names_organisation(g.tokens):
            continue
        score, official = _score_mentions(g.mentions)
        score += g.singles
        # named in the headline and nowhere else: a place or a slogan ("in Cabo Delgado",
        # "Protect LGBTI activists"); a person at risk is named again in the text
        if official or score < 3 or _headline_only(g):
            continue
        people.append((g.first, Person(g.display, _gender(full_text, g))))
    people.sort(key=lambda p: p[0])
    return [p for _, p in people]


def _headline_only(group: Group) -> bool:
    return all(m.zone in ("title", "headline") for m in group.mentions) and not group.singles


def _mentions(segments: list[tuple[str, str]], full_text: str) -> list[Mention]:
    mentions: list[Mention] = []
    order = 0
    lowercase_words = set(re.findall(r"(?<![\w'’-])[a-zà-ÿ][a-zà-ÿ'’-]*", full_text))
    for zone, text in segments:
        if (zone == "title" and _headline_case(text)) or _caps_heading(text):
            zone = "headline"
        mentions.extend(_runs(text, zone, order, lowercase_words))
        order += 10000
    return mentions


def _caps_heading(text: str) -> bool:
    """'GUATEMALA: DEFENDER RECEIVES THREATS': capitals that say nothing about names."""
    return text.isupper() and len(text.split()) >= 4


def _groups(multi: list[Mention], singles: list[Mention]) -> list[Group]:
    """One group per person: the longest form of a name collects its shorter mentions."""
    groups: list[Group] = []
    for m in sorted(multi, key=lambda m: (-len(m.tokens), m.order)):
        if m.zone == "headline":
            continue
        for g in groups:
            if _subsequence(m.tokens, g.tokens):
                g.mentions.append(m)
                g.first = min(g.first, m.order)
                break
        else:
            groups.append(Group(m.tokens, " ".join(m.tokens), m.order, [m]))
    for m in multi:
        if m.zone != "headline":
            continue
        for g in groups:
            if _subsequence(m.tokens, g.tokens) or _subsequence(g.tokens, m.tokens):
                g.mentions.append(m)
                break
    for single in singles:
        key = single.tokens[-1].casefold()
        for g in groups:
            if key == g.tokens[-1].casefold():
                g.singles += 1
                break
    return groups


def _is_addressee(group: Group, addressees: list[tuple[str, ...]]) -> bool:
    """The same person as an addressee: one name's words all appear in the other's."""
    tokens = tuple(fold(t) for t in group.tokens)
    for name in addressees:
        if not name:
            continue
        if set(name) <= set(tokens) or set(tokens) <= set(name):
            return True
    return False


def _score_mentions(mentions: list[Mention]) -> tuple[float, bool]:
    """How much the mentions of one name say it is a person at risk; whether an official."""
    lex = lexicon()
    offices, apposition = _office_words(), _apposition()
    score = 0.0
    official = False
    for m in mentions:
        score += 0.0 if m.zone == "headline" else 1.5
        if m.zone in ("title", "headline"):
            score += 3
        if m.zone == "header" and (
            m.after[:1] in ([","], ["("]) or find_countries(" ".join(m.before))
        ):
            score += 3
        if m.zone == "asks":
            score += 2
        before = [t for t in m.before if t.isalpha()]
        if before and before[-1] in lex.role_words:
            score += 2
        if m.after[:1] == [","] and m.after[1:2] and m.after[1] in apposition:
            score += 2
        if m.after[:3] in (["(", "m", ")"], ["(", "f", ")"]):
            score += 3
        if any(t in lex.victim_words for t in before):
            score -= 4
        if before and before[-1] in offices and not _label_before(m):
            official = True
        if m.after[:1] == [","] and any(t in offices for t in m.after[1:4]):
            official = True
    return score, official


def _label_before(mention: Mention) -> bool:
    """'Re: Sanjar Beispiel': a label ("re" is also the Italian king), not an office."""
    return mention.before[-1:] == [":"]


def _trim_leading_noun(group: Group, mentioned: set[tuple[str, ...]]) -> None:
    """'Festnahme von Shirin Karimi' -> 'Shirin Karimi' when only the tail is ever named alone."""
    tokens = group.tokens
    for k, token in enumerate(tokens[1:-1], start=1):
        if token.casefold() in lexicon().particles and not token[0].isupper():
            head = tuple(t.casefold() for t in tokens[:k])
            tail = tuple(t.casefold() for t in tokens[k + 1 :])
            if len(tail) >= 2 and tail in mentioned and head not in mentioned:
                group.tokens = tokens[k + 1 :]
                group.display = " ".join(group.tokens)
            return


def _headline_case(text: str) -> bool:
    """A Title Case Headline, where capitals say nothing about names."""
    words_ = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if len(w) > 3]
    if len(words_) < 3:
        return False
    caps = sum(1 for w in words_ if w[0].isupper())
    return caps / len(words_) >= 0.7
