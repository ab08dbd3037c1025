"""Reads for the import: earlier imports of a document, cases by UA reference, and the
officials directory as the importer matches addressees against it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urgent.cases.models import Case
from urgent.core.models import Organisation
from urgent.ingest.models import SourceDocument
from urgent.ingest.record import Target
from urgent.officials.models import ContactPoint, Official

# Fax numbers are compared by digits; a number printed without its country code still
# matches the full one when this many trailing digits agree.
FAX_SUFFIX_DIGITS = 8


def source_document_find(*, organisation: Organisation, sha256: str) -> SourceDocument | None:
    return (
        SourceDocument.objects.select_related("case", "update")
        .filter(organisation=organisation, sha256=sha256)
        .first()
    )


def source_document_list_unsaved(*, organisation: Organisation | None = None, limit: int = 10):
    """Documents read on the staff page but not yet saved as a case or an update."""
    documents = SourceDocument.objects.filter(case__isnull=True).select_related(
        "organisation", "created_by"
    )
    if organisation is not None:
        documents = documents.filter(organisation=organisation)
    return documents.order_by("-created_at")[:limit]


def reference_key(reference: str) -> str:
    """`UA 118/21`, `UA: 118/21`, `ua118/21` and `118/21` all compare equal."""
    text = " ".join(reference.split()).casefold()
    text = re.sub(r"^u\.?\s*a\.?\s*[:.]?\s*(?=\S)", "", text)
    return text.replace(" ", "")


def case_find_by_reference(*, organisation: Organisation, ua_number: str) -> Case | None:
    key = reference_key(ua_number)
    if not key:
        return None
    # The last characters of a reference ("/21", ".10") narrow the search to a few rows;
    # the comparison itself ignores the `UA` prefix and spacing.
    tail = key[-3:]
    candidates: QuerySet[Case] = Case.objects.filter(
        organisation=organisation, reference__iendswith=tail
    ).order_by("created_at")
    for case in candidates:
        if reference_key(case.reference) == key:
            return case
    return None


def text_key(value: str | None) -> str:
    """Case-, space- and punctuation-insensitive form of a name or a title."""
    return " ".join(re.sub(r"[.,;]", " ", value or "").split()).casefold()


def fax_digits(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    # "00" is the international prefix and a lone "0" the national trunk prefix
    return digits.lstrip("0")


def faxes_match(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= FAX_SUFFIX_DIGITS and long.endswith(short)


# How an addressee was recognised, in words for people.
MATCHED_BY = {
    "email": gettext_lazy("email"),
    "fax": gettext_lazy("fax"),
    "name and title": gettext_lazy("name and title"),
}


@dataclass
class DirectoryMatch:
    official: Official
    matched_by: str  # "email", "fax" or "name and title"


@dataclass
class Directory:
    """A snapshot of the officials directory taken once per import.

    Two columns of every official and every fax number are read once, so a document with
    ten addressees costs the same few queries as one with a single addressee, and the
    comparison is Unicode-aware on every database (SQLite's LIKE folds ASCII only).
    """

    by_email: dict[str, int] = field(default_factory=dict)
    faxes: list[tuple[str, int]] = field(default_factory=list)
    by_name_title: dict[tuple[str, str], list[tuple[int, str]]] = field(default_factory=dict)
    officials: dict[int, Official] = field(default_factory=dict)

    @classmethod
    def load(cls, *, emails: Iterable[str] = ()) -> Directory:
        directory = cls()
        wanted = sorted({e.strip().lower() for e in emails if e.strip()})
        if wanted:
            for official_id, value in ContactPoint.objects.filter(
                kind=ContactPoint.Kind.EMAIL, value__in=wanted
            ).values_list("official_id", "value"):
                directory.by_email.setdefault(value.lower(), official_id)
        for official_id, value in ContactPoint.objects.filter(
            kind=ContactPoint.Kind.FAX
        ).values_list("official_id", "value"):
            digits = fax_digits(value)
            if digits:
                directory.faxes.append((digits, official_id))
        for official_id, name, title, country in Official.objects.values_list(
            "id", "name", "title", "country"
        ):
            directory.by_name_title.setdefault((text_key(name), text_key(title)), []).append(
                (official_id, country)
            )
        return directory

    def add(self, official: Official, emails: Iterable[str], faxes: Iterable[str]) -> None:
        """Remember an official created during this import, so a later addressee reuses it."""
        self.officials[official.pk] = official
        for email in emails:
            self.by_email.setdefault(email.lower(), official.pk)
        for fax in faxes:
            digits = fax_digits(fax)
            if digits:
                self.faxes.append((digits, official.pk))
        key = (text_key(official.name), text_key(official.title))
        self.by_name_title.setdefault(key, []).append((official.pk, official.country))

    def match(self, target: Target, *, country: str = "") -> tuple[DirectoryMatch | None, str]:
        """The official this addressee already is, and a warning when a near match was refused."""
        candidates: list[tuple[int, str]] = []
        for email in target.emails:
            found = self.by_email.get(email.strip().lower())
            if found:
                candidates.append((found, "email"))
        for fax in target.faxes:
            digits = fax_digits(fax)
            for known, official_id in self.faxes:
                if faxes_match(digits, known):
                    candidates.append((official_id, "fax"))
                    break
        warning = ""
        for official_id, how in candidates:
            official = self._official(official_id)
            if official is None:
                continue
            if _names_differ(official.name, target.name):
                # A shared inbox or fax of a ministry serves several people: a different
                # name on the same address is someone else (or a successor), not this one.
                warning = _(
                    "%(name)s shares an address (%(how)s) with %(official)s in the directory "
                    "but has a different name, so a separate official was created; merge them "
                    "if they are the same person."
                ) % {"name": target.name, "how": MATCHED_BY[how], "official": official}
                continue
            return DirectoryMatch(official, how), ""
        name, title = text_key(target.name), text_key(target.title)
        if name or title:
            for official_id, official_country in self.by_name_title.get((name, title), []):
                # A bare office title ("Minister of Justice") is only the same addressee
                # within one country.
                if not name and (not country or official_country != country):
                    continue
                official = self._official(official_id)
                if official is not None:
                    return DirectoryMatch(official, "name and title"), warning
        return None, warning

    def _official(self, official_id: int) -> Official | None:
        if official_id not in self.officials:
            found = Official.objects.filter(pk=official_id).first()
            if found is None:
                return None
            self.officials[official_id] = found
        return self.officials[official_id]


def _names_differ(known: str, printed: str | None) -> bool:
    a, b = text_key(known), text_key(printed)
    return bool(a and b and a != b)


def case_staff_path(case: Case) -> str:
    """Where staff edit a case: the staff case editor, or the admin where there is none."""
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("staff_case_edit", args=[case.pk])
    except NoReverseMatch:
        return reverse("admin:cases_case_change", args=[case.pk])


def target_matches(*, targets: list[Target], country: str) -> list[DirectoryMatch | None]:
    """For each addressee, the official the import would reuse (shown before saving)."""
    directory = Directory.load(emails=[e for t in targets for e in t.emails])
    return [directory.match(target, country=country)[0] for target in targets]
