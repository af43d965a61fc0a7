"""backup_db and restore_db, run as an operator runs them: in their own processes, on SQLite files
of their own (never the project's db.sqlite3), one of them while another process keeps writing.
"""

import hashlib
import os
import pty
import re
import sqlite3
import stat
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

from sqlite_backups import backups
from tests.support.subprocess_django import PRODUCTION, run_django
from tools.serving import PROJECT, clean_environment

COMMAND_TIMEOUT = 120  # seconds for any one command
WAIT_TIMEOUT = 60  # seconds to wait for the writer to make progress
REQUESTS = "consultations_consultationrequest"
POSTS = "blog_post"
CANARY = "Canary Visitor"
SEEDED = {REQUESTS: 30, POSTS: 5}
BACKUP_FILE = re.compile(r"^practice-\d{8}-\d{6}(-\d+)?\.sqlite3$")

SEED = f"""
import uuid
from django.contrib.auth.models import User
from django.utils import timezone
from blog.models import Post
from consultations.forms import CONSENT_VERSION
from consultations.models import ConsultationRequest

author = User.objects.create_user("writer")
for number in range({SEEDED[REQUESTS]}):
    ConsultationRequest.objects.create(
        name=f"{CANARY} {{number}}", phone="(555) 010-7777", message="canary-message-text",
        consent_version=CONSENT_VERSION, consented_at=timezone.now(),
        submission_token=uuid.uuid4(), client_key="seed",
    )
for number in range({SEEDED[POSTS]}):
    Post.objects.create(
        title=f"Seeded {{number}}", slug=f"seeded-{{number}}", body="Some *text*.",
        author=author, published_at=timezone.now(),
    )
result = [ConsultationRequest.objects.count(), Post.objects.count()]
"""

# Writes a request and an article in one transaction, again and again, until told to stop:
# a consistent backup holds both of a pair or neither, and a gap-free run of them.
WRITER = """
import sys, time, uuid
from pathlib import Path

import django

django.setup()
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from blog.models import Post
from consultations.forms import CONSENT_VERSION
from consultations.models import ConsultationRequest

stop, seconds, most = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
author = User.objects.get(username="writer")
deadline = time.monotonic() + seconds
written = 0
while written < most and time.monotonic() < deadline and not stop.exists():
    with transaction.atomic():
        ConsultationRequest.objects.create(
            name=f"Writer {written}", phone="(555) 010-0100", message="Sent during a backup.",
            consent_version=CONSENT_VERSION, consented_at=timezone.now(),
            submission_token=uuid.uuid4(), client_key="writer",
        )
        Post.objects.create(
            title=f"Writer {written}", slug=f"writer-{written}", body="Written during a backup.",
            author=author,
        )
    written += 1
print(written)
"""


# --- Helpers ----------------------------------------------------------------------------------


def environment(database, **extra):
    """A clean environment (none of the site's variables) with production settings on `database`."""
    assert Path(database).resolve() != (PROJECT / "db.sqlite3").resolve()
    return clean_environment(
        **{
            **PRODUCTION,
            "DJANGO_SETTINGS_MODULE": "practice.settings",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DATABASE_URL": f"sqlite:///{database}",
            **extra,
        }
    )


def manage(*args, database, **extra):
    """Run `manage.py *args` on `database` with no terminal attached (nobody can type "yes")."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=environment(database, **extra),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )


def connect(database):
    return closing(sqlite3.connect(f"{Path(database).as_uri()}?mode=ro", uri=True, timeout=20))


def clone(source, target, standalone=False):
    """A consistent copy of `source` at `target` (as one self-contained file if `standalone`)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with connect(source) as reader, closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)
        if standalone:
            writer.execute("PRAGMA journal_mode=DELETE")
    return target


def tables(database):
    with connect(database) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return sorted(name for (name,) in rows)


def rows(database, table):
    """Every row, in the order of its columns (first the id): some tables, such as those of the
    articles' search index, have no rowid to order by."""
    with connect(database) as connection:
        columns = connection.execute(f'SELECT * FROM "{table}" LIMIT 0').description
        order = ", ".join(str(number) for number in range(1, len(columns) + 1))
        return connection.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()


def primary_keys(database, table):
    return [row[0] for row in rows(database, table)]


def checksum(database, table):
    return hashlib.sha256(repr(rows(database, table)).encode()).hexdigest()


def integrity(database):
    with connect(database) as connection:
        return connection.execute("PRAGMA integrity_check").fetchall()


def numbers(database, table, column, prefix):
    """The n of every row whose `column` is `prefix` + n."""
    with connect(database) as connection:
        values = connection.execute(
            f'SELECT "{column}" FROM "{table}" WHERE "{column}" LIKE ?', [prefix + "%"]
        ).fetchall()
    return sorted(int(value.removeprefix(prefix)) for (value,) in values)


def file_state(path):
    """The bytes of a database and of its -wal file, to prove nothing was written."""
    return [
        hashlib.sha256(candidate.read_bytes()).hexdigest() if candidate.exists() else None
        for candidate in (path, Path(f"{path}-wal"))
    ]


def reported(result):
    """The backup path and row counts that backup_db printed."""
    assert result.returncode == 0, result.stdout + result.stderr
    path = Path(re.search(r"^Backed up \S+ to (\S+) \(", result.stdout, re.MULTILINE)[1])
    counts = {
        table: int(count)
        for table, count in re.findall(r"^\s+(\w+): (\d+) rows$", result.stdout, re.MULTILINE)
    }
    return path, counts


def mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def wait_for(condition, process, what):
    deadline = time.monotonic() + WAIT_TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            pytest.fail(f"The writer stopped early:\n{process.communicate(timeout=10)}")
        time.sleep(0.05)
    pytest.fail(f"Timed out waiting for {what}.")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A freshly migrated database, to be cloned (never changed) by tests."""
    database = tmp_path_factory.mktemp("migrated") / "db.sqlite3"
    result = manage("migrate", "--noinput", database=database)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-6000:]
    return database


@pytest.fixture(scope="module")
def seeded(migrated, tmp_path_factory):
    """The migrated database with 30 consultation requests and 5 articles."""
    database = clone(migrated, tmp_path_factory.mktemp("seeded") / "db.sqlite3")
    counts = run_django(SEED, DATABASE_URL=f"sqlite:///{database}", **PRODUCTION)
    assert counts == [SEEDED[REQUESTS], SEEDED[POSTS]]
    return database


# --- backup_db --------------------------------------------------------------------------------


def test_backup_is_a_private_integrity_checked_copy_with_every_row(seeded, tmp_path):
    live = clone(seeded, tmp_path / "site" / "db.sqlite3")

    result = manage("backup_db", database=live)

    backup, counts = reported(result)
    assert backup.parent == live.parent / "backups"
    assert BACKUP_FILE.match(backup.name)
    assert mode(backup) == 0o600
    assert mode(backup.parent) == 0o700
    assert sorted(path.name for path in backup.parent.iterdir()) == [backup.name]  # no leftovers
    assert integrity(backup) == [("ok",)]
    assert counts == SEEDED
    for table in tables(live):
        assert checksum(backup, table) == checksum(live, table), table
    # What visitors wrote is in the backup, never in what the command prints.
    assert CANARY not in result.stdout + result.stderr
    assert "7777" not in result.stdout + result.stderr


def test_the_backup_first_gives_the_live_database_and_the_copy_fresh_planner_statistics(
    seeded, tmp_path
):
    # SQLite has no autovacuum: without ANALYZE its query planner guesses (a topic page's count
    # then read every article). The nightly backup refreshes the statistics.
    live = clone(seeded, tmp_path / "site" / "db.sqlite3")
    assert "sqlite_stat1" not in tables(live)

    backup, _counts = reported(manage("backup_db", database=live))

    for database in (live, backup):
        with connect(database) as raw:
            planned = {row[0] for row in raw.execute("SELECT DISTINCT tbl FROM sqlite_stat1")}
        assert {"blog_post", "consultations_consultationrequest"} <= planned, database


def test_a_damaged_database_fails_the_backup_loudly_and_leaves_no_file(seeded, tmp_path):
    live = clone(seeded, tmp_path / "site" / "db.sqlite3", standalone=True)
    with connect(live) as connection:
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = ?", [REQUESTS]
        ).fetchone()
        (size,) = connection.execute("PRAGMA page_size").fetchone()
    with open(live, "r+b") as file:  # the requests table's first page, overwritten
        file.seek((root - 1) * size)
        file.write(b"\xff" * size)

    result = manage("backup_db", database=live)

    assert result.returncode != 0
    assert "failed its integrity check, so no backup was kept" in result.stderr
    assert "Traceback" not in result.stderr
    assert list((live.parent / "backups").iterdir()) == []


def test_keep_deletes_only_the_oldest_of_our_backups(migrated, tmp_path):
    live = clone(migrated, tmp_path / "site" / "db.sqlite3")
    folder = tmp_path / "offsite"
    folder.mkdir()
    oldest = folder / "practice-20200101-000000.sqlite3"
    clone(migrated, oldest, standalone=True)
    others = ["notes.txt", "practice-manual.sqlite3", "practice-20200101-000000.sqlite3.gz"]
    for name in others:
        (folder / name).write_text("not ours to delete")

    made = []
    for _ in range(3):
        result = manage("backup_db", "--keep", "2", database=live, DJANGO_BACKUP_DIR=str(folder))
        made.append(reported(result)[0])

    assert len(set(made)) == 3
    assert all(path.parent == folder for path in made)
    assert sorted(path.name for path in folder.iterdir() if BACKUP_FILE.match(path.name)) == sorted(
        path.name for path in made[-2:]
    )
    assert not oldest.exists()
    assert all((folder / name).read_text() == "not ours to delete" for name in others)


def test_dir_option_wins_over_the_environment_and_keep_zero_is_refused(migrated, tmp_path):
    live = clone(migrated, tmp_path / "site" / "db.sqlite3")
    chosen, ignored = tmp_path / "chosen", tmp_path / "ignored"

    refused = manage("backup_db", "--keep", "0", "--dir", str(chosen), database=live)
    result = manage(
        "backup_db", "--dir", str(chosen), database=live, DJANGO_BACKUP_DIR=str(ignored)
    )

    assert refused.returncode != 0
    assert "--keep must be 1 or more" in refused.stderr
    assert reported(result)[0].parent == chosen
    assert len(list(chosen.iterdir())) == 1
    assert not ignored.exists()


def test_later_backups_in_the_same_second_get_their_own_names(tmp_path):
    first, second = tmp_path / "first.partial", tmp_path / "second.partial"
    first.write_text("1")
    second.write_text("2")

    published = [
        backups.publish(first, tmp_path, "practice-20260101-120000"),
        backups.publish(second, tmp_path, "practice-20260101-120000"),
    ]

    assert [path.name for path in published] == [
        "practice-20260101-120000.sqlite3",
        "practice-20260101-120000-2.sqlite3",
    ]
    assert [path.read_text() for path in published] == ["1", "2"]
    assert not first.exists() and not second.exists()


def test_backups_are_ordered_by_time_then_counter_and_nothing_else_counts(tmp_path):
    names = [
        "practice-20260101-120000-10.sqlite3",
        "practice-20251231-235959.sqlite3",
        "practice-20260101-120000-2.sqlite3",
        "practice-20260101-120000.sqlite3",
        "practice-20260101-120000.sqlite3.partial",
        ".practice-20260101-120001-123.partial",
        "db.sqlite3",
    ]
    for name in names:
        (tmp_path / name).write_text("")

    assert [path.name for path in backups.backups_in(tmp_path)] == [
        "practice-20251231-235959.sqlite3",
        "practice-20260101-120000.sqlite3",
        "practice-20260101-120000-2.sqlite3",
        "practice-20260101-120000-10.sqlite3",
    ]


# --- Backup under load, then restore ------------------------------------------------------------


def test_backup_taken_while_requests_are_written_restores_into_a_fresh_database_row_for_row(
    seeded, migrated, tmp_path
):
    live = clone(seeded, tmp_path / "site" / "db.sqlite3")
    fresh = clone(migrated, tmp_path / "new-machine" / "db.sqlite3")
    stop = tmp_path / "stop-writing"

    def written():
        return len(numbers(live, REQUESTS, "name", "Writer "))

    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop), "90", "100000"],
        cwd=PROJECT,
        env=environment(live),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: written() >= 20, writer, "the writer's first 20 rows")
        before = written()
        result = manage("backup_db", "--dir", str(tmp_path / "backups"), database=live)
        after = written()
        wait_for(lambda: written() >= after + 20, writer, "20 more rows after the backup")
        stop.touch()
        out, err = writer.communicate(timeout=WAIT_TIMEOUT)
    finally:
        stop.touch()
        if writer.poll() is None:
            writer.kill()
            writer.communicate(timeout=WAIT_TIMEOUT)
    assert writer.returncode == 0, err[-6000:]
    total = int(out.strip())

    # The backup ran while the writer was writing, and it succeeded.
    backup, counts = reported(result)
    assert after > before, "the writer wrote nothing while backup_db ran"
    assert integrity(backup) == [("ok",)]
    assert mode(backup) == 0o600
    # It is one consistent moment: a gap-free run of pairs, each pair whole, taken mid-stream.
    in_backup = numbers(backup, REQUESTS, "name", "Writer ")
    assert before <= len(in_backup) <= after
    assert in_backup == list(range(len(in_backup)))
    assert numbers(backup, POSTS, "slug", "writer-") == in_backup
    assert len(numbers(live, REQUESTS, "name", "Writer ")) == total > len(in_backup)
    # ...and it holds exactly what backup_db reported.
    assert counts == {
        REQUESTS: SEEDED[REQUESTS] + len(in_backup),
        POSTS: SEEDED[POSTS] + len(in_backup),
    }
    assert {table: len(rows(backup, table)) for table in counts} == counts

    # A site process that already has the fresh database open.
    with closing(sqlite3.connect(fresh, timeout=20)) as site:
        assert site.execute(f"SELECT count(*) FROM {REQUESTS}").fetchone() == (0,)
        fresh_before = {table: checksum(fresh, table) for table in tables(fresh)}

        restored = manage("restore_db", str(backup), "--yes", database=fresh)

        assert restored.returncode == 0, restored.stdout + restored.stderr
        assert site.execute(f"SELECT count(*) FROM {REQUESTS}").fetchone() == (counts[REQUESTS],)

    for table in (REQUESTS, POSTS):
        assert primary_keys(fresh, table) == primary_keys(backup, table)
        assert checksum(fresh, table) == checksum(backup, table)
        assert f"{table}: {counts[table]} rows" in restored.stdout
    assert tables(fresh) == tables(backup)
    for table in tables(backup):
        assert checksum(fresh, table) == checksum(backup, table), table
    assert integrity(fresh) == [("ok",)]
    # Django itself reads the restored database.
    assert run_django(
        "from consultations.models import ConsultationRequest\n"
        "from blog.models import Post\n"
        "result = [ConsultationRequest.objects.count(), Post.objects.count()]",
        DATABASE_URL=f"sqlite:///{fresh}",
        **PRODUCTION,
    ) == [counts[REQUESTS], counts[POSTS]]
    # The database it replaced was kept aside, whole and private.
    (saved,) = fresh.parent.glob("db.sqlite3.before-restore-*")
    assert f"Saved the current database to {saved}." in restored.stdout
    assert mode(saved) == 0o600
    assert {table: checksum(saved, table) for table in tables(saved)} == fresh_before


# --- restore_db refusals --------------------------------------------------------------------------


def test_restore_refuses_without_yes_and_changes_nothing(seeded, migrated, tmp_path):
    live = clone(seeded, tmp_path / "site" / "db.sqlite3")
    backup = clone(migrated, tmp_path / "practice-20260101-000000.sqlite3", standalone=True)
    untouched = file_state(live)

    result = manage("restore_db", str(backup), database=live)

    assert result.returncode != 0
    assert "Run again with --yes to confirm; nothing was changed." in result.stderr
    assert file_state(live) == untouched
    assert len(rows(live, REQUESTS)) == SEEDED[REQUESTS]
    assert not list(live.parent.glob("*before-restore*"))


@pytest.mark.parametrize(("answer", "restored"), [("yes", True), ("no", False)])
def test_restore_at_a_terminal_asks_and_goes_ahead_only_on_yes(
    seeded, migrated, tmp_path, answer, restored
):
    live = clone(seeded, tmp_path / "site" / "db.sqlite3")
    backup = clone(migrated, tmp_path / "practice-20260101-000000.sqlite3", standalone=True)
    keyboard, terminal = pty.openpty()  # we type on one end; the command reads the other
    process = subprocess.Popen(
        [sys.executable, "manage.py", "restore_db", str(backup)],
        cwd=PROJECT,
        env=environment(live),
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        os.write(keyboard, f"{answer}\n".encode())
        out, err = process.communicate(timeout=COMMAND_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate(timeout=COMMAND_TIMEOUT)
        os.close(terminal)
        os.close(keyboard)

    assert "Type 'yes' to continue" in out
    assert (process.returncode == 0) is restored, out + err
    assert len(rows(live, REQUESTS)) == (0 if restored else SEEDED[REQUESTS])
    assert len(list(live.parent.glob("*before-restore*"))) == (1 if restored else 0)
    if not restored:
        assert "Cancelled; nothing was changed." in err


def damaged(seeded, path):
    """Half of a good backup, as an interrupted copy leaves it."""
    whole = clone(seeded, path.with_suffix(".whole"), standalone=True).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])


def foreign(seeded, path):
    """A sound SQLite database that is not this site's."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE notes (text)")
        connection.commit()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda seeded, path: None, "There is no file"),
        (
            lambda seeded, path: path.write_text("name,phone\nsomeone,555\n"),
            "not an SQLite database",
        ),
        (lambda seeded, path: path.write_bytes(b""), "not an SQLite database"),
        (damaged, "is damaged or not a backup of this site"),
        (foreign, "no django_migrations table"),
    ],
    ids=["missing", "text-file", "empty-file", "truncated", "foreign-database"],
)
def test_restore_of_anything_but_a_sound_backup_is_refused_and_changes_nothing(
    seeded, tmp_path, make, message
):
    live = clone(seeded, tmp_path / "site" / "db.sqlite3")
    candidate = tmp_path / "practice-20260101-000000.sqlite3"
    make(seeded, candidate)
    untouched = file_state(live)

    result = manage("restore_db", str(candidate), "--yes", database=live)

    assert result.returncode != 0
    assert message in result.stderr
    assert "nothing was changed" in result.stderr
    assert "Traceback" not in result.stderr
    assert file_state(live) == untouched
    assert len(rows(live, REQUESTS)) == SEEDED[REQUESTS]
    assert not list(live.parent.glob("*before-restore*"))


# --- PostgreSQL ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "pointer"),
    [
        (["backup_db"], "pg_dump --format=custom"),
        (["restore_db", "practice.dump", "--yes"], "pg_restore"),
    ],
)
def test_on_postgresql_the_commands_point_to_its_own_tools_without_connecting(
    tmp_path, command, pointer
):
    # Port 1 has no server: any attempt to connect would fail with a connection error instead.
    result = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=PROJECT,
        env=environment(tmp_path / "unused.sqlite3", DATABASE_URL="postgres://x@127.0.0.1:1/x"),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
    )

    assert result.returncode != 0
    assert pointer in result.stderr
    assert "README.md" in result.stderr
    assert "Traceback" not in result.stderr
    assert "connection" not in result.stderr.lower()
