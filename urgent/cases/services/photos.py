"""Photos of people at risk: upload, crop, describe, consent; resized copies for the pages.

The upload is read by `urgent.core.images` (JPEG, PNG or WebP, size and pixel limits,
metadata dropped). A metadata-free original is kept in private storage so the crop can be
changed later; the copies pages show (320, 640 and 1024 px wide, WebP and JPEG) go to the
"media" storage under a new unguessable name each time, so a changed or withdrawn photo
is never served from an old address. Whether a photo may be shown is decided in
`urgent.cases.selectors.person_photo_visible`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import transaction
from django.utils.translation import gettext as _

from urgent.cases.models import PersonAtRisk
from urgent.cases.selectors import photo_file_name
from urgent.core.audit import audit_record
from urgent.core.errors import ApplicationError
from urgent.core.images import ASPECTS, image_crop, image_master, image_read, image_variants

WIDTHS = (320, 640, 1024)


def _media() -> Any:
    return storages["media"]


def person_photo_names(person: PersonAtRisk) -> list[str]:
    """The stored copies of a person's photo (their names in the media storage)."""
    return [
        photo_file_name(person.photo_key, w, ext)
        for w, _h in person.photo_sizes
        for ext in ("webp", "jpg")
    ]


def _crop_checked(crop: dict[str, Any]) -> dict[str, Any]:
    aspect = str(crop.get("aspect") or "original")
    if aspect not in ASPECTS:
        raise ApplicationError(
            _("Choose a shape for the photo."), fields={"aspect": [_("Unknown shape.")]}
        )
    try:
        x, y = int(crop.get("x", 50)), int(crop.get("y", 50))
    except (TypeError, ValueError) as exc:
        raise ApplicationError(_("Choose which part of the photo to keep in view.")) from exc
    return {"aspect": aspect, "x": max(0, min(100, x)), "y": max(0, min(100, y))}


def _alt_checked(alt: str) -> str:
    alt = " ".join(alt.split())
    if not alt:
        raise ApplicationError(
            _("Describe the photo for people who cannot see it."),
            fields={
                "alt": [_("Describe the photo, for example “Maya Ovezova smiling, outdoors”.")]
            },
        )
    return alt[:300]


def _discard_on_commit(names: Iterable[str], original: str = "") -> None:
    names = list(names)

    def discard() -> None:
        media = _media()
        for name in names:
            media.delete(name)
        if original:
            default_storage.delete(original)

    if names or original:
        transaction.on_commit(discard)


def _render(person: PersonAtRisk, crop: dict[str, Any]) -> None:
    """Make the page copies from the kept original, under a new name."""
    with default_storage.open(person.photo_original, "rb") as handle:
        image = image_read(handle.read())
    cropped = image_crop(image, aspect=crop["aspect"], x=crop["x"], y=crop["y"])
    key = secrets.token_urlsafe(24)
    media = _media()
    sizes = []
    for variant in image_variants(cropped, widths=WIDTHS):
        media.save(photo_file_name(key, variant.width, "webp"), ContentFile(variant.webp))
        media.save(photo_file_name(key, variant.width, "jpg"), ContentFile(variant.jpeg))
        sizes.append([variant.width, variant.height])
    person.photo_key, person.photo_sizes, person.photo_crop = key, sizes, crop


@transaction.atomic
def person_photo_set(
    *,
    person: PersonAtRisk,
    actor: Any,
    alt: str,
    public: bool,
    crop: dict[str, Any],
    upload: bytes | None = None,
) -> PersonAtRisk:
    """Give a person a photo (`upload`), or change the crop, description or consent of theirs.

    Nothing is stored unless the upload is a photo that can be read safely.
    """
    alt, crop = _alt_checked(alt), _crop_checked(crop)
    if upload is None and not person.photo_original:
        raise ApplicationError(
            _("Choose a photo to upload."),
            fields={"photo": [_("Choose a JPEG, PNG or WebP file.")]},
        )
    old_names, old_original = person_photo_names(person), ""
    before = {
        "photo": bool(person.photo_key),
        "alt": person.photo_alt,
        "public": person.photo_public,
    }
    if upload is not None:
        image = image_read(upload)  # refused here, before anything is written
        old_original = person.photo_original
        name = f"photos/{secrets.token_urlsafe(24)}.jpg"
        person.photo_original = default_storage.save(name, ContentFile(image_master(image)))
    if upload is not None or crop != person.photo_crop or not person.photo_key:
        _render(person, crop)
        _discard_on_commit(old_names, old_original)
    person.photo_alt, person.photo_public = alt, public
    person.save(
        update_fields=[
            "photo_key",
            "photo_original",
            "photo_sizes",
            "photo_crop",
            "photo_alt",
            "photo_public",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action="person.photo",
        obj=person.case,
        before=before,
        after={"photo": True, "alt": alt, "public": public, "crop": crop, "person": person.pk},
    )
    return person


@transaction.atomic
def person_photo_remove(*, person: PersonAtRisk, actor: Any) -> PersonAtRisk:
    """Take a person's photo away, its copies and its kept original too."""
    if not person.photo_key and not person.photo_original:
        return person
    _discard_on_commit(person_photo_names(person), person.photo_original)
    person.photo_key, person.photo_original, person.photo_sizes = "", "", []
    person.photo_crop, person.photo_alt, person.photo_public = {}, "", False
    person.save()
    audit_record(
        actor=actor, action="person.photo_remove", obj=person.case, after={"person": person.pk}
    )
    return person


def people_photos_discard(people: Iterable[PersonAtRisk]) -> None:
    """When people are removed from a case, their photo files go too (once committed)."""
    for person in people:
        _discard_on_commit(person_photo_names(person), person.photo_original)
