import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sqlite_backups import backups

POSTGRES_HINT = (
    "restore_db restores SQLite only, and this site uses PostgreSQL. Restore a pg_dump file "
    "with PostgreSQL's own tool instead, e.g.\n"
    '  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" practice-….dump\n'
    'See "Backups" in README.md.'
)


class Command(BaseCommand):
    help = (
        "Replace the SQLite database with a backup made by backup_db, after checking the backup. "
        "The current database is copied aside first (<database>.before-restore-<time>)."
    )
    # Restoring must work even when a system check fails (the database may be the problem).
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The backup to restore.")
        parser.add_argument(
            "--yes", action="store_true", help="Replace the database without asking first."
        )

    def handle(self, *args, file, yes=False, **options):
        database = backups.sqlite_database(POSTGRES_HINT)
        backup = file.absolute()
        try:
            with closing(self.open_checked(backup, database)) as source:
                self.confirm(yes, backup, database)
                saved = self.save_current(database)
                if saved:
                    self.stdout.write(f"Saved the current database to {saved}.")
                counts = self.restore(source, database, saved)
        except sqlite3.Error as error:
            raise CommandError(f"SQLite could not finish the restore: {error}") from error

        self.stdout.write(self.style.SUCCESS(f"Restored {database} from {backup}:"))
        for line in backups.describe_counts(counts):
            self.stdout.write(line)
        self.stdout.write(
            "If the backup is older than the code, run `python manage.py migrate` next."
        )

    def open_checked(self, backup, database):
        """A read-only connection to `backup`, once it has proved to be a sound site database."""
        if not backup.exists():
            raise CommandError(f"There is no file {backup}; nothing was changed.")
        if not backup.is_file():
            raise CommandError(f"{backup} is not a file; nothing was changed.")
        if database.exists() and backup.samefile(database):
            raise CommandError(f"{backup} is the live database itself; nothing was changed.")
        if not backups.is_sqlite_file(backup):
            raise CommandError(
                f"{backup} is not an SQLite database (backup_db makes practice-….sqlite3 "
                "files); nothing was changed."
            )
        source = backups.connect(backup, read_only=True)
        problems = backups.integrity_problems(source)
        if not problems and not backups.has_table(source, "django_migrations"):
            problems = ["it has no django_migrations table, so it is not this site's database"]
        if problems:
            source.close()
            raise CommandError(
                f"{backup} is damaged or not a backup of this site ({'; '.join(problems[:5])}); "
                "nothing was changed."
            )
        return source

    def confirm(self, yes, backup, database):
        if yes:
            return
        warning = f"This replaces the database {database} with {backup}."
        if not sys.stdin.isatty():
            raise CommandError(f"{warning} Run again with --yes to confirm; nothing was changed.")
        answer = input(f"{warning}\nType 'yes' to continue: ")
        if answer.strip().lower() != "yes":
            raise CommandError("Cancelled; nothing was changed.")

    def save_current(self, database):
        """Copy the live database aside (consistently, as a backup); return where, or None."""
        if not database.exists():
            return None
        stem = f"{database.name}.before-restore-{backups.timestamp()}"
        for counter in range(1, 1000):
            aside = database.with_name(stem if counter == 1 else f"{stem}-{counter}")
            try:
                backups.create_private_file(aside)
                break
            except FileExistsError:
                continue
        else:
            raise CommandError(f"Could not find a free name for {stem}; nothing was changed.")
        with closing(backups.connect(aside)) as target:
            with closing(backups.connect(database, read_only=True)) as live:
                backups.copy_database(live, target)
            backups.make_standalone(target)
        backups.fsync(aside)
        return aside

    def restore(self, source, database, saved):
        """Write `source` into the live database in one transaction; return its row counts.

        The backup API writes through SQLite's own locking, so connections the site holds open
        see either the old database or the restored one, never a mixture.
        """
        if not database.exists():
            backups.create_private_file(database)
        with closing(backups.connect(database)) as target:
            backups.copy_database(source, target)
            target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            problems = backups.integrity_problems(target)
            if problems:
                raise CommandError(
                    f"The restored database failed its integrity check ({'; '.join(problems[:5])})."
                    f" The previous database is at {saved}."
                )
            return backups.row_counts(target)
