"""Each stored image in a few widths and formats, so a phone on a slow connection downloads a
small file, and the <picture> markup that offers them.

An original (`uploads/2026/12/abc.jpg`, 1600 px wide) gets copies 480, 800 and 1200 px wide in
its own format (`abc-480w.jpg` …) and, beside them, WebP and AVIF copies of every width, the
original's included (`abc-480w.webp` … `abc-1600w.avif`; a PNG gets no AVIF, see SAVE_OPTIONS,
and AVIF needs a Pillow that writes it). Names follow from the original's, so
pages build their srcset from the name alone; a copy is only listed once it exists in storage.
Copies are made from the stored original, never enlarged, and never overwrite anything.
"""

import logging
import re
from io import BytesIO

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from PIL import Image, UnidentifiedImageError, features

logger = logging.getLogger(__name__)

WIDTHS = (480, 800, 1200)  # a phone at 1x-3x, a tablet, a desktop at 2x (the column is ~36rem)
# What the article column is wide, in the units the browser picks a file by: the whole screen
# less .wrap's 1rem margins on a phone, at most 37rem (54ch of the body text is 505-584 px
# depending on the system font) on anything wider. Covers and body images share the column.
COLUMN_SIZES = "(min-width: 38.5rem) 37rem, calc(100vw - 2rem)"
ORIGINAL_FORMATS = {"jpg": "JPEG", "png": "PNG", "webp": "WEBP"}
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
}
# Chosen by measuring a photo and the demo illustration (README, "Uploaded images"):
# - JPEG copies keep the original's quality 85, so a smaller copy looks like the original.
# - WebP at 80 matches JPEG 85's fidelity (PSNR) at ~25% fewer bytes; method 4 (the default)
#   is 3x faster than 6 for 3% more bytes.
# - AVIF at 60 is about half JPEG 85's bytes; its losses blur rather than block, so it looks
#   better than its PSNR. Speed 8 takes a third of the default's time for ~4% more bytes, which
#   matters when the importer or make_image_sizes encodes hundreds of images.
# - A PNG is mostly a diagram, a screenshot or an illustration (flat colour, lettering): its
#   WebP copies are lossless (25-95% smaller than PNG, every pixel kept) unless lossy WebP comes
#   out smaller, as it does for a photo saved as PNG and for some downscaled illustrations.
#   Lossy AVIF blurred lettering and was often larger than the PNG, so a PNG gets no AVIF copy.
SAVE_OPTIONS = {
    "jpg": {"format": "JPEG", "quality": 85, "progressive": True, "optimize": True},
    "png": {"format": "PNG", "optimize": True},
    "webp": {"format": "WEBP", "quality": 80},
    "avif": {"format": "AVIF", "quality": 60, "speed": 8},
}
LOSSLESS_WEBP = {"format": "WEBP", "lossless": True}
# A copy's name: the original's stem, its width, its format.
VARIANT = re.compile(r"-\d+w\.(?:jpg|png|webp|avif)$")
# A name our uploads give: folders and a server-chosen stem, nothing a URL would need to escape.
STORED_NAME = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*\.(?:jpg|png|webp)")
MAX_REMEMBERED = 10_000


def is_original(name):
    """True for the name of an uploaded image (not one of its copies)."""
    return bool(STORED_NAME.fullmatch(name)) and not VARIANT.search(name)


def formats_for(name):
    """The formats an original is kept in, its own first. (<picture> lists them the other way
    round: a browser shows the first <source> whose type it knows.)"""
    extension = name.rsplit(".", 1)[1]
    modern = ["webp"] if extension == "png" else ["webp", "avif"]
    if "avif" in modern and not features.check("avif"):
        modern.remove("avif")
    return [extension, *(f for f in modern if f != extension)]


def widths_for(width):
    """The widths an image `width` px wide is kept at: each of WIDTHS below it, and its own."""
    return [w for w in WIDTHS if w < width] + [width]


def variant_name(name, width, extension, original_width):
    """The storage name of one copy; the original itself for its own width and format."""
    stem, original_extension = name.rsplit(".", 1)
    if width == original_width and extension == original_extension:
        return name
    return f"{stem}-{width}w.{extension}"


def expected_variants(name, original_width):
    """{format: [(width, name), …]} for every copy an original should have, narrowest first
    (the original itself included, under its own format)."""
    return {
        extension: [
            (width, variant_name(name, width, extension, original_width))
            for width in widths_for(original_width)
        ]
        for extension in formats_for(name)
    }


class UnreadableImage(Exception):
    """A stored original that cannot be opened as one of our images."""


def make_sizes(name, written=None):
    """Make the copies of the stored original `name` that storage does not have yet.

    Returns the names written (also appended to `written`, so a caller can remove them if a later
    step fails). An original that cannot be read as an image gets none, and a note in the log.
    """
    try:
        return make_missing_sizes(name, written)
    except UnreadableImage as error:
        logger.warning("No sizes made for %s: %s", name, error)
        return []


def make_missing_sizes(name, written=None):
    """make_sizes(), raising UnreadableImage for an original it cannot read."""
    written = [] if written is None else written
    made = []
    try:
        with (
            default_storage.open(name) as stored,
            Image.open(stored, formats=list(ORIGINAL_FORMATS.values())) as original,
        ):
            original.load()
            pixels = original.copy()
    except (OSError, ValueError, UnidentifiedImageError, SuspiciousFileOperation) as error:
        raise UnreadableImage(str(error) or type(error).__name__) from None
    pixels.info = {}  # uploads have no metadata; nothing of any kind may reach a copy
    for extension, variants in expected_variants(name, pixels.width).items():
        for width, variant in variants:
            if variant == name or default_storage.exists(variant):
                continue
            content = _encoded(_resized(pixels, width), extension, from_png=name.endswith(".png"))
            stored_as = default_storage.save(variant, ContentFile(content))
            if stored_as != variant:  # made meanwhile by someone else: keep theirs
                default_storage.delete(stored_as)
                continue
            made.append(variant)
            written.append(variant)
    return made


def _resized(pixels, width):
    if width == pixels.width:
        return pixels
    height = max(1, round(pixels.height * width / pixels.width))
    return pixels.resize((width, height), Image.Resampling.LANCZOS)


def _encoded(pixels, extension, from_png):
    if from_png and extension == "webp":
        # Lossless for lettering and flat colour, lossy for a photo saved as PNG: the smaller.
        return min(_saved(pixels, LOSSLESS_WEBP), _saved(pixels, SAVE_OPTIONS["webp"]), key=len)
    return _saved(pixels, SAVE_OPTIONS[extension])


def _saved(pixels, options):
    buffer = BytesIO()
    pixels.save(buffer, **options)
    return buffer.getvalue()


# Which copies exist, per original, in this process: a complete set never changes (names are
# never reused, copies never removed), so it is looked up once. An incomplete one is looked up
# again each time, as make_image_sizes may have filled it in since.
_remembered = {}


def forget_known_sizes(**kwargs):
    """Storage moved (tests change MEDIA_ROOT): what was found before no longer holds."""
    _remembered.clear()


def available_variants(name, original_width):
    """{format: [(width, name), …]} of the copies that exist, formats with none left out."""
    key = (name, original_width)
    if key in _remembered:
        return _remembered[key]
    expected = expected_variants(name, original_width)
    found = {}
    for extension, variants in expected.items():
        present = [
            (width, variant) for width, variant in variants if variant == name or _exists(variant)
        ]
        if present:
            found[extension] = present
    if found == expected:
        if len(_remembered) >= MAX_REMEMBERED:
            _remembered.clear()
        _remembered[key] = found
    return found


def _exists(name):
    try:
        return default_storage.exists(name)
    except (OSError, SuspiciousFileOperation):
        return False


def picture(name, width, height, img_attributes, *, sizes=COLUMN_SIZES, lazy=True):
    """An image's HTML: a <picture> offering every copy that exists, or a single <img> when there
    are none yet. `img_attributes` is safe HTML for the <img> (alt, class, title…).

    A lazy image waits until it nears the screen; an image in the first screen (a cover) loads
    at once, as it is what Lighthouse counts as the page's largest paint.
    """
    src = default_storage.url(name)
    loading = mark_safe(' loading="lazy"') if lazy else ""
    size = format_html(' width="{}" height="{}"{} decoding="async"', width, height, loading)
    variants = dict(available_variants(name, width)) if is_original(name) else {}
    original_format = name.rsplit(".", 1)[1]
    own = variants.pop(original_format, [])
    if not variants and len(own) <= 1:
        return format_html('<img src="{}"{}{}>', src, img_attributes, size)
    sources = "".join(
        format_html(
            '<source type="{}" srcset="{}" sizes="{}">',
            CONTENT_TYPES[extension],
            _srcset(found),
            sizes,
        )
        for extension, found in reversed(variants.items())  # AVIF before WebP
    )
    srcset = format_html(' srcset="{}" sizes="{}"', _srcset(own), sizes) if len(own) > 1 else ""
    return format_html(
        '<picture>{}<img src="{}"{}{}{}></picture>',
        mark_safe(sources),
        src,
        srcset,
        img_attributes,
        size,
    )


def _srcset(variants):
    return escape(", ".join(f"{default_storage.url(name)} {width}w" for width, name in variants))


# Apps that keep HTML showing our images (rendered Markdown, cached pages) register here, since a
# service may not import them: make_image_sizes tells them which originals gained copies.
_refreshers = []


def on_sizes_made(refresh):
    """Register `refresh(names)`: store again whatever shows one of these originals (storage
    names) so that it offers their new copies, and return how many things changed."""
    _refreshers.append(refresh)


def sizes_made(names):
    """Tell every registered app that these originals gained copies; how many things changed."""
    names = set(names)
    return sum(refresh(names) for refresh in _refreshers) if names else 0
