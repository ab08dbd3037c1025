"""The theme vocabulary: each theme's slug and readable name, in one place.

The importer names the themes it recognises with these slugs, the demo data uses them,
and a Theme row is created with this name the first time a theme is used.
"""

from __future__ import annotations

THEME_NAMES: dict[str, str] = {
    "torture": "Torture and ill-treatment",
    "enforced-disappearance": "Enforced disappearance",
    "death-penalty": "Death penalty",
    "prisoner-of-conscience": "Prisoner of conscience",
    "human-rights-defenders": "Human rights defenders",
    "freedom-of-expression": "Freedom of expression",
    "fair-trial": "Fair trial",
    "refugees-migrants": "Refugees and migrants",
    "arbitrary-detention": "Arbitrary detention",
}


def theme_name(slug: str) -> str:
    """The readable name of a theme; an unknown slug is spelled out ("new-theme": "New theme")."""
    return THEME_NAMES.get(slug) or slug.replace("-", " ").capitalize()
