import os
import sqlite3
from contextlib import closing
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sqlite_backups import backups

POSTGRES_HINT = (
    "backup_db backs up SQLite only, and this site uses PostgreSQL. Back it up with "
    "PostgreSQL's own tool instead, e.g.\n"
    '  pg_dump --format=custom --file="practice-$(date -u +%Y%m%d-%H%M%S).dump" "$DATABASE_URL"\n'
    'and copy the uploaded media too: see "Backups" in README.md.'
)


class Command(BaseCommand):
    help = (
        "Copy the SQLite database into a timestamped, integrity-checked file readable only by "
        "its owner. Safe while the site is taking requests. Run it daily."
    )
    # A backup must run even when a system check fails, and must never touch a database
    # server before it has decided it can do the job.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--keep",
            type=int,
            metavar="N",
            help="After a successful backup, delete the oldest backups beyond the newest N.",
        )
        parser.add_argument(
            "--dir",
            dest="folder",
            type=Path,
            help="Where backups go (default: $DJANGO_BACKUP_DIR, or backups/ next to the "
            "database file).",
        )

    def handle(self, *args, keep=None, folder=None, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be 1 or more (the backup just made is always kept).")
        database = backups.sqlite_database(POSTGRES_HINT)
        if not database.is_file():
            raise CommandError(f"There is no database at {database}: nothing to back up.")
        folder = folder or Path(settings.BACKUP_DIR or database.parent / "backups")
        folder = folder.absolute()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)

        try:
            backups.refresh_statistics(database)
            backup, counts = self.copy(database, folder)
        except sqlite3.Error as error:
            raise CommandError(f"SQLite could not back up {database}: {error}") from error

        size = backup.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(f"Backed up {database} to {backup} ({size:,} bytes, integrity ok).")
        )
        for line in backups.describe_counts(counts):
            self.stdout.write(line)
        if keep is not None:
            self.prune(folder, keep, backup)

    def copy(self, database, folder):
        """Copy `database` into a new backup file in `folder`; return its path and row counts."""
        stem = f"practice-{backups.timestamp()}"
        temporary = folder / f".{stem}-{os.getpid()}.partial"
        backups.create_private_file(temporary)
        try:
            with closing(backups.connect(temporary)) as target:
                with closing(backups.connect(database, read_only=True)) as source:
                    backups.copy_database(source, target)
                backups.make_standalone(target)
                problems = backups.integrity_problems(target)
                if problems:
                    raise CommandError(
                        "The copy failed its integrity check, so no backup was kept: "
                        + "; ".join(problems[:5])
                    )
                counts = backups.row_counts(target)
            backups.fsync(temporary)
            return backups.publish(temporary, folder, stem), counts
        finally:
            backups.remove_quietly(temporary)

    def prune(self, folder, keep, backup):
        older = [path for path in backups.backups_in(folder) if path != backup]
        doomed = older[: max(0, len(older) - (keep - 1))]
        for path in doomed:
            path.unlink()
        names = ", ".join(path.name for path in doomed) or "none"
        self.stdout.write(f"Keeping the newest {keep} backup(s); deleted: {names}.")
