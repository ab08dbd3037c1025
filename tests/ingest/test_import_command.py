"""`urgent import PATH...`: what it prints, its exit status, and one transaction per file."""

from __future__ import annotations

import datetime
import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import run_urgent
from urgent.cases.models import Case, Update
from urgent.core.models import Organisation
from urgent.ingest.models import SourceDocument
from urgent.officials.models import Official

from .conftest import SAMPLES
from .zips import zip_bytes

pytestmark = pytest.mark.django_db


def urgent_import(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = int(exc.code or 0)
    return status, out.getvalue(), err.getvalue()


def test_prints_what_it_created_and_what_it_was_unsure_of() -> None:
    status, out, err = urgent_import(
        str(SAMPLES / "import_initial.txt"), str(SAMPLES / "import_second.txt")
    )
    assert status == 0, err
    first, second = out.split("import_second.txt:")
    assert "created draft UA 17/26: Journalist held incommunicado" in first
    case = Case.objects.get(reference="UA 17/26")
    assert re.search(rf"staff: http://\S+/{case.pk}/", first)
    assert "officials: 3 created (Levan Examplidze, Minister of Justice;" in first
    assert "0 reused" in first
    assert "missing: how to ask for updates" in first
    assert "created draft UA 18/26" in second
    assert "0 created, 2 reused" in second
    assert "Irakli Samplishvili, Prosecutor General (by fax)" in second
    assert "Levan Examplidze, Minister of Justice (by name and title)" in second
    # a fresh instance gets an organisation of its own
    assert case.organisation.slug == "urgent"


def test_unsure_fields_and_warnings_are_listed() -> None:
    status, out, _err = urgent_import(str(SAMPLES / "other_org.txt"))
    assert status == 0
    assert "missing: UA reference" in out
    assert "unsure: kind of document" in out
    assert "warning: This appeal comes from another organisation" in out


def test_same_file_twice_and_a_further_information() -> None:
    urgent_import(str(SAMPLES / "import_initial.txt"))
    status, out, _err = urgent_import(
        str(SAMPLES / "import_initial.txt"), str(SAMPLES / "import_update.txt")
    )
    assert status == 0
    assert "import_initial.txt: already imported as UA 17/26; nothing changed" in out
    assert "Further Information on UA 17/26, which is already here" in out
    assert "--add-updates" in out
    assert Case.objects.count() == 1 and not Update.objects.exists()

    Case.objects.update(status=Case.Status.ACTIVE)
    status, out, _err = urgent_import("--add-updates", str(SAMPLES / "import_update.txt"))
    assert status == 0
    assert "added Further Information 1 to UA 17/26" in out
    status, out, _err = urgent_import("--add-updates", str(SAMPLES / "import_update.txt"))
    assert "already imported as Further Information 1 of UA 17/26" in out
    assert Update.objects.count() == 1


def test_bad_files_exit_2_and_the_others_are_still_imported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    recipe = tmp_path / "recipe.txt"
    recipe.write_text(
        "Lemon cake\n\nBeat four eggs with 200 g of sugar, fold in 200 g of flour and the "
        "zest of a lemon, and bake for 40 minutes. Leave to cool before serving.\n"
    )
    big = tmp_path / "big.pdf"
    with big.open("wb") as handle:
        handle.truncate(21 * 1024 * 1024)
    bomb = tmp_path / "bomb.docx"
    bomb.write_bytes(zip_bytes([("word/document.xml", int(1.5 * 1024**3), None)]))
    status, out, err = urgent_import(
        str(empty),
        str(SAMPLES / "import_initial.txt"),
        str(recipe),
        str(big),
        str(bomb),
        str(tmp_path / "missing.txt"),
    )
    assert status == 2
    assert err.splitlines() == [
        f"error: {empty}: the file is empty",
        f"error: {recipe}: this does not look like an urgent-action case sheet: no appeal "
        "reference, addressees, salutation or list of demands was found",
        f"error: {big}: the file is 21.0 MB; the limit is 20 MB",
        f"error: {bomb}: the file unpacks to more than 50 MB (the limit for Word, OpenDocument "
        "and ZIP files); it may be a compression bomb",
        f"error: {tmp_path / 'missing.txt'}: no such file",
    ]
    assert "created draft UA 17/26" in out
    assert Case.objects.count() == 1
    assert SourceDocument.objects.count() == 1


def test_publish_and_a_publish_refused(tmp_path: Path) -> None:
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    text = (SAMPLES / "import_initial.txt").read_text()
    fresh = tmp_path / "fresh.txt"
    fresh.write_text(text.replace("23 FEBRUARY 2026", deadline.strftime("%d %B %Y").upper()))
    status, out, _err = urgent_import("--publish", str(fresh))
    assert status == 0
    assert "created published UA 17/26" in out
    assert Case.objects.get(reference="UA 17/26").status == Case.Status.ACTIVE

    status, out, _err = urgent_import("--publish", str(SAMPLES / "import_second.txt"))
    assert status == 1
    assert "created draft UA 18/26" in out
    assert "not published: This case cannot be published yet." in out
    assert "deadline" in out


def test_organisation_by_slug_and_an_unknown_slug() -> None:
    Organisation.objects.create(name="First", slug="first")
    section = Organisation.objects.create(name="Section", slug="section")
    status, _out, _err = urgent_import(
        "--organisation", "section", str(SAMPLES / "import_initial.txt")
    )
    assert status == 0
    assert Case.objects.get().organisation == section

    status, out, err = urgent_import("--organisation", "nope", str(SAMPLES / "import_second.txt"))
    assert status == 2
    assert err.strip() == (
        "error: no organisation with the slug 'nope' (known: first, section); leave out "
        "--organisation to use this instance's own"
    )
    assert Case.objects.count() == 1 and out == ""


def test_officials_not_duplicated_across_runs() -> None:
    urgent_import(str(SAMPLES / "import_initial.txt"))
    urgent_import(str(SAMPLES / "import_second.txt"))
    urgent_import(str(SAMPLES / "import_initial.txt"), str(SAMPLES / "import_second.txt"))
    assert Official.objects.count() == 3


def test_the_real_command_line(scratch_env: dict[str, Any], tmp_path: Path) -> None:
    assert run_urgent("migrate", "--noinput", env=scratch_env).returncode == 0
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    sheet = tmp_path / "sheet.txt"
    shutil.copy(SAMPLES / "import_initial.txt", sheet)
    done = run_urgent("import", str(junk), str(sheet), env=scratch_env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"error: {junk}: the .docx file is damaged (not a readable ZIP package)"
    )
    assert "sheet.txt: created draft UA 17/26" in done.stdout
