from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from images.sizes import UnreadableImage, is_original, make_missing_sizes, sizes_made


class Command(BaseCommand):
    help = (
        "Make the smaller copies, in WebP and AVIF too, that images uploaded before sizes "
        "existed are missing (every image in the media folder or bucket: editor uploads, "
        "cover images, author photos, imported images), then store again the articles, series "
        "and pages that show them. Copies already there are kept, so running it twice is safe."
    )

    def handle(self, *args, **options):
        images = complete = 0
        made = {}  # original -> copies made
        unreadable = []
        for name in _stored_files():
            if not is_original(name):
                continue
            images += 1
            try:
                copies = make_missing_sizes(name)
            except UnreadableImage as error:
                unreadable.append(f"{name} ({error})")
                continue
            if copies:
                made[name] = copies
            else:
                complete += 1
        copies = sum(len(names) for names in made.values())
        self.stdout.write(
            f"{images} image(s) found: {copies} copies made for {len(made)}, "
            f"{complete} already had all theirs."
        )
        if unreadable:
            self.stdout.write(f"{len(unreadable)} could not be read as images, and have none:")
            for line in unreadable:
                self.stdout.write(f"  {line}")
        stored = sizes_made(made)
        if stored:
            self.stdout.write(f"{stored} article(s), series or page(s) stored again to offer them.")


def _stored_files(folder=""):
    """Every file's storage name, folder by folder (FileSystemStorage and S3 alike)."""
    folders, files = default_storage.listdir(folder)
    prefix = f"{folder}/" if folder else ""
    for file in sorted(files):
        yield prefix + file
    for sub in sorted(folders):
        yield from _stored_files(prefix + sub)
