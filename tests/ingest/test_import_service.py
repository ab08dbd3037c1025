"""case_import: documents become draft cases; officials are reused; nothing is made twice."""

from __future__ import annotations

import datetime
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from urgent.cases import services as case_services
from urgent.cases.models import Case, CaseTarget, Theme, Update
from urgent.core.errors import ApplicationError
from urgent.core.models import AuditEntry, Organisation
from urgent.ingest import services
from urgent.ingest.errors import IngestError
from urgent.ingest.models import SourceDocument
from urgent.ingest.services import Outcome, case_import, organisation_default
from urgent.officials.models import ContactPoint, Official

from .conftest import CORPUS_DEV, SAMPLES
from .pdfs import make_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> Organisation:
    return Organisation.objects.create(name="Example Section", slug="example")


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def run(org: Organisation, name: str, data: bytes | None = None, **kwargs: Any):
    return case_import(
        data=sample(name) if data is None else data,
        filename=name,
        organisation=org,
        actor=None,
        **kwargs,
    )


def stored_files() -> set[str]:
    if not default_storage.exists("sources"):
        return set()
    found = set()
    for folder in default_storage.listdir("sources")[0]:
        found |= {f"sources/{folder}/{f}" for f in default_storage.listdir(f"sources/{folder}")[1]}
    return found


def test_import_creates_a_draft_with_people_asks_targets_and_the_original(org) -> None:
    result = run(org, "import_initial.txt")

    assert result.outcome == Outcome.CREATED
    case = result.case
    assert case is not None and case.status == Case.Status.DRAFT
    assert case.reference == "UA 17/26"
    assert case.organisation == org
    assert case.index_number == "EUR 56/0017/2026"
    assert case.headline == "Journalist held incommunicado"
    assert case.country == "GE"
    assert case.language == "en"
    assert case.issued_on == datetime.date(2026, 1, 12)
    assert case.deadline == datetime.date(2026, 2, 23)
    assert "plain-clothes police officers" in case.story
    assert [(p.name, p.pronouns) for p in case.people.all()] == [("Nino Exampleshvili", "she/her")]
    assert case.asks.first().text.startswith("Calling on the authorities to release")
    assert case.asks.count() == 3
    assert set(case.themes.values_list("slug", flat=True)) >= {"freedom-of-expression", "torture"}
    assert Theme.objects.get(slug="enforced-disappearance").name == "Enforced disappearance"

    targets = list(case.targets.select_related("official").order_by("role", "position"))
    assert [(t.role, t.official.name) for t in targets] == [
        ("copy", "Tamar Demoadze"),
        ("primary", "Levan Examplidze"),
        ("primary", "Irakli Samplishvili"),
    ]
    minister = targets[1].official
    assert minister.title == "Minister of Justice"
    assert minister.country == "GE"
    assert minister.salutation == "Dear Minister"
    assert targets[1].salutation == ""  # the official's own salutation applies
    points = {(p.kind, p.value) for p in minister.contact_points.all()}
    assert points == {
        ("postal", "Ministry of Justice\n24 Example Street\n0114 Tbilisi, Georgia"),
        ("email", "minister@justice.example.ge"),
        ("fax", "+995 32 555 0101"),
    }
    ambassador = targets[0].official
    assert ambassador.honorific == "Her Excellency"
    assert ambassador.contact_points.filter(kind="phone", value="+1 613 555 0123").exists()
    assert len(result.officials_created) == 3 and not result.officials_reused

    source = result.source
    assert source is not None and source.case == case
    assert source.filename == "import_initial.txt"
    assert source.format == "text"
    assert source.size == len(sample("import_initial.txt"))
    assert len(source.sha256) == 64
    assert source.record["ua_number"] == "17/26"
    assert source.file.read() == sample("import_initial.txt")
    assert source.file.name.startswith(f"sources/{source.sha256[:2]}/{source.sha256}")
    assert result.missing == ["update_request"]
    assert AuditEntry.objects.filter(action="case.create", object_id=str(case.pk)).exists()
    assert AuditEntry.objects.filter(action="official.create").count() == 3


def test_same_document_twice_makes_no_second_case(org) -> None:
    first = run(org, "import_initial.txt")
    counts = (Case.objects.count(), Official.objects.count(), SourceDocument.objects.count())

    again = run(org, "import_initial.txt")

    assert again.outcome == Outcome.ALREADY_IMPORTED
    assert again.case == first.case
    assert not again.update_offered
    assert (Case.objects.count(), Official.objects.count(), SourceDocument.objects.count()) == (
        counts
    )


def test_further_information_is_offered_then_added_as_an_update(org) -> None:
    initial = run(org, "import_initial.txt")
    assert initial.case is not None
    files = stored_files()

    offered = run(org, "import_update.txt")
    assert offered.outcome == Outcome.REFERENCE_EXISTS
    assert offered.case == initial.case
    assert offered.update_offered
    assert Case.objects.count() == 1 and SourceDocument.objects.count() == 1

    # A draft takes no Further Information: refused, and the document is not kept.
    with pytest.raises(ApplicationError, match="Publish the case"):
        run(org, "import_update.txt", add_update=True)
    assert SourceDocument.objects.count() == 1
    assert stored_files() == files

    Case.objects.filter(pk=initial.case.pk).update(status=Case.Status.ACTIVE)
    added = run(org, "import_update.txt", add_update=True)
    assert added.outcome == Outcome.UPDATE_ADDED
    update = added.update
    assert update is not None and update.number == 1
    assert update.title == "Journalist charged, still denied her lawyer"
    assert update.issued_on == datetime.date(2026, 3, 2)
    assert "moved to a pre-trial detention centre" in update.body
    assert [a.text for a in initial.case.asks.all()][1].startswith("Urging them to allow her")
    assert added.source is not None and added.source.update == update
    assert added.source.case == initial.case

    twice = run(org, "import_update.txt", add_update=True)
    assert twice.outcome == Outcome.ALREADY_IMPORTED and twice.update == update
    assert Update.objects.count() == 1 and Case.objects.count() == 1


def test_a_reference_already_here_is_never_a_second_case(org) -> None:
    run(org, "import_initial.txt")
    text = sample("import_initial.txt").replace(b"JOURNALIST HELD", b"REPORTER HELD")
    result = run(org, "import_initial.txt", data=text)
    assert result.outcome == Outcome.REFERENCE_EXISTS
    assert not result.update_offered  # an initial appeal, not a Further Information
    assert Case.objects.count() == 1


def test_officials_are_reused_by_fax_digits_and_by_name_and_title(org) -> None:
    run(org, "import_initial.txt")
    before = Official.objects.count()

    result = run(org, "import_second.txt")

    assert result.outcome == Outcome.CREATED
    assert Official.objects.count() == before
    reused = {t.official.name: t.matched_by for t in result.officials_reused}
    assert reused == {"Irakli Samplishvili": "fax", "Levan Examplidze": "name and title"}
    prosecutor = Official.objects.get(name="Irakli Samplishvili")
    # "032 555 0177" is the number already known, printed without the country code
    assert prosecutor.contact_points.filter(kind="fax").count() == 1
    assert prosecutor.contact_points.filter(kind="postal").count() == 1
    target = CaseTarget.objects.get(case=result.case, official=prosecutor)
    assert prosecutor.salutation == "Dear Prosecutor General"
    assert target.salutation == "Dear Mr Samplishvili"
    minister = CaseTarget.objects.get(case=result.case, official__name="Levan Examplidze")
    assert minister.salutation == ""


def test_email_match_is_case_insensitive_and_new_contact_points_are_added(org) -> None:
    run(org, "import_initial.txt")
    text = (
        sample("import_second.txt")
        .replace(b"UA 18/26", b"UA 19/26")
        .replace(b"Fax: 032 555 0177", b"Email: PG@Prosecutor.Example.GE\nTel: +995 32 555 0188")
        .replace(b"Irakli Samplishvili\n", b"\n")
    )
    Official.objects.filter(name="Irakli Samplishvili").get().contact_points.create(
        kind="email", value="pg@prosecutor.example.ge"
    )
    result = run(org, "x.txt", data=text)
    by_name = {t.official.name: t for t in result.officials_reused}
    prosecutor = by_name["Irakli Samplishvili"]
    assert prosecutor.matched_by == "email"
    assert prosecutor.contact_points_added == ["Phone: +995 32 555 0188"]


def test_same_email_but_another_name_is_a_separate_official(org) -> None:
    run(org, "import_initial.txt")
    text = (
        sample("import_update.txt")
        .replace(b"Further information on UA 17/26", b"UA 20/26")
        .replace(b"Levan Examplidze", b"Davit Newminister")
    )
    result = run(org, "x.txt", data=text)
    assert [o.name for o in result.officials_created] == ["Davit Newminister"]
    assert any("different name" in w for w in result.warnings)


def test_a_bare_title_is_the_same_official_only_within_one_country(org) -> None:
    Official.objects.create(title="Minister of Justice", country="AM")
    text = sample("import_second.txt").replace(b"LEVAN  EXAMPLIDZE\n", b"")
    result = run(org, "x.txt", data=text)
    created = {o.title for o in result.officials_created}
    assert "Minister of Justice" in created
    assert Official.objects.filter(title="Minister of Justice").count() == 2


def test_import_queries_do_not_grow_with_the_directory(org) -> None:
    def queries(name: str, reference: bytes) -> int:
        data = sample("import_initial.txt").replace(b"UA 17/26", reference)
        with CaptureQueriesContext(connection) as captured:
            run(org, name, data=data)
        return len(captured)

    run(org, "import_initial.txt")
    small = queries("a.txt", b"UA 91/26")
    for n in range(40):
        official = Official.objects.create(name=f"Someone {n}", title="Mayor", country="GE")
        official.contact_points.create(kind="fax", value=f"+995 32 555 {n:04d}")
    large = queries("b.txt", b"UA 92/26")
    assert large == small


def test_unknown_country_and_missing_reference_are_left_empty_and_listed(org) -> None:
    text = (
        sample("import_initial.txt")
        .replace(b"UA 17/26 ", b"")
        .replace(b"Georgia", b"Ruritania")
        .replace(b"Tbilisi", b"Strelsau")
    )
    result = run(org, "x.txt", data=text)
    case = result.case
    assert case is not None
    assert case.reference.startswith("IMPORT ")
    assert case.country == ""
    assert "ua_number" in result.missing
    assert "country" in result.missing


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "the file is empty"),
        ("junk.txt", bytes(range(256)) * 64, "binary data"),
        ("big.txt", b"a" * (20 * 1024 * 1024 + 1), "the limit is 20 MB"),
        ("broken.pdf", b"%PDF-1.4\n garbage garbage garbage", "damaged or not a valid PDF"),
        ("recipe.txt", None, "does not look like an urgent-action case sheet"),
        ("zip.docx", None, "not a Word document"),
        ("locked.pdf", None, "encrypted"),
    ],
)
def test_bad_input_is_refused_with_nothing_stored(
    org, name: str, data: bytes | None, message: str
) -> None:
    if name == "recipe.txt":
        data = (
            b"Lemon cake\n\nIngredients: 200 g flour, 200 g sugar, 4 eggs, 1 lemon.\n\n"
            b"Beat the eggs with the sugar, fold in the flour and the lemon zest, and bake "
            b"for 40 minutes at 180 degrees. Leave to cool before serving.\n"
        )
    elif name == "zip.docx":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("holiday/photo-list.txt", "nothing to see")
        data = buffer.getvalue()
    elif name == "locked.pdf":
        pypdf = pytest.importorskip("pypdf")
        writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf(["UA 1/26"])))
        writer.encrypt(user_password="secret", owner_password="owner")
        buffer = io.BytesIO()
        writer.write(buffer)
        data = buffer.getvalue()
    assert data is not None
    with pytest.raises(IngestError, match=message):
        run(org, name, data=data)
    assert not Case.objects.exists()
    assert not SourceDocument.objects.exists()
    assert not Official.objects.exists()


def test_a_failure_half_way_rolls_everything_back_and_removes_the_file(org, monkeypatch) -> None:
    before = stored_files()

    def refuse(**kwargs: Any) -> None:
        raise ApplicationError("the directory is closed for maintenance")

    monkeypatch.setattr(services.case_services, "case_target_add", refuse)
    with pytest.raises(ApplicationError, match="maintenance"):
        run(org, "import_initial.txt")
    assert not Case.objects.exists()
    assert not Official.objects.exists()
    assert not SourceDocument.objects.exists()
    assert stored_files() == before


def test_pdf_and_docx_documents_keep_their_format(org) -> None:
    import docx

    lines = sample("import_initial.txt").decode().splitlines()
    pdf = run(org, "sheet.pdf", data=make_pdf(lines))
    assert pdf.source is not None and pdf.source.format == "pdf"
    assert pdf.case is not None and pdf.case.reference == "UA 17/26"

    document = docx.Document()
    for line in sample("import_second.txt").decode().splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    word = run(org, "sheet.docx", data=buffer.getvalue())
    assert word.source is not None and word.source.format == "docx"
    assert word.source.file.name.endswith(".docx")
    assert word.case is not None and word.case.reference == "UA 18/26"


def _future(text: bytes) -> bytes:
    deadline = timezone.localdate() + datetime.timedelta(days=60)
    return text.replace(b"23 FEBRUARY 2026", deadline.strftime("%d %B %Y").upper().encode())


def test_publish_at_once_when_the_case_is_complete(org) -> None:
    result = run(
        org, "import_initial.txt", data=_future(sample("import_initial.txt")), publish=True
    )
    assert result.published
    assert result.case is not None and result.case.status == Case.Status.ACTIVE


def test_publish_refused_keeps_the_draft_and_says_why(org) -> None:
    result = run(org, "import_initial.txt", publish=True)  # its deadline has passed
    assert not result.published
    assert "deadline" in result.publish_refused
    assert result.case is not None
    assert Case.objects.get(pk=result.case.pk).status == Case.Status.DRAFT


def test_organisation_default_uses_the_oldest_or_creates_one(db) -> None:
    made = organisation_default()
    assert made.slug == "urgent"
    assert organisation_default() == made
    Organisation.objects.create(name="Later", slug="later")
    assert organisation_default() == made


def test_same_file_for_two_organisations_makes_a_case_in_each(org) -> None:
    other = Organisation.objects.create(name="Other Section", slug="other")
    first = run(org, "import_initial.txt")
    second = run(other, "import_initial.txt")
    assert second.outcome == Outcome.CREATED
    assert first.case != second.case
    assert Official.objects.count() == 3  # the directory is shared
    assert first.source is not None and second.source is not None
    assert first.source.file.name == second.source.file.name


def test_every_corpus_document_imports_and_officials_are_shared(db) -> None:
    if not (CORPUS_DEV / "000.txt").is_file():
        pytest.skip("shared corpus not checked out next to the repository (../shared/corpus/dev)")
    org = Organisation.objects.create(name="Corpus", slug="corpus")
    documents = sorted(Path(CORPUS_DEV).glob("*.txt"))
    results = [run(org, p.name, data=p.read_bytes()) for p in documents]

    initials = [r for r in results if r.sheet.kind == "initial"]
    assert initials and all(r.outcome == Outcome.CREATED and r.case for r in initials)
    for result in results:
        assert result.outcome in (Outcome.CREATED, Outcome.REFERENCE_EXISTS), result
    # every email address printed in the corpus belongs to exactly one official
    emails = ContactPoint.objects.filter(kind="email").values_list("value", flat=True)
    assert len(list(emails)) == len(set(emails))
    # printed again, every document is recognised and nothing is added
    counts = (Case.objects.count(), Official.objects.count(), ContactPoint.objects.count())
    again = [run(org, p.name, data=p.read_bytes()) for p in documents]
    assert all(r.outcome != Outcome.CREATED for r in again)
    assert (Case.objects.count(), Official.objects.count(), ContactPoint.objects.count()) == (
        counts
    )


def test_case_services_are_the_only_writers(org, monkeypatch) -> None:
    calls: list[str] = []
    for name in ("case_create", "case_people_set", "case_asks_set", "case_target_add"):
        original = getattr(case_services, name)

        def spy(*args: Any, _name: str = name, _original: Any = original, **kw: Any) -> Any:
            calls.append(_name)
            return _original(*args, **kw)

        monkeypatch.setattr(services.case_services, name, spy)
    run(org, "import_initial.txt")
    assert calls[:3] == ["case_create", "case_people_set", "case_asks_set"]
    assert calls.count("case_target_add") == 3
