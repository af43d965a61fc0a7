"""SQLite backups and restores for `backup_db` and `restore_db`.

Everything goes through SQLite's online backup API, which copies a consistent snapshot of a
database while other processes keep reading and writing it (in WAL mode a writer never waits
for the copy). PostgreSQL has its own tools, `pg_dump` and `pg_restore`; these commands only
point to them.
"""

import errno
import os
import re
import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

# What the commands report: how many rows the backup holds, never what is in them.
KEY_TABLES = ["consultations_consultationrequest", "blog_post"]
BACKUP_NAME = re.compile(r"^practice-(\d{8}-\d{6})(?:-(\d+))?\.sqlite3$")
SQLITE_HEADER = b"SQLite format 3\x00"
COPY_TIMEOUT = 300  # seconds a copy may wait for locks before it gives up
LOCK_TIMEOUT = 20  # seconds, as in settings: writers queue rather than fail


def sqlite_database(postgres_hint):
    """The path of the site's SQLite database, decided from settings without connecting.

    On any other database, stop with `postgres_hint` (or a general pointer) instead.
    """
    database = settings.DATABASES["default"]
    engine = database["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        name = str(database["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise CommandError(f"The database {name!r} is not a plain SQLite file.")
        return Path(name).absolute()
    if "postgresql" in engine:
        raise CommandError(postgres_hint)
    raise CommandError(
        f"This command handles SQLite only, and the site uses {engine}: use that database's "
        'own backup tools (see "Backups" in README.md).'
    )


def timestamp():
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def connect(path, *, read_only=False):
    """A connection that never creates a database file where none was."""
    mode = "ro" if read_only else "rw"
    return sqlite3.connect(
        f"{path.as_uri()}?mode={mode}", uri=True, timeout=LOCK_TIMEOUT, isolation_level=None
    )


def create_private_file(path):
    """Create `path` empty, readable by its owner only; fail if it exists."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    os.chmod(path, 0o600)  # whatever the umask


def copy_database(source, target):
    """Copy the database open on `source` into the connection `target`, in one consistent step.

    One step (pages=-1) reads a single snapshot; copying in several steps would restart
    whenever another process writes, which on a busy site might never end. Waiting for locks
    is bounded by COPY_TIMEOUT.
    """
    deadline = time.monotonic() + COPY_TIMEOUT

    def give_up_eventually(status, remaining, total):
        if time.monotonic() > deadline:
            raise CommandError(
                f"The database stayed locked for {COPY_TIMEOUT} s; nothing was copied."
            )

    source.backup(target, pages=-1, progress=give_up_eventually)


def refresh_statistics(path):
    """ANALYZE the live database: SQLite has no autovacuum to keep its query planner's statistics
    fresh (without them a topic page's count read every article: 5 ms instead of 0.6). The
    nightly backup does it first, so the copy carries them too."""
    with closing(connect(path)) as live:
        live.execute("ANALYZE")


def make_standalone(connection):
    """Leave the copy as one self-contained file (no -wal or -shm beside it)."""
    connection.execute("PRAGMA journal_mode=DELETE")


def integrity_problems(connection):
    """What `PRAGMA integrity_check` finds wrong; an empty list means the database is ok."""
    try:
        rows = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as error:
        return [str(error)]
    messages = [row[0] for row in rows]
    return [] if messages == ["ok"] else messages


def has_table(connection, table):
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]
    ).fetchone()
    return found is not None


def row_counts(connection):
    """{table: number of rows, or None when the table does not exist} for KEY_TABLES."""
    # Table names come from KEY_TABLES above, never from input.
    return {
        table: (
            connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            if has_table(connection, table)
            else None
        )
        for table in KEY_TABLES
    }


def describe_counts(counts):
    return [
        f"  {table}: {'(no such table)' if rows is None else f'{rows} rows'}"
        for table, rows in counts.items()
    ]


def is_sqlite_file(path):
    with open(path, "rb") as file:
        return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def fsync(path):
    """Make `path` (a file or a folder) durable, so a power cut cannot leave half a backup."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_quietly(path):
    for leftover in (path, *(Path(f"{path}{suffix}") for suffix in ("-journal", "-wal", "-shm"))):
        leftover.unlink(missing_ok=True)


def publish(temporary, folder, stem):
    """Give the finished `temporary` file its final name `<stem>.sqlite3` (or `<stem>-2…`).

    A hard link never replaces an existing file, so two backups in the same second both
    survive; the final name appears only once the file is complete.
    """
    for counter in range(1, 1000):
        final = folder / (f"{stem}.sqlite3" if counter == 1 else f"{stem}-{counter}.sqlite3")
        try:
            os.link(temporary, final)
        except FileExistsError:
            continue
        except OSError as error:
            if error.errno not in (errno.EPERM, errno.EOPNOTSUPP) or final.exists():
                raise
            os.replace(temporary, final)  # a file system without hard links (some mounts)
        else:
            temporary.unlink()
        fsync(folder)
        return final
    raise CommandError(f"Could not find a free name for {stem} in {folder}.")


def backups_in(folder):
    """Our backup files in `folder` (nothing else), oldest first."""

    def age(path):
        stamp, counter = BACKUP_NAME.match(path.name).groups()
        return stamp, int(counter or 1)

    files = [path for path in folder.iterdir() if BACKUP_NAME.match(path.name) and path.is_file()]
    return sorted(files, key=age)
