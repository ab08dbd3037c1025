"""The import service: a case-sheet file becomes a draft case, its people, asks and targets.

Reading (extraction and parsing) is pure and happens before any write, so bad input is
refused with nothing stored. The writes go through the services of `cases` and
`officials` only, in one transaction per document. A document is remembered by its
SHA-256 and a case by its UA reference, so importing the same appeal twice never makes a
second case: the result names the case it matches and, for a Further Information, offers
to add it to that case as an update.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from urgent.cases import services as case_services
from urgent.cases.models import Case, Theme, Update
from urgent.core.audit import audit_record
from urgent.core.errors import ApplicationError
from urgent.core.models import Organisation
from urgent.core.selectors import organisation_default
from urgent.ingest.convert import (
    PRONOUNS,
    THEME_NAMES,
    case_reference,
    contact_key,
    contact_points,
    country_code,
    date_field,
    mark,
    official_data,
    sheet_from_record,
)
from urgent.ingest.errors import IngestError
from urgent.ingest.extract import Extracted, extract_text
from urgent.ingest.models import SourceDocument, source_document_path
from urgent.ingest.parser import parse_case_sheet
from urgent.ingest.parsing.contacts import dial_form
from urgent.ingest.record import CaseSheet
from urgent.ingest.selectors import Directory, case_find_by_reference, source_document_find
from urgent.officials import services as official_services
from urgent.officials.models import ContactPoint, Official

Actor = AbstractBaseUser | AnonymousUser | None


class Outcome(StrEnum):
    CREATED = "created"
    ALREADY_IMPORTED = "already_imported"  # the same file (same SHA-256) was imported before
    REFERENCE_EXISTS = "reference_exists"  # another document of a case already here
    UPDATE_ADDED = "update_added"


@dataclass
class TargetResult:
    official: Official
    role: str
    created: bool
    matched_by: str = ""
    contact_points_added: list[str] = field(default_factory=list)


@dataclass
class ReadDocument:
    """A file read and parsed, not yet stored."""

    data: bytes
    filename: str
    sha256: str
    extracted: Extracted
    sheet: CaseSheet


@dataclass
class ImportResult:
    outcome: Outcome
    sheet: CaseSheet
    source: SourceDocument | None = None
    case: Case | None = None
    update: Update | None = None
    targets: list[TargetResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    published: bool = False
    publish_refused: str = ""

    @property
    def missing(self) -> list[str]:
        return list(self.sheet.missing)

    @property
    def uncertain(self) -> list[str]:
        return list(self.sheet.uncertain)

    @property
    def officials_created(self) -> list[Official]:
        return [t.official for t in self.targets if t.created]

    @property
    def officials_reused(self) -> list[TargetResult]:
        return [t for t in self.targets if not t.created]

    @property
    def update_offered(self) -> bool:
        """The document is a Further Information on a case already here: add it as an update."""
        return (
            self.outcome == Outcome.REFERENCE_EXISTS
            and self.sheet.kind == "update"
            and self.case is not None
        )


def document_read(*, data: bytes, filename: str | None) -> ReadDocument:
    """Extract and parse a file; raises IngestError for anything that is not a case sheet."""
    extracted = extract_text(data, filename)
    sheet = parse_case_sheet(extracted.text)
    return ReadDocument(
        data=data,
        filename=(filename or "").replace("\\", "/").rsplit("/", 1)[-1][:255],
        sha256=hashlib.sha256(data).hexdigest(),
        extracted=extracted,
        sheet=sheet,
    )


def case_import(
    *,
    data: bytes,
    filename: str | None,
    organisation: Organisation,
    actor: Actor,
    publish: bool = False,
    add_update: bool = False,
) -> ImportResult:
    """Import one document: a new draft case, or the case it already is.

    With `add_update`, a Further Information on a case already here is posted to it as an
    update instead of only being offered.
    """
    document = document_read(data=data, filename=filename)
    with _files_removed_on_failure() as written, transaction.atomic():
        existing = source_document_find(organisation=organisation, sha256=document.sha256)
        if existing is not None and (existing.case_id or existing.update_id):
            return ImportResult(
                Outcome.ALREADY_IMPORTED,
                document.sheet,
                source=existing,
                case=existing.case,
                update=existing.update,
            )
        matched = _case_matching(organisation=organisation, sheet=document.sheet)
        if matched is not None:
            result = ImportResult(Outcome.REFERENCE_EXISTS, document.sheet, case=matched)
            if add_update and result.update_offered:
                source = existing or _source_document_create(
                    document=document, organisation=organisation, actor=actor, written=written
                )
                return update_import(source=source, case=matched, actor=actor)
            return result
        source = existing or _source_document_create(
            document=document, organisation=organisation, actor=actor, written=written
        )
        return case_import_save(source=source, sheet=document.sheet, actor=actor, publish=publish)


def source_document_create(
    *, data: bytes, filename: str | None, organisation: Organisation, actor: Actor
) -> SourceDocument:
    """Read a file and keep it, with its text and parsed record, until a case is saved from it.

    The same file read again returns the document stored the first time.
    """
    document = document_read(data=data, filename=filename)
    with _files_removed_on_failure() as written, transaction.atomic():
        existing = source_document_find(organisation=organisation, sha256=document.sha256)
        if existing is not None:
            if existing.case_id is None and existing.update_id is None:
                # read again with the current parser: a correction to it shows up at once
                existing.text = document.extracted.text
                existing.record = document.sheet.to_json_dict()
                existing.warnings = list(document.extracted.warnings)
                existing.save(update_fields=["text", "record", "warnings", "updated_at"])
            return existing
        return _source_document_create(
            document=document, organisation=organisation, actor=actor, written=written
        )


def source_document_match(*, source: SourceDocument) -> Case | None:
    """The case this document belongs to already, by the file itself or by its UA reference."""
    if source.case_id is not None:
        return source.case
    return _case_matching(organisation=source.organisation, sheet=sheet_from_record(source.record))


def _kind_warnings(sheet: CaseSheet, warnings: list[str]) -> list[str]:
    """What staff must know about a document that is not a section's own first appeal."""
    if sheet.kind == "update":
        warnings.append(
            _(
                "This is a Further Information, but the case it follows is not here; it was "
                "imported as a new draft case."
            )
        )
    elif sheet.kind == "other_org":
        warnings.append(_("This appeal comes from another organisation; check its source."))
    return warnings


def _country_checked(sheet: CaseSheet, warnings: list[str]) -> str:
    country = country_code(sheet.country)
    if sheet.country and not country:
        warnings.append(
            _("The country “%(name)s” has no ISO code; set the country on the case.")
            % {"name": sheet.country}
        )
        mark(sheet, "country", missing=True)
    return country


def _case_fields(
    sheet: CaseSheet, *, source: SourceDocument, warnings: list[str]
) -> tuple[str, dict[str, Any]]:
    """The case's reference and the fields read from the record, cut to the columns."""
    fields: dict[str, Any] = {
        "index_number": (sheet.index_number or "")[:60],
        "story": sheet.story or "",
        "background": sheet.background or "",
        "issued_on": date_field(sheet, "date_issued", warnings),
        "deadline": date_field(sheet, "deadline", warnings),
        "language": (sheet.language or "en")[:8],
    }
    reference = case_reference(sheet.ua_number) or f"IMPORT {source.sha256[:8].upper()}"
    subject = (sheet.update_request.subject or "") if sheet.update_request else ""
    if subject and " ".join(subject.split()) != f"Keep me updated on {reference}":
        fields["update_request_subject"] = " ".join(subject.split())[:200]
    return reference, fields


@transaction.atomic
def case_import_save(
    *,
    source: SourceDocument,
    sheet: CaseSheet,
    actor: Actor,
    publish: bool = False,
    people: Sequence[Mapping[str, str]] | None = None,
) -> ImportResult:
    """Create the case a (possibly corrected) record describes, and attach the document to it.

    `people` (name, pronouns, visibility) replaces the record's persons when staff chose
    how each name is shown.
    """
    source = SourceDocument.objects.select_for_update().get(pk=source.pk)
    if source.case_id is not None or source.update_id is not None:
        # a second submit of the same form: the case exists, nothing is made twice
        return ImportResult(
            Outcome.ALREADY_IMPORTED, sheet, source=source, case=source.case, update=source.update
        )
    warnings = _kind_warnings(sheet, list(source.warnings))
    country = _country_checked(sheet, warnings)
    reference, fields = _case_fields(sheet, source=source, warnings=warnings)
    case = case_services.case_create(
        organisation=source.organisation,
        reference=reference,
        headline=(sheet.headline or sheet.title or "")[:300],
        country=country,
        actor=actor,
        themes=_themes(sheet.themes),
        **fields,
    )
    if people is None:
        people = [
            {"name": p.name[:200], "pronouns": PRONOUNS.get(p.gender or "", "")}
            for p in sheet.persons
        ]
    case_services.case_people_set(case=case, actor=actor, people=people)
    case_services.case_asks_set(case=case, actor=actor, asks=sheet.asks)
    targets = _targets_add(case=case, sheet=sheet, actor=actor, warnings=warnings)
    source.case = case
    source.save(update_fields=["case", "updated_at"])
    result = ImportResult(
        Outcome.CREATED, sheet, source=source, case=case, targets=targets, warnings=warnings
    )
    if publish:
        try:
            result.case = case_services.case_publish(case=case, actor=actor)
            result.published = True
        except ApplicationError as exc:
            result.publish_refused = exc.message
    return result


@transaction.atomic
def update_import(*, source: SourceDocument, case: Case, actor: Actor) -> ImportResult:
    """Post a Further Information document to the case it is about, once."""
    source = SourceDocument.objects.select_for_update().get(pk=source.pk)
    sheet = sheet_from_record(source.record)
    if source.update_id is not None or source.case_id is not None:
        return ImportResult(
            Outcome.ALREADY_IMPORTED, sheet, source=source, case=source.case, update=source.update
        )
    issued = date_field(sheet, "date_issued", [])
    body = "\n\n".join(part for part in (sheet.story, sheet.background) if part) or source.text
    update = case_services.update_post(
        case=case,
        actor=actor,
        title=(sheet.headline or sheet.title or "")[:300],
        body=body,
        issued_on=issued,
        asks=sheet.asks or None,
    )
    source.case = case
    source.update = update
    source.save(update_fields=["case", "update", "updated_at"])
    return ImportResult(Outcome.UPDATE_ADDED, sheet, source=source, case=case, update=update)


@transaction.atomic
def source_document_discard(*, source: SourceDocument, actor: Actor) -> None:
    """Forget a document read but never saved; a document of a case is kept with it."""
    source = SourceDocument.objects.select_for_update().get(pk=source.pk)
    if source.case_id is not None or source.update_id is not None:
        raise ApplicationError(_("This document belongs to a case and is kept with it."))
    name = source.file.name
    audit_record(
        actor=actor,
        action="source_document.discard",
        obj=source,
        before={"filename": source.filename, "sha256": source.sha256},
    )
    source.delete()
    if name and not SourceDocument.objects.filter(file=name).exists():
        transaction.on_commit(lambda: default_storage.delete(name))


# ---------------------------------------------------------------------------
# Field conversions


def _case_matching(*, organisation: Organisation, sheet: CaseSheet) -> Case | None:
    if not sheet.ua_number:
        return None
    return case_find_by_reference(organisation=organisation, ua_number=sheet.ua_number)


def _themes(slugs: list[str]) -> list[Theme]:
    themes = []
    for slug in dict.fromkeys(slugs):
        name = THEME_NAMES.get(slug) or slug.replace("-", " ").capitalize()
        themes.append(Theme.objects.get_or_create(slug=slug[:60], defaults={"name": name})[0])
    return themes


# ---------------------------------------------------------------------------
# Targets and the officials directory


def _targets_add(
    *, case: Case, sheet: CaseSheet, actor: Actor, warnings: list[str]
) -> list[TargetResult]:
    directory = Directory.load(emails=[e for t in sheet.targets for e in t.emails])
    results: list[TargetResult] = []
    seen: set[int] = set()
    for target in sheet.targets:
        contacts, notes = contact_points(target)
        warnings.extend(notes)
        match, warning = directory.match(target, country=case.country)
        if warning:
            warnings.append(warning)
        if match is None:
            data = official_data(target, contacts, country=case.country)
            if data is None:
                warnings.append(_("An addressee with no name, title or address was left out."))
                continue
            official = official_services.official_create(
                actor=actor,
                data=data,
                contact_points=contacts,
                dials=_dial_forms(contacts, country=data["country"]),
            )
            directory.add(
                official,
                emails=[v for k, v in contacts if k == ContactPoint.Kind.EMAIL],
                faxes=[v for k, v in contacts if k == ContactPoint.Kind.FAX],
            )
            result = TargetResult(official, target.role, created=True)
        else:
            official = match.official
            result = TargetResult(official, target.role, created=False, matched_by=match.matched_by)
            result.contact_points_added = _contact_points_merge(official, contacts, actor)
        if official.pk in seen:
            warnings.append(_("%(official)s is listed twice; kept once.") % {"official": official})
            continue
        seen.add(official.pk)
        salutation = " ".join((target.salutation or "").split())[:200]
        override = "" if result.created or salutation == official.salutation else salutation
        case_services.case_target_add(
            case=case, actor=actor, official=official, role=target.role, salutation=override
        )
        results.append(result)
    return results


def _dial_forms(contacts: list[tuple[str, str]], *, country: str) -> dict[str, str]:
    """The E.164 form the reader finds for each printed phone or fax number it can read."""
    dialled = (ContactPoint.Kind.PHONE, ContactPoint.Kind.FAX)
    # Keyed by the number as the directory stores it: spaces collapsed.
    found = {
        " ".join(value.split()): dial_form(value, country or None)
        for kind, value in contacts
        if kind in dialled
    }
    return {value: dial for value, dial in found.items() if dial}


def _contact_points_merge(
    official: Official, contacts: list[tuple[str, str]], actor: Actor
) -> list[str]:
    """Add what the document knows and the directory does not, except a second postal address.

    Postal addresses are printed differently from one sheet to the next; a second copy of
    the same address would split letters between two spellings of one place.
    """
    known = {(p.kind, contact_key(p.kind, p.value)) for p in official.contact_points.all()}
    has_postal = any(kind == ContactPoint.Kind.POSTAL for kind, _value in known)
    dials = _dial_forms(contacts, country=official.country)
    added = []
    for kind, value in contacts:
        key = (kind, contact_key(kind, value))
        if (kind == ContactPoint.Kind.POSTAL and has_postal) or key in known:
            continue
        point = official_services.contact_point_add(
            official=official,
            actor=actor,
            kind=kind,
            value=value,
            dial=dials.get(" ".join(value.split()), ""),
        )
        known.add(key)
        added.append(f"{point.get_kind_display()}: {point.value}")
    return added


# ---------------------------------------------------------------------------
# Storage


def _source_document_create(
    *, document: ReadDocument, organisation: Organisation, actor: Actor, written: list[str]
) -> SourceDocument:
    source = SourceDocument(
        organisation=organisation,
        filename=document.filename,
        size=len(document.data),
        format=document.extracted.source_format,
        sha256=document.sha256,
        text=document.extracted.text,
        record=document.sheet.to_json_dict(),
        warnings=list(document.extracted.warnings),
        created_by_id=actor.pk if actor is not None and actor.is_authenticated else None,
    )
    name = source_document_path(source, document.filename)
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(document.data))
        written.append(name)
    source.file.name = name
    try:
        with transaction.atomic():
            source.save()
    except IntegrityError:
        # the same file, read at the same moment by another request: use that one
        return SourceDocument.objects.select_related("case", "update").get(
            organisation=organisation, sha256=document.sha256
        )
    audit_record(
        actor=actor,
        action="source_document.create",
        obj=source,
        after={"filename": source.filename, "size": source.size, "sha256": source.sha256},
    )
    return source


@contextmanager
def _files_removed_on_failure() -> Iterator[list[str]]:
    """Files are not transactional: delete the ones written when the transaction fails."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


__all__ = [
    "ImportResult",
    "IngestError",
    "Outcome",
    "TargetResult",
    "case_import",
    "case_import_save",
    "organisation_default",
    "source_document_create",
    "source_document_discard",
    "update_import",
]
