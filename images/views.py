"""Uploaded images, served by Django when they are stored on this machine's disk.

Every upload passed images.uploads.prepare_image, so MEDIA_ROOT should only hold JPEG, PNG and WebP
files with server-chosen names, and their copies in other sizes and in AVIF (images/sizes.py).
This view still trusts nothing on disk: it serves only those extensions, only from inside
MEDIA_ROOT, with a Content-Type taken from the extension and headers that stop a browser from
treating a file as anything but an image. Everything else is a 404.

The same view runs with DEBUG on and off, so `make run`, `make serve` and production behave alike.
With media on S3 (DJANGO_MEDIA_S3_BUCKET) the bucket serves the files and this view is not mounted.
"""

import os
import stat
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.utils._os import safe_join
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.module_loading import import_string
from django.views.decorators.http import require_safe

from images.uploads import CONTENT_TYPES  # only what the upload checks ever store

# Sent with every file (and with 304s, which update what a browser has cached).
MEDIA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # A file opened on its own may run nothing and load nothing. The site-wide policy
    # middleware never replaces a header a view has set.
    "Content-Security-Policy": "default-src 'none'; sandbox",
    # Names are chosen by the server (a uuid4) and never reused, so a URL's bytes never change.
    "Cache-Control": "public, max-age=31536000, immutable",
    "Content-Disposition": "inline",
}


def is_stored_locally():
    """True when uploads live in MEDIA_ROOT (not on S3), so Django has to serve them."""
    backend = import_string(settings.STORAGES["default"]["BACKEND"])
    return issubclass(backend, FileSystemStorage)


@require_safe
def serve_media(request, path):
    """An allowlisted image file from MEDIA_ROOT, or 404; GET and HEAD only (else 405)."""
    content_type = _content_type(path)
    file_path = _file_inside_media_root(path)
    try:
        file = file_path.open("rb")
    except OSError:
        raise Http404 from None
    # Checked on the open file, so what we describe is what we send.
    status = os.fstat(file.fileno())
    if not stat.S_ISREG(status.st_mode):
        file.close()
        raise Http404
    etag = quote_etag(f"{status.st_mtime_ns:x}-{status.st_size:x}")
    last_modified = int(status.st_mtime)

    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = FileResponse(file, content_type=content_type)
    else:  # 304 Not Modified (or 412 for a failed If-Match): no body
        file.close()
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    for header, value in MEDIA_HEADERS.items():
        response[header] = value
    return response


def _content_type(name):
    """The Content-Type for an allowlisted extension; anything else is a 404."""
    content_type = CONTENT_TYPES.get(PurePosixPath(name).suffix.lower())
    if content_type is None:
        raise Http404
    return content_type


def _file_inside_media_root(path):
    """The real path `path` names, if it stays inside MEDIA_ROOT once symlinks are followed."""
    root = Path(settings.MEDIA_ROOT).resolve()
    try:
        # safe_join refuses "..", absolute paths and other escapes in the name itself...
        real_path = Path(safe_join(root, path)).resolve(strict=True)
    except (SuspiciousFileOperation, OSError, ValueError):  # ValueError: a NUL in the name
        raise Http404 from None
    # ...and this catches a symlink inside MEDIA_ROOT that points elsewhere, or at a non-image.
    if not real_path.is_relative_to(root) or real_path == root:
        raise Http404
    _content_type(real_path.name)
    return real_path
