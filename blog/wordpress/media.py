"""The old site's image files (--media-dir), brought over through the editor's own checks."""

import hashlib
import os
from collections import defaultdict
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from images import uploads as images
from images.sizes import make_sizes

IMPORTED_IMAGES = "uploads/imported/"
MAX_MEDIA_FILES = 200_000  # files looked at in --media-dir


class MediaFolder:
    """The image files of the old site, found by the addresses the articles use."""

    def __init__(self, folder, dry_run):
        self.folder = Path(folder) if folder else None
        self.dry_run = dry_run
        self.stored = []  # names saved by this run, removed again if the import fails
        self._found = {}  # address -> (new address or None, reason)
        self._by_path = self._by_name = None

    def bring_over(self, address):
        """(our address for the image, None), or (None, why it could not be brought over)."""
        if address not in self._found:
            self._found[address] = self._bring_over(address)
        return self._found[address]

    def _bring_over(self, address):
        if address.startswith("data:"):
            return None, "it is written into the old page itself, not a file"
        if self.folder is None:
            return None, "no --media-dir given"
        path, reason = self._find(address)
        if path is None:
            return None, reason
        try:
            with path.open("rb") as file:
                data = file.read(images.MAX_BYTES + 1)
            image = images.prepare_image(ContentFile(data, name=path.name))
        except OSError as error:
            return None, f"{path.name} could not be read ({error.strerror or error})"
        except ValidationError as error:
            return None, f"{path.name} was refused: {error.messages[0]}"
        # Named after the old file's bytes: a second import finds it and stores nothing new.
        extension = image.name.rsplit(".", 1)[1]
        name = f"{IMPORTED_IMAGES}{hashlib.sha256(data).hexdigest()[:32]}.{extension}"
        if not self.dry_run and not default_storage.exists(name):
            written = images.store_image(image, name)  # with its smaller copies
            name = written[0]
            self.stored += written
        elif not self.dry_run:
            self.stored += make_sizes(name)  # brought over before images had them
        return default_storage.url(name), None

    def _find(self, address):
        """The file for an address, by the end of its path (2024/05/photo.jpg), else by its
        name alone; WordPress's resized copies (photo-300x200.jpg) fall back to the original."""
        segments = [part for part in unquote(urlsplit(address).path).split("/") if part]
        if not segments:
            return None, "the address names no file"
        if self._by_path is None:
            self._index()
        name = segments[-1]
        original = _original_name(name)
        for candidate in dict.fromkeys([name, original]):
            for start in range(len(segments) - 1):
                tail = "/".join([*segments[start:-1], candidate])
                if tail in self._by_path:
                    return self._by_path[tail], None
            found = self._by_name.get(candidate.casefold(), [])
            if len(found) == 1:
                return found[0], None
            if len(found) > 1:
                return None, f"several files in the media folder are called {candidate}"
        return None, "not found in the media folder"

    def _index(self):
        self._by_path, self._by_name = {}, defaultdict(list)
        count = 0
        for directory, _folders, files in os.walk(self.folder):
            for file_name in files:
                path = Path(directory, file_name)
                self._by_path[path.relative_to(self.folder).as_posix()] = path
                self._by_name[file_name.casefold()].append(path)
                count += 1
                if count >= MAX_MEDIA_FILES:
                    return

    def discard(self):
        for name in self.stored:
            default_storage.delete(name)
        self.stored.clear()


def _original_name(name):
    """photo-300x200.jpg → photo.jpg: the file WordPress made a resized copy from."""
    stem, dot, extension = name.rpartition(".")
    base, dash, size = stem.rpartition("-")
    width, x, height = size.partition("x")
    if dot and dash and x and width.isdigit() and height.isdigit():
        return f"{base}.{extension}"
    return name
