"""Photos from outside, made safe to show: read, checked, cropped, resized, re-encoded.

Only JPEG, PNG and WebP are read, and only up to a size and a pixel count, so a small
file that unpacks into a gigantic picture (a "decompression bomb") is refused before it
is decoded. What comes out is new pixels in a new file: no EXIF (camera, GPS position,
time), no XMP, no ICC profile, nothing of the original's metadata.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from urgent.core.errors import ApplicationError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel camera; Pillow's own alarm is at 89 million
MIN_SIDE = 200
FORMATS = ("JPEG", "PNG", "WEBP")
ASPECTS: dict[str, tuple[int, int] | None] = {
    "original": None,
    "1:1": (1, 1),
    "4:5": (4, 5),
    "3:2": (3, 2),
}


class ImageRefused(ApplicationError):
    code = "image_refused"


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    webp: bytes
    jpeg: bytes


def image_read(data: bytes) -> Image.Image:
    """The picture in `data`, upright, as plain RGB pixels; refused with a reason."""
    if len(data) > MAX_BYTES:
        raise ImageRefused(
            _("The photo is larger than %(mb)d MB; send a smaller copy.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            if image.width * image.height > MAX_PIXELS:
                raise ImageRefused(
                    _("The photo has too many pixels (%(w)d × %(h)d); send a smaller copy.")
                    % {"w": image.width, "h": image.height}
                )
            image.load()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRefused(
                _("The photo has too many pixels to be read safely; send a smaller copy.")
            ) from exc
        except UnidentifiedImageError as exc:
            raise ImageRefused(_("This is not a JPEG, PNG or WebP photo.")) from exc
        except (OSError, SyntaxError, ValueError) as exc:
            raise ImageRefused(_("The photo file is damaged or incomplete.")) from exc
    if min(image.size) < MIN_SIDE:
        raise ImageRefused(
            _("The photo is too small (%(w)d × %(h)d); it needs at least %(min)d pixels a side.")
            % {"w": image.width, "h": image.height, "min": MIN_SIDE}
        )
    return _pixels_only(image)


def _pixels_only(image: Image.Image) -> Image.Image:
    upright = ImageOps.exif_transpose(image) or image
    if upright.mode in ("RGBA", "LA", "P"):
        upright = upright.convert("RGBA")
        flat = Image.new("RGB", upright.size, (255, 255, 255))
        flat.paste(upright, mask=upright.getchannel("A"))
        upright = flat
    clean = Image.new("RGB", upright.size)  # a new image: no info, no EXIF, no profile
    clean.paste(upright.convert("RGB"))
    return clean


def image_crop(image: Image.Image, *, aspect: str, x: int, y: int) -> Image.Image:
    """The largest part of `image` with `aspect`, centred on the point (x %, y %) when it can."""
    ratio = ASPECTS.get(aspect)
    if ratio is None:
        return image.copy()
    width, height = image.size
    crop_w = min(width, height * ratio[0] // ratio[1])
    crop_h = min(height, width * ratio[1] // ratio[0])
    left = _clamp(width * x // 100 - crop_w // 2, 0, width - crop_w)
    top = _clamp(height * y // 100 - crop_h // 2, 0, height - crop_h)
    return image.crop((left, top, left + crop_w, top + crop_h))


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def image_variants(image: Image.Image, *, widths: tuple[int, ...]) -> list[Variant]:
    """Copies at each of `widths` the picture is wider than, and one at the largest width
    it can fill (its own, when narrower than the last), as WebP and JPEG; never enlarged."""
    chosen = sorted({*(w for w in widths if w < image.width), min(image.width, max(widths))})
    variants = []
    for width in chosen:
        height = round(image.height * width / image.width)
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
        webp, jpeg = io.BytesIO(), io.BytesIO()
        resized.save(webp, "WEBP", quality=80, method=4)
        resized.save(jpeg, "JPEG", quality=82, optimize=True, progressive=True)
        variants.append(Variant(width, height, webp.getvalue(), jpeg.getvalue()))
    return variants


def image_master(image: Image.Image, *, longest: int = 2048) -> bytes:
    """A metadata-free copy to crop again later, no larger than needed."""
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    copy.save(out, "JPEG", quality=92)
    return out.getvalue()
