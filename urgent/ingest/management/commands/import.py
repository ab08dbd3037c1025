"""`import PATH... [--publish] [--organisation SLUG] [--add-updates]`: case sheets to cases.

Each file is imported in its own transaction: a bad file is reported and skipped, the
others are still imported. Exit status 2 when any file was refused, 1 when `--publish`
left a case as a draft (it says what the case lacks), 0 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from urgent.core.errors import ApplicationError
from urgent.core.models import Organisation
from urgent.ingest.errors import IngestError
from urgent.ingest.extract import MAX_BYTES
from urgent.ingest.selectors import case_staff_path
from urgent.ingest.services import (
    ImportResult,
    Outcome,
    case_import,
    organisation_default,
)

FIELD_LABELS = {
    "kind": "kind of document",
    "language": "language",
    "ua_number": "UA reference",
    "index_number": "index number",
    "title": "headline",
    "country": "country",
    "date_issued": "date issued",
    "deadline": "deadline",
    "persons": "people at risk",
    "asks": "asks",
    "targets": "officials to write to",
    "update_request": "how to ask for updates",
}


class Command(BaseCommand):
    help = (
        "Import urgent-action case sheets (text, PDF, DOCX, HTML or .eml) as draft cases, "
        "reusing officials already in the directory."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files to import")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish each new case at once (for trusted sources)",
        )
        parser.add_argument(
            "--organisation",
            metavar="SLUG",
            help="the organisation issuing the cases (default: this instance's own)",
        )
        parser.add_argument(
            "--add-updates",
            action="store_true",
            help="add a Further Information on a case already here to it as an update",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = self._organisation(options["organisation"])
        status = 0
        for raw in options["paths"]:
            path = Path(raw)
            try:
                result = case_import(
                    data=_read(path),
                    filename=path.name,
                    organisation=organisation,
                    actor=None,
                    publish=options["publish"],
                    add_update=options["add_updates"],
                )
            except (IngestError, ApplicationError) as exc:
                self.stderr.write(f"error: {raw}: {exc.message}")
                status = 2
                continue
            self._report(raw, result)
            if result.publish_refused and status == 0:
                status = 1
        if status:
            sys.exit(status)

    def _organisation(self, slug: str | None) -> Organisation:
        if not slug:
            return organisation_default()
        found = Organisation.objects.filter(slug=slug).first()
        if found is None:
            known = ", ".join(Organisation.objects.values_list("slug", flat=True)) or "none yet"
            self.stderr.write(
                f"error: no organisation with the slug {slug!r} (known: {known}); leave out "
                "--organisation to use this instance's own"
            )
            sys.exit(2)
        return found

    def _report(self, name: str, result: ImportResult) -> None:
        case = result.case
        assert case is not None
        url = settings.URGENT_BASE_URL.rstrip("/") + case_staff_path(case)
        out = self.stdout.write
        if result.outcome == Outcome.ALREADY_IMPORTED:
            what = f"Further Information {result.update.number} of " if result.update else ""
            out(f"{name}: already imported as {what}{case.reference}; nothing changed")
            out(f"  staff: {url}")
            return
        if result.outcome == Outcome.REFERENCE_EXISTS:
            if result.update_offered:
                out(
                    f"{name}: Further Information on {case.reference}, which is already here; "
                    "run again with --add-updates to add it as an update"
                )
            else:
                out(f"{name}: {case.reference} is already here; nothing imported")
            out(f"  staff: {url}")
            return
        if result.outcome == Outcome.UPDATE_ADDED:
            assert result.update is not None
            out(f"{name}: added Further Information {result.update.number} to {case.reference}")
            out(f"  staff: {url}")
            return
        state = "published" if result.published else "draft"
        out(f"{name}: created {state} {case.reference}: {case.headline or '(no headline)'}")
        out(f"  staff: {url}")
        created = [str(o) for o in result.officials_created]
        reused = [f"{t.official} (by {t.matched_by})" for t in result.officials_reused]
        out(
            f"  officials: {len(created)} created"
            + (f" ({'; '.join(created)})" if created else "")
            + f", {len(reused)} reused"
            + (f" ({'; '.join(reused)})" if reused else "")
        )
        for target in result.officials_reused:
            for added in target.contact_points_added:
                out(f"  added to {target.official}: {added}")
        if result.missing:
            out("  missing: " + ", ".join(FIELD_LABELS.get(f, f) for f in result.missing))
        if result.uncertain:
            out("  unsure: " + ", ".join(FIELD_LABELS.get(f, f) for f in result.uncertain))
        for warning in result.warnings:
            out(f"  warning: {warning}")
        if result.publish_refused:
            out(f"  not published: {result.publish_refused}")


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise IngestError("this is a directory, not a file")
        if size > MAX_BYTES:
            # refused before reading: the limit also protects memory
            raise IngestError(f"the file is {size / 1024 / 1024:.1f} MB; the limit is 20 MB")
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise IngestError("no such file") from exc
    except PermissionError as exc:
        raise IngestError("permission denied: the file cannot be read") from exc
    except OSError as exc:
        raise IngestError(f"cannot read the file ({exc.strerror or exc})") from exc
