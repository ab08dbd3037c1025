"""Staff page "New case from a document": upload or paste, correct beside the text, save."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from urgent.cases.models import Case, CaseTarget, Update
from urgent.core.models import Organisation
from urgent.ingest.models import SourceDocument
from urgent.officials.models import Official

from .conftest import SAMPLES
from .pdfs import make_pdf
from .zips import zip_bytes

pytestmark = pytest.mark.django_db

URL = "/staff/import/"


@pytest.fixture
def editor(staff_client: Callable[..., Client]) -> Client:
    return staff_client("editor")


def signed_in(role: str) -> Client:
    """A separate browser session (the staff_client fixture shares one test client)."""
    from django.contrib.auth.models import Group, User
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from urgent.core.roles import roles_ensure

    roles_ensure()
    user = User.objects.create_user(f"{role}-2", password="correct horse battery", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def upload(client: Client, name: str, data: bytes, **extra: Any) -> Any:
    return client.post(URL, {"file": SimpleUploadedFile(name, data), "text": "", **extra})


def form_data(response: Any) -> dict[str, Any]:
    """The review form as the browser would submit it untouched."""
    data: dict[str, Any] = {}
    for form in [response.context["case_form"]]:
        for field in form:
            value = field.value()
            if isinstance(value, datetime.date):
                value = value.isoformat()
            if value is None:
                value = ""
            data[field.html_name] = value
    for formset in (response.context["people"], response.context["targets"]):
        management = formset.management_form
        for field in management:
            data[field.html_name] = field.value()
        for form in formset.forms:
            for field in form:
                if field.name == "DELETE":
                    continue
                value = field.value()
                data[field.html_name] = "" if value is None else value
    return data


def read(client: Client, sample: str) -> tuple[SourceDocument, Any]:
    response = upload(client, sample, (SAMPLES / sample).read_bytes())
    assert response.status_code == 302, response.content.decode()[:2000]
    source = SourceDocument.objects.get(filename=sample)
    assert response["Location"] == f"{URL}{source.uuid}/"
    return source, client.get(response["Location"])


def test_every_view_is_for_editors_only(staff_client: Callable[..., Client]) -> None:
    anonymous = Client()
    assert anonymous.get(URL).status_code == 302
    assert "/staff/login/" in anonymous.get(URL)["Location"]
    viewer = signed_in("viewer")
    assert viewer.get(URL).status_code == 403
    source, _page = read(staff_client("editor"), "import_initial.txt")
    for path in ("", "original/"):
        assert viewer.get(f"{URL}{source.uuid}/{path}").status_code == 403
    for path in ("update/", "discard/"):
        assert viewer.post(f"{URL}{source.uuid}/{path}").status_code == 403
        assert anonymous.post(f"{URL}{source.uuid}/{path}").status_code == 302
    assert SourceDocument.objects.filter(pk=source.pk).exists()


def test_upload_shows_the_fields_beside_the_text_with_missing_ones_marked(editor: Client) -> None:
    page = editor.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "New case from a document" in html

    source, review = read(editor, "import_initial.txt")
    assert source.case is None and source.format == "text"
    html = review.content.decode()
    assert 'class="import-layout"' in html
    assert 'class="source-text"' in html and "plain-clothes police officers" in html
    assert 'value="UA 17/26"' in html
    assert 'value="Journalist held incommunicado"' in html
    assert '<option value="GE" selected>' in html
    assert 'value="2026-02-23"' in html
    # the one field the parser did not find is marked in its label and in the summary
    assert (
        'for="id_update_request_subject">Subject for update requests '
        '<span class="flag flag-missing">not found in the document</span>'
    ) in html
    assert '<a href="#id_update_request_subject">Subject for update requests</a>' in html
    assert "Levan Examplidze" in html and "Her Excellency" in html
    assert html.count("<legend>Official ") == 3
    assert "<legend>Another official (optional)</legend>" in html


def test_uncertain_fields_are_marked(editor: Client) -> None:
    _source, review = read(editor, "other_org.txt")
    html = review.content.decode()
    assert "an appeal from another organisation" in html
    assert 'flag flag-uncertain">check this: the reader was unsure' in html
    assert '<a href="#id_reference">Reference</a>' in html  # missing: no UA reference


def test_pasted_text_works_like_a_file(editor: Client) -> None:
    text = (SAMPLES / "import_second.txt").read_text()
    response = editor.post(URL, {"text": text})
    assert response.status_code == 302
    source = SourceDocument.objects.get()
    assert source.filename == "pasted-text.txt"
    assert source.file.read() == text.strip().encode()
    assert "PROTESTERS BEATEN IN CUSTODY" in editor.get(response["Location"]).content.decode()


def test_correct_and_save_a_draft(editor: Client) -> None:
    source, review = read(editor, "import_initial.txt")
    data = form_data(review)
    data["headline"] = "Journalist held incommunicado in Tbilisi"
    data["people-0-visibility"] = "initials"
    data["targets-2-DELETE"] = "on"  # the ambassador is not needed in this section
    data["targets-1-salutation"] = "Dear Prosecutor General Samplishvili"
    data["asks"] = data["asks"] + "\nRelease her now."
    data["themes"] = ["freedom-of-expression", "arbitrary-detention"]

    response = editor.post(f"{URL}{source.uuid}/", data)

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_case_edit", args=[case.pk])
    assert case.status == Case.Status.DRAFT
    assert case.headline == "Journalist held incommunicado in Tbilisi"
    assert case.reference == "UA 17/26" and case.country == "GE"
    assert case.deadline == datetime.date(2026, 2, 23)
    assert [(p.name, p.visibility) for p in case.people.all()] == [
        ("Nino Exampleshvili", "initials")
    ]
    assert case.asks.count() == 4
    assert set(case.themes.values_list("slug", flat=True)) == {
        "freedom-of-expression",
        "arbitrary-detention",
    }
    assert list(case.targets.order_by("position").values_list("official__name", "role")) == [
        ("Levan Examplidze", "primary"),
        ("Irakli Samplishvili", "primary"),
    ]
    prosecutor = Official.objects.get(name="Irakli Samplishvili")
    assert prosecutor.salutation == "Dear Prosecutor General Samplishvili"
    source.refresh_from_db()
    assert source.case == case
    assert default_storage.exists(source.file.name)
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert notes == [
        "Draft UA 17/26 saved from the document. 2 officials added to the directory. "
        "0 officials were already there."
    ]

    # the same form sent again (a double click, the back button) makes nothing new
    again = editor.post(f"{URL}{source.uuid}/", data)
    assert again.status_code == 302
    assert again["Location"] == reverse("staff_case_edit", args=[case.pk])
    assert Case.objects.count() == 1 and Official.objects.count() == 2


def test_the_same_file_again_leads_to_its_case(editor: Client) -> None:
    source, review = read(editor, "import_initial.txt")
    editor.post(f"{URL}{source.uuid}/", form_data(review))
    again = upload(editor, "copy.txt", (SAMPLES / "import_initial.txt").read_bytes())
    assert again["Location"] == f"{URL}{source.uuid}/"
    followed = editor.get(again["Location"])
    assert followed["Location"] == reverse("staff_case_edit", args=[Case.objects.get().pk])
    notes = [str(m) for m in get_messages(followed.wsgi_request)]
    assert notes[-1] == "This document was already saved as UA 17/26."
    assert SourceDocument.objects.count() == 1


def test_pasted_text_over_the_limit_is_a_form_error(editor: Client) -> None:
    html = editor.post(URL, {"text": "UA 1/26 " * 70_000}).content.decode()
    assert "The text is longer than 500,000 characters; upload the file instead." in html
    assert not SourceDocument.objects.exists()


def test_form_errors_keep_the_corrections(editor: Client) -> None:
    source, review = read(editor, "import_initial.txt")
    data = form_data(review)
    data["headline"] = "Corrected headline"
    data["deadline"] = "2025-12-01"  # before the issue date
    data["targets-0-name"] = ""
    data["targets-0-title"] = ""
    response = editor.post(f"{URL}{source.uuid}/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The deadline is before the date the case was issued." in html
    assert "Give this official a name, a title, or both" in html
    assert 'value="Corrected headline"' in html
    assert 'aria-invalid="true"' in html
    assert not Case.objects.exists()


def test_officials_already_in_the_directory_are_shown_and_reused(editor: Client) -> None:
    source, review = read(editor, "import_initial.txt")
    editor.post(f"{URL}{source.uuid}/", form_data(review))
    second, review = read(editor, "import_second.txt")
    html = review.content.decode()
    assert "Already in the directory as <strong>Irakli Samplishvili, Prosecutor General" in html
    assert "(same fax)" in html and "(same name and title)" in html
    editor.post(f"{URL}{second.uuid}/", form_data(review))
    assert Case.objects.count() == 2
    assert Official.objects.count() == 3


def test_a_further_information_is_added_to_its_case(editor: Client) -> None:
    source, review = read(editor, "import_initial.txt")
    editor.post(f"{URL}{source.uuid}/", form_data(review))
    case = Case.objects.get()

    fi, review = read(editor, "import_update.txt")
    html = review.content.decode()
    assert "This is a Further Information on" in html
    assert "is still a draft: publish it first" in html
    refused = editor.post(f"{URL}{fi.uuid}/update/")
    assert refused.status_code == 302 and not Update.objects.exists()

    Case.objects.filter(pk=case.pk).update(status=Case.Status.ACTIVE)
    html = editor.get(f"{URL}{fi.uuid}/").content.decode()
    assert "Add it to UA 17/26 as Further Information" in html
    response = editor.post(f"{URL}{fi.uuid}/update/")
    assert response["Location"] == reverse("staff_case_edit", args=[case.pk])
    update = Update.objects.get()
    assert update.case == case and update.number == 1
    fi.refresh_from_db()
    assert fi.update == update and fi.case == case
    assert editor.post(f"{URL}{fi.uuid}/update/").status_code == 404
    assert Update.objects.count() == 1 and Case.objects.count() == 1


def test_same_reference_cannot_be_saved_twice(editor: Client) -> None:
    source, review = read(editor, "import_initial.txt")
    editor.post(f"{URL}{source.uuid}/", form_data(review))
    text = (SAMPLES / "import_initial.txt").read_bytes().replace(b"HELD", b"DETAINED")
    response = upload(editor, "variant.txt", text)
    review = editor.get(response["Location"])
    assert "is already here. Saving would need another reference" in review.content.decode()
    refused = editor.post(response["Location"], form_data(review))
    assert refused.status_code == 200
    assert "This reference is already used." in refused.content.decode()
    assert Case.objects.count() == 1


def _encrypted_pdf() -> bytes:
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(make_pdf(["UA 1/26"])))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("holiday/list.txt", "sun")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("empty.txt", lambda: b"", "The submitted file is empty."),
        ("junk.bin", lambda: bytes(range(256)) * 64, "The file looks like binary data"),
        ("big.txt", lambda: b"a" * (21 * 1024 * 1024), "The file is 21.0 MB; the limit is 20 MB."),
        ("locked.pdf", _encrypted_pdf, "The PDF is encrypted (password-protected)"),
        ("broken.pdf", lambda: b"%PDF-1.4 broken", "The PDF is damaged or not a valid PDF."),
        (
            "letter.docx",
            _zip,
            "The file is a ZIP archive, not a Word document (.docx) or OpenDocument text (.odt).",
        ),
        (
            "bomb.docx",
            lambda: zip_bytes([("word/document.xml", int(1.5 * 1024**3), None)]),
            "The file unpacks to more than 50 MB",
        ),
        (
            "cake.txt",
            lambda: b"Lemon cake\n\nBeat four eggs with sugar, fold in flour and bake it.\n",
            "This does not look like an urgent-action case sheet",
        ),
    ],
)
def test_bad_uploads_get_a_form_error_and_nothing_is_kept(
    editor: Client, name: str, make: Callable[[], bytes], message: str
) -> None:
    response = upload(editor, name, make())
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'id="id_file_error"' in html
    assert not SourceDocument.objects.exists() and not Case.objects.exists()


def test_neither_or_both_inputs(editor: Client) -> None:
    html = editor.post(URL, {"text": "  "}).content.decode()
    assert "Choose a file to upload, or paste the text." in html
    both = upload(editor, "a.txt", b"UA 1/26", text="UA 1/26").content.decode()
    assert "Give either a file or pasted text, not both" in both
    pasted = editor.post(URL, {"text": "Lemon cake. Bake it for forty minutes."}).content.decode()
    assert 'id="id_text_error"' in pasted
    assert "does not look like an urgent-action case sheet" in pasted


def test_original_is_a_download_never_a_page(editor: Client) -> None:
    html_sheet = (SAMPLES / "section_page.html").read_bytes()
    response = upload(editor, "section_page.html", html_sheet)
    source = SourceDocument.objects.get()
    download = editor.get(f"{URL}{source.uuid}/original/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download.getvalue() == html_sheet
    assert response.status_code == 302


def test_discard_forgets_the_document_and_its_file(
    editor: Client, django_capture_on_commit_callbacks: Any
) -> None:
    source, _review = read(editor, "import_initial.txt")
    name = source.file.name
    listed = editor.get(URL).content.decode()
    assert "Read but not saved yet" in listed and "import_initial.txt" in listed
    with django_capture_on_commit_callbacks(execute=True):
        response = editor.post(f"{URL}{source.uuid}/discard/")
    assert response["Location"] == URL
    assert not SourceDocument.objects.exists()
    assert not default_storage.exists(name)


def test_a_saved_document_is_kept_with_its_case(editor: Client) -> None:
    source, review = read(editor, "import_initial.txt")
    editor.post(f"{URL}{source.uuid}/", form_data(review))
    response = editor.post(f"{URL}{source.uuid}/discard/")
    assert response.status_code == 302
    assert SourceDocument.objects.filter(pk=source.pk).exists()
    review_again = editor.get(f"{URL}{source.uuid}/")
    assert review_again["Location"] == reverse("staff_case_edit", args=[Case.objects.get().pk])


def test_choose_the_organisation_when_there_are_several(editor: Client) -> None:
    Organisation.objects.create(name="Alpha Section", slug="alpha")
    beta = Organisation.objects.create(name="Beta Section", slug="beta")
    assert "Organisation issuing the case" in editor.get(URL).content.decode()
    data = (SAMPLES / "import_initial.txt").read_bytes()
    upload(editor, "import_initial.txt", data, organisation=str(beta.pk))
    source = SourceDocument.objects.get()
    assert source.organisation == beta
    review = editor.get(f"{URL}{source.uuid}/")
    editor.post(f"{URL}{source.uuid}/", form_data(review))
    assert Case.objects.get().organisation == beta
    assert CaseTarget.objects.count() == 3


def test_start_page_queries_do_not_grow_with_unsaved_documents(editor: Client) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert editor.get(URL).status_code == 200
        return len(captured)

    read(editor, "import_initial.txt")
    one = count()
    for sample in ("import_second.txt", "import_update.txt", "french.txt", "german.txt"):
        read(editor, sample)
    assert count() == one


def test_admin_lists_documents_read_only(editor: Client) -> None:
    source, _review = read(editor, "import_initial.txt")
    editor.user.is_superuser = True  # type: ignore[attr-defined]
    editor.user.save()  # type: ignore[attr-defined]
    listing = editor.get("/admin/ingest/sourcedocument/")
    assert listing.status_code == 200
    assert "import_initial.txt" in listing.content.decode()
    detail = editor.get(f"/admin/ingest/sourcedocument/{source.pk}/change/")
    assert detail.status_code == 200


def test_every_route_sends_strangers_to_sign_in_even_on_get() -> None:
    anonymous = Client()
    for path in ("", "00000000-0000-0000-0000-000000000000/"):
        for tail in ("", "update/", "discard/", "original/"):
            response = anonymous.get(f"{URL}{path}{tail}" if path or not tail else URL)
            assert response.status_code == 302
            assert response["Location"].startswith("/staff/login/")
