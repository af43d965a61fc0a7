"""Exports from the old website for the import tests: the WXR files kept in tests/fixtures/wxr/,
the old site's image files, and `manage.py import_wordpress` run on them."""

import io
from pathlib import Path

from django.core.management import call_command
from PIL import Image

WXR = Path(__file__).resolve().parent.parent / "fixtures" / "wxr"
WORDPRESS = WXR / "wordpress.xml"
SQUARESPACE = WXR / "squarespace.xml"


def make_old_uploads(folder):
    """The old site's image files in `folder`, as downloaded from WordPress's wp-content/uploads."""
    (folder / "2024" / "05").mkdir(parents=True)
    photo = Image.new("RGB", (640, 420), "#7a9e9f")
    photo.save(folder / "2024" / "05" / "lakeside-walk.jpg", format="JPEG")
    Image.new("RGB", (300, 200), "#d8c8a8").save(folder / "calm-room.png", format="PNG")
    return folder


def run_import(*exports, **options):
    """Run the command on each export; return what it printed (stdout)."""
    out = io.StringIO()
    for export in exports:
        call_command("import_wordpress", str(export), stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()
