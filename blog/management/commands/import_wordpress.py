from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from blog.wordpress.convert import MAX_BODY_CHARACTERS
from blog.wordpress.importer import import_export
from blog.wordpress.wxr import MAX_FILE_BYTES, ExportError, read_export

PROGRESS_EVERY = 10  # articles between "Imported 40 of 120…" lines


class Command(BaseCommand):
    help = (
        "Import the articles of a WordPress or Squarespace export (WXR .xml file): drafts stay "
        "drafts, old addresses redirect to the new ones, and running it again updates instead "
        f"of duplicating. Files over {MAX_FILE_BYTES // (1024 * 1024)} MB and article bodies "
        f"over {MAX_BODY_CHARACTERS:,} characters are refused; nothing is ever downloaded."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", help="The .xml file WordPress or Squarespace exported.")
        parser.add_argument(
            "--author",
            metavar="USERNAME",
            help="Credit articles whose old author matches no user here (by username or "
            "e-mail) to this user. Without it, such articles stop the import.",
        )
        parser.add_argument(
            "--media-dir",
            metavar="DIR",
            help="A folder with the old site's image files (e.g. WordPress's wp-content/uploads). "
            "Images the articles show are taken from it, checked like editor uploads, and "
            "their links rewritten; without it they are listed as not brought over.",
        )
        parser.add_argument(
            "--series",
            metavar="TITLE",
            help="Also put the imported articles, oldest first, into the series with this "
            "title (made if there is none), after any parts it already has.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be imported, and save nothing.",
        )

    def handle(self, *args, export, author, media_dir, series, dry_run, verbosity, **options):
        if media_dir and not Path(media_dir).is_dir():
            raise CommandError(f"--media-dir {media_dir} is not a folder.")
        self.verb = "Checked" if dry_run else "Imported"
        try:
            summary = import_export(
                read_export(export),
                author=author,
                media_dir=media_dir,
                series_title=series,
                dry_run=dry_run,
                progress=self._progress if verbosity >= 1 else None,
            )
        except ExportError as error:
            raise CommandError(f"{error} Nothing was imported.") from None
        for line in summary.lines():
            self.stdout.write(line)

    def _progress(self, done, total):
        if done % PROGRESS_EVERY == 0 or done == total:
            # On stderr, so the summary on stdout can be saved or compared on its own.
            self.stderr.write(f"{self.verb} {done} of {total}…", style_func=lambda text: text)
