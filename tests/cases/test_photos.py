"""Photos of people at risk: only safe pictures in, only pixels out, shown only when allowed."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from PIL import Image, ImageDraw

from urgent.cases import selectors, services
from urgent.cases.models import Case, PersonAtRisk
from urgent.core.errors import ApplicationError
from urgent.core.images import ImageRefused

pytestmark = pytest.mark.django_db

CROP = {"aspect": "4:5", "x": 50, "y": 40}


@pytest.fixture(autouse=True)
def storage(tmp_path: Path, settings: Any) -> Path:
    settings.STORAGES = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files")},
        },
        "media": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": "/media/"},
        },
    }
    return tmp_path


def photo(fmt: str = "JPEG", size: tuple[int, int] = (1600, 1200), *, gps: bool = True) -> bytes:
    """An invented picture; as a camera would, it carries the camera, a time and a place."""
    image = Image.new("RGBA" if fmt == "PNG" else "RGB", size, (180, 200, 220))
    ImageDraw.Draw(image).ellipse((size[0] // 3, size[1] // 5, size[0] // 2, size[1] // 2))
    exif = Image.Exif()
    exif[0x010F] = "InventedCam"
    exif[0x0132] = "2026:01:02 03:04:05"
    if gps:
        exif[0x8825] = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 3.0)}
    out = io.BytesIO()
    image.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def person(demo: None) -> PersonAtRisk:
    return PersonAtRisk.objects.select_related("case").get(case__reference="UA 101/26")


def files(storage: Path) -> list[Path]:
    return sorted((storage / "media" / "people").glob("*")) if (storage / "media").exists() else []


def test_an_upload_becomes_sizes_without_any_metadata(person: PersonAtRisk, storage: Path) -> None:
    data = photo()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the GPS is there going in
    services.person_photo_set(
        person=person, actor=None, alt="Him, outdoors", public=True, crop=CROP, upload=data
    )
    person.refresh_from_db()
    # 1600 × 1200 cut to 4:5 is 960 × 1200: copies at 320, 640 and its own 960, none enlarged.
    assert person.photo_sizes == [[320, 400], [640, 800], [960, 1200]]
    assert len(person.photo_key) >= 32 and person.uuid.hex not in person.photo_key
    stored = files(storage)
    assert len(stored) == 6
    for path in stored:
        assert path.name.startswith(person.photo_key)
        out = Image.open(path)
        assert out.format == ("WEBP" if path.suffix == ".webp" else "JPEG")
        assert not out.getexif(), path.name
        assert not set(out.info) & {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile"}
        raw = path.read_bytes()
        assert b"InventedCam" not in raw and b"Exif" not in raw
    # The kept original has no metadata either.
    original = storage / "files" / person.photo_original
    assert not Image.open(original).getexif() and b"InventedCam" not in original.read_bytes()


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_read_too(person: PersonAtRisk, fmt: str) -> None:
    services.person_photo_set(
        person=person, actor=None, alt="x", public=False, crop=CROP, upload=photo(fmt)
    )
    assert PersonAtRisk.objects.get(pk=person.pk).photo_key


def _gif() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 400)).save(out, "GIF")
    return out.getvalue()


def _bomb() -> bytes:
    # 30 000 × 30 000 pixels of one colour: a few kilobytes on disk, 900 megapixels unpacked.
    out = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (_gif, "not a JPEG, PNG or WebP"),
        (lambda: b"%PDF-1.7 not a photo", "not a JPEG, PNG or WebP"),
        (lambda: photo()[:5000], "damaged or incomplete"),
        (lambda: photo(size=(150, 150)), "too small"),
        (_bomb, "too many pixels"),
        (lambda: b"\xff\xd8" + b"0" * (11 * 1024 * 1024), "larger than 10 MB"),
    ],
)
def test_what_is_not_a_safe_photo_is_refused_and_nothing_is_kept(
    person: PersonAtRisk, storage: Path, make: Callable[[], bytes], reason: str
) -> None:
    data = make()
    assert len(data) < 12 * 1024 * 1024
    with pytest.raises(ImageRefused, match=reason):
        services.person_photo_set(
            person=person, actor=None, alt="x", public=True, crop=CROP, upload=data
        )
    assert files(storage) == []
    assert not PersonAtRisk.objects.get(pk=person.pk).photo_key


def test_a_description_is_required(person: PersonAtRisk) -> None:
    with pytest.raises(ApplicationError, match="Describe the photo"):
        services.person_photo_set(
            person=person, actor=None, alt="  ", public=True, crop=CROP, upload=photo()
        )


def test_a_new_crop_gets_new_names_and_the_old_copies_go(
    person: PersonAtRisk, storage: Path, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.person_photo_set(
            person=person, actor=None, alt="x", public=True, crop=CROP, upload=photo()
        )
    first = person.photo_key
    with django_capture_on_commit_callbacks(execute=True):
        services.person_photo_set(
            person=person, actor=None, alt="x", public=True, crop={"aspect": "1:1", "x": 0, "y": 0}
        )
    assert person.photo_key != first
    assert person.photo_sizes[-1] == [1024, 1024]
    assert all(path.name.startswith(person.photo_key) for path in files(storage))
    with django_capture_on_commit_callbacks(execute=True):
        services.person_photo_remove(person=person, actor=None)
    assert files(storage) == [] and not list((storage / "files" / "photos").glob("*"))


def test_removing_a_person_removes_their_photo(
    person: PersonAtRisk, storage: Path, django_capture_on_commit_callbacks: Any
) -> None:
    services.person_photo_set(
        person=person, actor=None, alt="x", public=True, crop=CROP, upload=photo()
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.case_people_set(case=person.case, actor=None, people=[{"name": "Someone Else"}])
    assert files(storage) == []


def test_kept_across_saves_of_the_people(person: PersonAtRisk) -> None:
    services.person_photo_set(
        person=person, actor=None, alt="x", public=True, crop=CROP, upload=photo()
    )
    services.case_people_set(
        case=person.case,
        actor=None,
        people=[{"name": "New Person"}, {"id": person.pk, "name": person.name + " Jr"}],
    )
    kept = PersonAtRisk.objects.get(pk=person.pk)
    assert kept.photo_key == PersonAtRisk.objects.get(pk=person.pk).photo_key != ""
    assert kept.position == 1


def test_served_only_while_it_may_be_shown(
    person: PersonAtRisk, client: Any, staff_client: Callable[..., Any]
) -> None:
    services.person_photo_set(
        person=person, actor=None, alt="Him, outdoors", public=False, crop=CROP, upload=photo()
    )
    case = person.case
    url = f"/media/people/{person.photo_key}-320.webp"
    assert selectors.person_photo(person=person, case=case) is None  # no consent yet
    assert client.get(url).status_code == 404

    person.photo_public = True
    person.save()
    shown = selectors.person_photo(person=person, case=case)
    assert shown is not None and shown.alt == "Him, outdoors"
    assert shown.srcset_webp.startswith(f"/media/people/{person.photo_key}-320.webp 320w")
    assert (shown.width, shown.height) == (960, 1200)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=600"
    assert b"".join(response.streaming_content)[:4] == b"RIFF"
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.get(f"/media/people/{person.photo_key}-999.webp").status_code == 404
    assert client.get("/media/people/../../secret_key").status_code == 404

    # The stop switch hides it at once, whichever part of it is used.
    for change in ({"actions_stopped": True}, {"hide_names": True}):
        Case.objects.filter(pk=case.pk).update(**change)
        case.refresh_from_db()
        assert selectors.person_photo(person=person, case=case) is None
        assert client.get(url).status_code == 404
        Case.objects.filter(pk=case.pk).update(actions_stopped=False, hide_names=False)
    person.visibility = "initials"
    person.save()
    assert client.get(url).status_code == 404
    # Staff still see it, uncached, to decide what to do with it.
    staff = staff_client("viewer")
    response = staff.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_the_staff_page_uploads_and_explains_refusals(
    person: PersonAtRisk, staff_client: Callable[..., Any]
) -> None:
    editor = staff_client("editor")
    url = f"/staff/cases/{person.case_id}/people/{person.pk}/photo/"
    assert editor.get(url).status_code == 200
    gif = io.BytesIO(_gif())
    gif.name = "photo.gif"
    response = editor.post(url, {"photo": gif, "alt": "x", "aspect": "4:5", "focus": "50,50"})
    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP" in response.content.decode()
    jpeg = io.BytesIO(photo())
    jpeg.name = "photo.jpg"
    response = editor.post(
        url,
        {"photo": jpeg, "alt": "Him, outdoors", "public": "on", "aspect": "1:1", "focus": "50,15"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.photo_public and person.photo_crop == {"aspect": "1:1", "x": 50, "y": 15}
    page = editor.get(url).content.decode()
    assert 'alt="Him, outdoors"' in page and "image/webp" in page
    assert staff_client("viewer", username="v").get(url).status_code == 403
