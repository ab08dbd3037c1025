"""Themes, and the evidence that a text is a case sheet at all."""

from __future__ import annotations

import re

THEME_PATTERNS: dict[str, re.Pattern[str]] = {
    "torture": re.compile(
        r"\btortur\w*|ill[-\s]treatment|mauvais\s+traitements|malos\s+tratos|\bfolter\w*|"
        r"misshandl\w*"
    ),
    "enforced-disappearance": re.compile(
        r"enforced\s+disappear\w*|\bdisappeared\b|whereabouts|incommunicado|"
        r"disparition\s+forcée|disparu[e]?s?\b|desaparici[óo]n\s+forzada|desaparecid[oa]s?|"
        r"paradero|verschwindenlassen|verschwunden|aufenthaltsort"
    ),
    "death-penalty": re.compile(
        r"death\s+penalty|death\s+sentence|sentenced\s+to\s+death|death\s+row|\bexecut(?:ion|ed|e)\b|"
        r"peine\s+de\s+mort|condamn[ée]+\s+à\s+mort|\bexécution|pena\s+de\s+muerte|"
        r"condenad[oa]\s+a\s+muerte|\bejecuci[óo]n|todesstrafe|todesurteil|hinrichtung\w*|todeszelle"
    ),
    "prisoner-of-conscience": re.compile(
        r"prisoners?\s+of\s+conscience|prisonni\w+\s+d['’]opinion|pres[oa]s?\s+de\s+conciencia|"
        r"gewaltlose[rn]?\s+politische[rn]?\s+gefangene|solely\s+for\s+(?:peacefully\s+)?exercising"
    ),
    "human-rights-defenders": re.compile(
        r"human\s+rights\s+defenders?|\bhrds?\b|\bactivists?\b|défenseu\w+\s+des\s+droits|"
        r"defensor\w*\s+de\s+(?:los\s+)?derechos|menschenrechtsverteidiger\w*|aktivist\w*|"
        r"\bmilitant\w*\s+des\s+droits"
    ),
    "freedom-of-expression": re.compile(
        r"freedom\s+of\s+expression|free\s+speech|journalists?\b|bloggers?\b|"
        r"libert[ée]\s+d['’]expression|journalistes?\b|libertad\s+de\s+expresi[óo]n|periodistas?\b|"
        r"meinungsfreiheit|journalist\w*"
    ),
    "fair-trial": re.compile(
        r"fair\s+trial|unfair\s+trial|access\s+to\s+(?:a\s+)?lawyers?|procès\s+(?:in)?équitable|"
        r"juicio\s+(?:justo|injusto)|faire[sn]?\s+(?:gerichts)?verfahren|rechtsbeistand"
    ),
    "refugees-migrants": re.compile(
        r"refugees?\b|asylum|migrants?\b|deport\w*|réfugi\w+|demandeu\w+\s+d['’]asile|"
        r"refugiad\w+|solicitantes?\s+de\s+asilo|migrantes?|flüchtling\w*|\basyl\w*|abschiebung\w*"
    ),
    "arbitrary-detention": re.compile(
        r"arbitrar\w+\s+(?:detention|detained|arrest)|détention\s+arbitraire|"
        r"detenci[óo]n\s+arbitraria|willkürlich\w*\s+(?:inhaftiert|festgenommen|haft)"
    ),
}


_THEME_HINTS = re.compile(
    r"tortur|treat|traite|trato|folter|misshandl|disappear|dispar|desapar|whereabouts|"
    r"incommunicado|paradero|verschw|aufenthalt|death|execut|mort|exécu|muerte|ejecu|todes|"
    r"hinricht|conscience|opinion|conciencia|gefangen|solely|defender|hrd|activist|défenseu|"
    r"defensor|verteidiger|aktivist|militant|expression|speech|journalist|blogger|expresi|"
    r"periodist|meinungsfreiheit|trial|lawyer|procès|juicio|verfahren|rechtsbeistand|"
    r"refug|asyl|migra|deport|réfugi|asile|flüchtling|abschieb|arbitrar|willkürlich"
)


def find_themes(text: str) -> list[str]:
    lowered = text.casefold()
    if not _THEME_HINTS.search(lowered):
        return []
    counts = []
    for slug, pattern in THEME_PATTERNS.items():
        n = len(pattern.findall(lowered))
        if n:
            counts.append((-n, slug))
    return [slug for _, slug in sorted(counts)]


_APPEAL_PHRASE_RE = re.compile(
    r"urgent\s+(?:action|appeal)|action\s+urgente|acci[óo]n\s+urgente|eilaktion|"
    r"appel\s+(?:urgent|à\s+mobilisation)|llamamiento\s+urgente|urgent\s+intervention|"
    r"mobilisons-nous|take\s+action|agissez|act[úu]a|mitmachen",
    re.I,
)
_WRITE_RE = re.compile(
    r"\bwrite\s+to\b|send\s+appeals|letters?\b|lettres?\b|cartas?\b|\bbriefe?\b|"
    r"écrivez|escriban|schreiben\s+sie|appell|appeals?\b|appels?\b|llamamientos?",
    re.I,
)
_RIGHTS_RE = re.compile(
    r"human\s+rights|droits\s+(?:humains|de\s+l['’]homme)|derechos\s+humanos|menschenrechte",
    re.I,
)


def case_sheet_score(
    text: str,
    *,
    ua_number: str | None,
    index_number: str | None,
    targets_with_contacts: int,
    targets_any: int,
    salutation: bool,
    bullet_asks: bool,
    any_asks: bool,
    deadline: bool,
    themes: list[str],
) -> int:
    score = 0
    score += 3 if ua_number else 0
    score += 2 if index_number else 0
    score += 3 if targets_with_contacts else (1 if targets_any else 0)
    score += 2 if salutation else 0
    score += 2 if bullet_asks else (1 if any_asks else 0)
    score += 2 if deadline else 0
    score += 2 if _APPEAL_PHRASE_RE.search(text) else 0
    score += 1 if _WRITE_RE.search(text) else 0
    score += 1 if _RIGHTS_RE.search(text) else 0
    score += min(2, len(themes))
    return score
