"""Files practitioners upload: the type read from the content (never the name), the size and the pixels
limited, images re-encoded without their metadata (a phone's photo of a certificate carries where it was taken)."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django import forms
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
MAX_EVIDENCE_PIXELS = 50_000_000  # a 600 dpi scan of a letter-size page is 34 million
PDF_SIGNATURE = b"%PDF-"
IMAGE_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}


@dataclass(frozen=True)
class Evidence:
    """An uploaded file as it will be kept: its content, its type and extension, and the name it was sent with."""

    content: bytes
    content_type: str
    extension: str
    name: str


def _image(data: bytes) -> Evidence | None:
    """The image re-encoded without metadata, if `data` is a JPEG or PNG; None if it is no image at all."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                found = probe.format
                width, height = probe.size
                probe.verify()
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None
    except (OSError, SyntaxError, ValueError) as error:
        raise forms.ValidationError(
            "This image file is damaged or incomplete; save it again and upload it.", code="damaged"
        ) from error
    if found not in IMAGE_FORMATS:
        return None
    if width * height > MAX_EVIDENCE_PIXELS:
        raise forms.ValidationError(
            f"This image is {width} by {height} pixels; upload one of at most {MAX_EVIDENCE_PIXELS // 1_000_000} "
            "million pixels (a scan at 300 dpi is plenty).",
            code="pixels",
        )
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
        raise forms.ValidationError(
            "This image file is damaged or incomplete; save it again and upload it.", code="damaged"
        ) from error
    return Evidence(out.getvalue(), content_type, extension, "")


def evidence_read(upload: UploadedFile) -> Evidence:
    """The evidence a practitioner uploaded, or a ValidationError saying what is wrong with it in their words."""
    if upload.size is not None and upload.size > MAX_EVIDENCE_BYTES:
        raise forms.ValidationError(
            f"This file is {upload.size / 1024 / 1024:.1f} MB; upload one of at most 10 MB.", code="size"
        )
    upload.seek(0)
    data = upload.read(MAX_EVIDENCE_BYTES + 1)
    if len(data) > MAX_EVIDENCE_BYTES:
        raise forms.ValidationError("This file is larger than 10 MB; upload a smaller one.", code="size")
    if not data:
        raise forms.ValidationError("This file is empty; choose the certificate's PDF or image.", code="empty")
    name = (upload.name or "evidence").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    if data.startswith(PDF_SIGNATURE):
        return Evidence(data, "application/pdf", ".pdf", name)
    image = _image(data)
    if image is None:
        raise forms.ValidationError(
            "Upload a PDF, JPEG or PNG file (this file is none of them, whatever its name says).", code="type"
        )
    return Evidence(image.content, image.content_type, image.extension, name)
