"""Files practitioners upload: the type read from the content (never the name), the size and the pixels
limited, images re-encoded without their metadata (a phone's photo of a certificate carries where it was taken).

Evidence keeps its format (PDF, JPEG, PNG); listing photos (JPEG, PNG, WebP, HEIC) become three JPEG sizes."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

import pillow_heif
from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

pillow_heif.register_heif_opener()  # HEIC, as iPhones save photos

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_PIXELS = 50_000_000  # a 600 dpi scan of a letter-size page is 34 million
PDF_SIGNATURE = b"%PDF-"
IMAGE_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000  # a 48-megapixel phone saves 12 million unless asked for its full size
# Pillow's names: a phone's JPEG with a depth map opens as MPO; HEIC opens as HEIF (pillow-heif).
PHOTO_FORMATS = {"JPEG", "MPO", "PNG", "WEBP", "HEIF"}
# The long side of each size a photo is kept in: a result card's thumbnail, the card (and a 2x thumbnail), the
# full view. A smaller photo is never enlarged.
PHOTO_SIZES = {"thumb": 160, "card": 480, "full": 1600}
PHOTO_QUALITY = 85
DAMAGED = gettext_lazy("This image file is damaged or incomplete; save it again and upload it.")


@dataclass(frozen=True)
class Evidence:
    """An uploaded file as it will be kept: its content, its type and extension, and the name it was sent with."""

    content: bytes
    content_type: str
    extension: str
    name: str


@dataclass(frozen=True)
class EncodedImage:
    """One size of a photo, as a JPEG without metadata, named by the sha256 of its bytes."""

    content: bytes
    width: int
    height: int

    @property
    def name(self) -> str:
        return f"photos/{hashlib.sha256(self.content).hexdigest()}.jpg"


def _probe(data: bytes, formats: set[str], max_pixels: int, advice: str) -> str | None:
    """The image format of `data` if it is one of `formats`; None if it is no such image. Raises a
    ValidationError for a damaged image or one of more than `max_pixels` (a decompression bomb among them),
    read from the header before any pixel is decoded."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                found = probe.format
                width, height = probe.size
                probe.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise forms.ValidationError(
            _(
                "This image claims far more than %(millions)s million pixels, more than any camera makes (it may "
                "be built to exhaust the server); upload one of at most %(millions)s million pixels %(advice)s."
            )
            % {"millions": max_pixels // 1_000_000, "advice": advice},
            code="pixels",
        ) from error
    except UnidentifiedImageError:
        return None
    except (OSError, SyntaxError, ValueError) as error:
        raise forms.ValidationError(DAMAGED, code="damaged") from error
    if found not in formats:
        return None
    if width * height > max_pixels:
        raise forms.ValidationError(
            _(
                "This image is %(width)s by %(height)s pixels; upload one of at most %(millions)s million "
                "pixels %(advice)s."
            )
            % {"width": width, "height": height, "millions": max_pixels // 1_000_000, "advice": advice},
            code="pixels",
        )
    return found


def _image(data: bytes) -> Evidence | None:
    """The image re-encoded without metadata, if `data` is a JPEG or PNG; None if it is no image at all."""
    found = _probe(data, set(IMAGE_FORMATS), MAX_EVIDENCE_PIXELS, _("(a scan at 300 dpi is plenty)"))
    if found is None:
        return None
    content_type, extension = IMAGE_FORMATS[found]
    try:
        with Image.open(io.BytesIO(data)) as image:
            upright = ImageOps.exif_transpose(image)  # turned as the camera meant, before the EXIF goes
            if found == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            # No exif=, no icc_profile, no text chunks: only the pixels are kept.
            upright.save(out, format=found, **({"quality": 90} if found == "JPEG" else {}))
    except (OSError, ValueError) as error:
        raise forms.ValidationError(DAMAGED, code="damaged") from error
    return Evidence(out.getvalue(), content_type, extension, "")


def _upload_bytes(upload: UploadedFile, limit: int, empty: str) -> bytes:
    """The uploaded file's bytes, or a ValidationError if it is empty or larger than `limit`."""
    megabytes = limit // 1024 // 1024
    if upload.size is not None and upload.size > limit:
        raise forms.ValidationError(
            _("This file is %(size)s MB; upload one of at most %(most)s MB.")
            % {"size": number_format(upload.size / 1024 / 1024, 1), "most": megabytes},
            code="size",
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise forms.ValidationError(
            _("This file is larger than %(most)s MB; upload a smaller one.") % {"most": megabytes}, code="size"
        )
    if not data:
        raise forms.ValidationError(empty, code="empty")
    return data


def evidence_read(upload: UploadedFile) -> Evidence:
    """The evidence a practitioner uploaded, or a ValidationError saying what is wrong with it in their words."""
    data = _upload_bytes(upload, MAX_EVIDENCE_BYTES, _("This file is empty; choose the certificate's PDF or image."))
    name = (upload.name or "evidence").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    if data.startswith(PDF_SIGNATURE):
        return Evidence(data, "application/pdf", ".pdf", name)
    image = _image(data)
    if image is None:
        raise forms.ValidationError(
            _("Upload a PDF, JPEG or PNG file (this file is none of them, whatever its name says)."), code="type"
        )
    return Evidence(image.content, image.content_type, image.extension, name)


def _flattened(image: Image.Image) -> Image.Image:
    """The image in RGB, transparent parts laid on white (JPEG has no transparency)."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGB", rgba.size, "white")
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return image.convert("RGB")


def _encoded(image: Image.Image, long_side: int) -> EncodedImage:
    resized = image.copy()
    resized.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)  # shrinks only, keeping the proportions
    out = io.BytesIO()
    # No exif=, no icc_profile, no comment: only the pixels are kept.
    resized.save(out, format="JPEG", quality=PHOTO_QUALITY, optimize=True, progressive=True)
    return EncodedImage(out.getvalue(), *resized.size)


def photo_read(upload: UploadedFile) -> dict[str, EncodedImage]:
    """The photo a practitioner uploaded as {size: EncodedImage} (PHOTO_SIZES), upright and without metadata, or
    a ValidationError saying what is wrong with it in their words."""
    data = _upload_bytes(upload, MAX_PHOTO_BYTES, _("This file is empty; choose a photo."))
    found = _probe(data, PHOTO_FORMATS, MAX_PHOTO_PIXELS, _("(a photo of 12 million is plenty)"))
    if found is None:
        raise forms.ValidationError(
            _("Upload a JPEG, PNG, WebP or HEIC photo (this file is none of them, whatever its name says)."),
            code="type",
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            upright = _flattened(ImageOps.exif_transpose(image))  # turned as the camera meant, before the EXIF goes
            return {size: _encoded(upright, long_side) for size, long_side in PHOTO_SIZES.items()}
    except (OSError, ValueError) as error:
        raise forms.ValidationError(DAMAGED, code="damaged") from error
