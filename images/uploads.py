"""The one place uploaded images are checked and cleaned: editor uploads and cover images.

Pillow decides what a file is from its bytes; the client's file name and content type are never
trusted. Every accepted image is re-encoded from its pixels alone, so nothing the camera or an
attacker put in the file (GPS position, camera serial, comments, scripts) reaches the site.
"""

import logging
import re
from io import BytesIO
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.safestring import mark_safe
from PIL import Image, ImageOps, UnidentifiedImageError

from . import sizes
from .sizes import STORED_NAME, make_sizes, picture

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo still fits; decoding it takes ~160 MB
MAX_WIDTH = 1600  # wider than the article column on any screen we serve
# Pillow's format name -> the extension we store it under.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# What images/views.py serves: the extensions above and AVIF (images/sizes.py makes AVIF copies;
# uploads in AVIF are refused), with the Content-Type of each.
CONTENT_TYPES = {f".{extension}": kind for extension, kind in sizes.CONTENT_TYPES.items()}
SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "progressive": True, "optimize": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85},
}

# What a clinician is told, by ValidationError code.
MESSAGES = {
    "unsupported_format": (
        "This file is not a JPEG, PNG or WebP image. Please save it as one of those and try again."
    ),
    "too_many_bytes": "This image is larger than 5 MB. Please use a smaller image.",
    "too_many_pixels": (
        "This image is too large (over 40 megapixels). Please resize it and try again."
    ),
    "unreadable": (
        "This image could not be read; it may be damaged. Please try another copy of it."
    ),
}


def prepare_image(upload):
    """Check an uploaded file and return a cleaned copy with a server-chosen name.

    Raises ValidationError (with a message for clinicians) for anything that is not a
    reasonable JPEG, PNG or WebP image. The result is re-encoded in the same format, turned
    upright, at most MAX_WIDTH pixels wide, with all metadata removed; animations keep their
    first frame.
    """
    data = _read_at_most(upload, MAX_BYTES)
    try:
        # Only our three decoders may parse the file: nothing else (EPS, SVG, …) ever runs.
        image = Image.open(BytesIO(data), formats=list(FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own, much higher limit; the warning is only raised where filters say so.
        raise _rejection("too_many_pixels") from None
    except UnidentifiedImageError:
        raise _rejection("unsupported_format") from None
    except Exception as error:  # see _decode
        raise _unreadable(error) from None

    with image:
        # Phones often append a depth or HDR map to a JPEG; Pillow then calls the file "MPO".
        image_format = "JPEG" if image.format == "MPO" else image.format
        if image_format not in FORMATS:
            raise _rejection("unsupported_format")
        # Image.open has only read the header: refuse a pixel flood before decoding anything.
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise _rejection("too_many_pixels")
        pixels = _decode(image, image_format)

    buffer = BytesIO()
    pixels.save(buffer, format=image_format, **SAVE_OPTIONS[image_format])
    return ContentFile(buffer.getvalue(), name=f"{uuid4().hex}.{FORMATS[image_format]}")


# An <img> the sanitizer wrote (always double-quoted attributes), with its src.
IMG_TAG = re.compile(r'<img (?P<attributes>[^>]*?)src="(?P<src>[^"]*)"(?P<rest>[^>]*)>')


def with_image_sizes(html):
    """Offer our own uploaded images in every size and format they are stored in (a <picture>,
    images/sizes.py), with their width and height, loaded lazily.

    Browsers then download the smallest file that fills the column, and keep the space for a
    picture while it loads, so the text never jumps. Only images stored here are changed; the
    <picture> is built from their stored names, after sanitizing, never from the Markdown.
    """

    def sized(match):
        tag = match.group(0)
        if " width=" in tag:
            return tag
        name = _stored_name(match.group("src"))
        size = _stored_image_size(name) if name else None
        if size is None:
            return tag
        width, height = size
        # Everything else the sanitizer let through (alt, title), as it wrote it.
        others = " ".join(
            part for part in (match["attributes"].strip(), match["rest"].strip(" /")) if part
        )
        if not STORED_NAME.fullmatch(name):  # not a name we give: measured, not offered in sizes
            extra = f' width="{width}" height="{height}" loading="lazy" decoding="async"'
            return tag[:-1] + extra + ">"
        return picture(name, width, height, mark_safe(f" {others}" if others else ""))

    return IMG_TAG.sub(sized, html)


def _stored_name(src):
    """The storage name an image address points to, if it is one of ours."""
    for prefix in dict.fromkeys([settings.MEDIA_URL, default_storage.url("x")[:-1]]):
        if prefix and src.startswith(prefix):
            return src.removeprefix(prefix)
    return None


def _stored_image_size(name):
    try:
        with default_storage.open(name) as stored, Image.open(stored) as image:
            return image.size  # read from the header; the pixels are not decoded
    except (OSError, ValueError, UnidentifiedImageError, SuspiciousFileOperation):
        return None


def store_image(image, name):
    """Store a prepared image (prepare_image's result) under `name`, or a free name like it,
    with its copies in smaller sizes and other formats (images/sizes.py).

    Returns every name written, the original's first. If any part fails, none is kept.
    """
    written = []
    try:
        written.append(default_storage.save(name, image))
        make_sizes(written[0], written)
    except BaseException:
        for stored in written:
            default_storage.delete(stored)
        raise
    return written


def store_editor_image(upload):
    """Clean an editor upload, store it (and its sizes) under uploads/<year>/<month>/, return
    its public URL."""
    image = prepare_image(upload)
    original, *_sizes = store_image(image, f"uploads/{timezone.localdate():%Y/%m}/{image.name}")
    return default_storage.url(original)


def _read_at_most(upload, limit):
    """The upload's bytes, refusing anything over `limit` without reading past it."""
    if upload.size is not None and upload.size > limit:
        raise _rejection("too_many_bytes")
    upload.seek(0)
    data = upload.read(limit + 1)  # the reported size may be wrong; what we read is not
    if len(data) > limit:
        raise _rejection("too_many_bytes")
    return data


def _decode(image, image_format):
    """A new image holding only the upright, resized pixels of the first frame (no metadata)."""
    try:
        upright = ImageOps.exif_transpose(image)  # decodes the pixels
        if image_format == "JPEG":
            upright = upright.convert("RGB")  # CMYK, grayscale, … all become RGB
        else:
            upright = upright.convert("RGBA" if upright.has_transparency_data else "RGB")
        if upright.width > MAX_WIDTH:
            height = max(1, round(upright.height * MAX_WIDTH / upright.width))
            upright = upright.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
        # Rebuilt from raw pixels so no EXIF, XMP, ICC profile or comment can come along.
        return Image.frombytes(upright.mode, upright.size, upright.tobytes())
    except Exception as error:
        # Pillow's decoders report hostile or damaged input with many exception types
        # (OSError, SyntaxError, ValueError, struct.error, EOFError, …); none may become a 500.
        raise _unreadable(error) from None


def _rejection(code):
    return ValidationError(MESSAGES[code], code=code)


def _unreadable(error):
    logger.info("Rejected an unreadable image upload (%s: %s)", type(error).__name__, error)
    return _rejection("unreadable")
