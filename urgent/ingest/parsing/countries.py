"""Country names in every language of the tables: pycountry's ISO names plus CLDR's
(Babel) names of each territory in each language."""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry
from babel import Locale

from . import lang
from .lexicon import fold

# The spelling case sheets use where ISO's short name is a long or inverted form.
DISPLAY_NAMES = {
    "US": "USA",
    "GB": "UK",
    "IR": "Iran",
    "KR": "South Korea",
    "KP": "North Korea",
    "SY": "Syria",
    "BO": "Bolivia",
    "VE": "Venezuela",
    "TZ": "Tanzania",
    "MD": "Moldova",
    "LA": "Laos",
    "TW": "Taiwan",
    "PS": "Palestine",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FM": "Micronesia",
    "VA": "Holy See",
    "BN": "Brunei",
    "RU": "Russian Federation",
    "TR": "Turkey",
    "CZ": "Czech Republic",
}

# Everyday names pycountry does not carry (English unless marked).
EXTRA_ALIASES = {
    "US": "us|usa|u.s.a.|u.s.|united states of america|america|eeuu|ee.uu.|ee. uu.|états-unis|"
    "etats-unis|estados unidos|vereinigte staaten|vereinigten staaten",
    "GB": "uk|u.k.|britain|great britain|england|scotland|wales|northern ireland|"
    "royaume-uni|reino unido|großbritannien|grossbritannien|vereinigtes königreich",
    "RU": "russia|russie|rusia|russland|russische föderation",
    "TR": "turkey|turquie|turquía|türkei",
    "MM": "burma|birmanie|birmania",
    "CD": "drc|dr congo|democratic republic of congo|rdc|république démocratique du congo|"
    "república democrática del congo|demokratische republik kongo",
    "CI": "ivory coast|côte d'ivoire",
    "SZ": "swaziland",
    "MK": "macedonia",
    "CZ": "czech republic",
    "VN": "vietnam|viêtnam|viet nam",
    "KR": "south korea|korea|corée du sud|corea del sur|südkorea",
    "KP": "north korea|corée du nord|corea del norte|nordkorea",
    "PS": "palestine|occupied palestinian territories|gaza|west bank",
    "SY": "syria|syrie|siria|syrien",
    "IR": "iran|irán",
    "AE": "uae|emirates",
    "SA": "saudi arabia|arabie saoudite|arabia saudita|arabia saudí|saudi-arabien",
    "CN": "china|prc|chine|people's republic of china",
    "LA": "laos",
    "BO": "bolivia|bolivie",
    "VE": "venezuela",
    "TZ": "tanzania|tanzanie",
    "MD": "moldova|moldavie",
    "TW": "taiwan|taïwan",
    "HK": "hong kong",
    "NL": "holland",
}

# Short aliases that collide with ordinary words unless written in capitals.
CASE_SENSITIVE = {"US", "UK", "USA", "UAE", "DRC", "PRC", "RDC", "U.S.", "U.K."}

# Adjectives, used only as weak evidence when the text names no country outright.
DEMONYMS = {
    "american": "US",
    "chinese": "CN",
    "russian": "RU",
    "iranian": "IR",
    "egyptian": "EG",
    "saudi": "SA",
    "turkish": "TR",
    "mexican": "MX",
    "honduran": "HN",
    "guatemalan": "GT",
    "colombian": "CO",
    "venezuelan": "VE",
    "brazilian": "BR",
    "cuban": "CU",
    "nicaraguan": "NI",
    "bahraini": "BH",
    "emirati": "AE",
    "syrian": "SY",
    "iraqi": "IQ",
    "israeli": "IL",
    "palestinian": "PS",
    "belarusian": "BY",
    "ukrainian": "UA",
    "kazakh": "KZ",
    "uzbek": "UZ",
    "tajik": "TJ",
    "turkmen": "TM",
    "azerbaijani": "AZ",
    "vietnamese": "VN",
    "cambodian": "KH",
    "thai": "TH",
    "burmese": "MM",
    "indian": "IN",
    "pakistani": "PK",
    "bangladeshi": "BD",
    "sri lankan": "LK",
    "nigerian": "NG",
    "ethiopian": "ET",
    "eritrean": "ER",
    "sudanese": "SD",
    "cameroonian": "CM",
    "congolese": "CD",
    "zimbabwean": "ZW",
    "filipino": "PH",
    "indonesian": "ID",
    "malaysian": "MY",
    "algerian": "DZ",
    "moroccan": "MA",
    "tunisian": "TN",
    "libyan": "LY",
    "yemeni": "YE",
    "kuwaiti": "KW",
    "qatari": "QA",
    "omani": "OM",
    "jordanian": "JO",
    "lebanese": "LB",
}

US_STATES = [
    "alabama",
    "alaska",
    "arizona",
    "arkansas",
    "california",
    "colorado",
    "connecticut",
    "delaware",
    "florida",
    "hawaii",
    "idaho",
    "illinois",
    "indiana",
    "iowa",
    "kansas",
    "kentucky",
    "louisiana",
    "maine",
    "maryland",
    "massachusetts",
    "michigan",
    "minnesota",
    "mississippi",
    "missouri",
    "montana",
    "nebraska",
    "nevada",
    "new hampshire",
    "new jersey",
    "new mexico",
    "new york",
    "north carolina",
    "north dakota",
    "ohio",
    "oklahoma",
    "oregon",
    "pennsylvania",
    "rhode island",
    "south carolina",
    "south dakota",
    "tennessee",
    "texas",
    "utah",
    "vermont",
    "virginia",
    "west virginia",
    "wisconsin",
    "wyoming",
]

US_STATE_KEYS = frozenset(fold(s) for s in US_STATES)
_CASE_SENSITIVE_PLAIN = {a.replace(".", "") for a in CASE_SENSITIVE}
_TOKEN_RE = re.compile(r"[\w'’.]+(?:-[\w'’.]+)*|[^\w\s]")


def _add_name(table: dict[str, str], name: str, code: str) -> None:
    if "," in name:
        # "Korea, Republic of" -> "Republic of Korea"
        head, _, tail = name.partition(",")
        name = f"{tail.strip()} {head.strip()}"
    table.setdefault(fold(name).rstrip("."), code)


@lru_cache(maxsize=1)
def alias_table() -> dict[str, str]:
    """folded alias -> alpha-2 code."""
    table: dict[str, str] = {}
    iso_codes = {country.alpha_2 for country in pycountry.countries}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                _add_name(table, value, country.alpha_2)
    for code in lang.tables():
        for territory, name in Locale.parse(code).territories.items():
            if territory in iso_codes:
                _add_name(table, name, territory)
    for code, aliases in EXTRA_ALIASES.items():
        for alias in aliases.split("|"):
            table[fold(alias).rstrip(".")] = code
    for state in US_STATES:
        table.setdefault(fold(state), "US")
    # "Georgia" and "Washington" are countries/cities far more often than US states.
    table["georgia"] = "GE"
    table.pop("washington", None)
    return table


@lru_cache(maxsize=1)
def _max_alias_words() -> int:
    return max(len(a.split()) for a in alias_table())


def display_name(code: str) -> str:
    if code in DISPLAY_NAMES:
        return DISPLAY_NAMES[code]
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, int], frozenset[str]]:
    """first word of each alias -> longest alias length in words; folded US state names."""
    firsts: dict[str, int] = {}
    for alias in alias_table():
        parts = alias.split()
        firsts[parts[0]] = max(firsts.get(parts[0], 0), len(parts))
    return firsts, frozenset(fold(s) for s in US_STATES)


@lru_cache(maxsize=8192)
def _fold_token(token: str) -> str:
    return fold(token)


def find_countries(text: str) -> list[tuple[int, str, bool]]:
    """(offset, code, is_us_state) for each country mention, longest alias first."""
    table = alias_table()
    firsts, states = _index()
    tokens = [(m.start(), m.group()) for m in _TOKEN_RE.finditer(text)]
    out: list[tuple[int, str, bool]] = []
    i = 0
    while i < len(tokens):
        first = tokens[i][1]
        if not first[0].isupper():
            i += 1
            continue
        folded_first = _fold_token(first)
        max_n = firsts.get(folded_first.rstrip("."), 0)
        if not max_n and "-" not in first and not folded_first.endswith("'s"):
            i += 1
            continue
        matched = 0
        for n in range(min(max(max_n, 1), len(tokens) - i), 0, -1):
            phrase = " ".join(t for _, t in tokens[i : i + n])
            key = " ".join(_fold_token(t) for _, t in tokens[i : i + n]).rstrip(".")
            if n == 1:
                key = re.sub(r"'s$", "", key)
            code = table.get(key)
            if code is None and n == 1 and "-" in phrase:
                # "US-Bundesstaat": a country word glued to a common noun
                head = phrase.split("-")[0]
                key = _fold_token(head)
                code = table.get(key)
                phrase = head
            if code is None:
                continue
            if phrase.replace(".", "").upper() in _CASE_SENSITIVE_PLAIN and not phrase.isupper():
                continue
            out.append((tokens[i][0], code, key in states))
            matched = n
            break
        i += matched or 1
    return out


def alias_key(text: str) -> str | None:
    """The country code when `text` is exactly a country's name, in any table language."""
    return alias_table().get(fold(text).rstrip("."))


def demonym_code(word: str) -> str | None:
    return DEMONYMS.get(word.casefold())
