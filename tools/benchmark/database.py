"""The benchmark's site: bench/bench-<articles>.sqlite3 (built by tools/bench_data.py, rebuilt
when stale), served with production settings (tools/serving_settings.py), and a throwaway
redis-server."""

# Runs our own commands (manage.py, redis-server).
# ruff: noqa: S603

import contextlib
import shutil
import socket
import sqlite3
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

from tools.bench_data import GENERATOR_VERSION
from tools.benchmark.common import CLIENT_IP_HEADER, SUBMITTER, BenchError
from tools.serving import HOST, PROJECT, free_port, production_environment, run_setup, stop_group

PYTHON = PROJECT / ".venv" / "bin" / "python"
BENCH_DIR = PROJECT / "bench"


def database_path(articles):
    """One database file per data size, each built once."""
    return BENCH_DIR / f"bench-{articles}.sqlite3"


MAX_DATA_AGE_DAYS = 6  # rebuilt after this, before the scheduled parts (a week ahead) go live


def database_state(path):
    """(generator version, days since it was built) of the benchmark database, or (None, 0)."""
    if not path.exists():
        return None, 0
    with contextlib.closing(sqlite3.connect(path, timeout=20)) as connection:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        # The newest generated request arrived moments before the build (SQLite keeps UTC).
        newest = connection.execute(
            "SELECT max(submitted_at) FROM consultations_consultationrequest WHERE name NOT LIKE ?",
            [f"{SUBMITTER} %"],
        ).fetchone()[0]
    if not newest:
        return None, 0
    built = datetime.fromisoformat(newest).replace(tzinfo=UTC)
    return version, (datetime.now(UTC) - built).days


def remove_database(path):
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def ensure_database(env, rebuild, articles):
    """Build bench/bench-<articles>.sqlite3 when asked, missing or made by another generator
    version; migrate it in any case (code may have moved on since). `env` names it already."""
    manage = [str(PYTHON), "manage.py"]
    database = database_path(articles)
    version, age = database_state(database)
    if rebuild or version != GENERATOR_VERSION or age > MAX_DATA_AGE_DAYS:
        if rebuild:
            reason = "--rebuild"
        elif version is None:
            reason = "none yet"
        elif version != GENERATOR_VERSION:
            reason = f"generator version {version} → {GENERATOR_VERSION}"
        else:  # dates are relative to the build: a week on, the scheduled parts are live
            reason = f"its data is {age} days old"
        print(f"  building {database.relative_to(PROJECT)} ({reason})", flush=True)
        BENCH_DIR.mkdir(exist_ok=True)
        building = database.with_name(database.name + ".building")
        remove_database(building)  # an interrupted build
        build_env = {**env, "DATABASE_URL": f"sqlite:///{building}"}
        run_setup([*manage, "migrate", "--noinput"], build_env, "migrate (new database)")
        generate = [str(PYTHON), "tools/bench_data.py", "--articles", str(articles)]
        run_setup(generate, build_env, f"generate {articles:,} articles")
        if Path(f"{building}-wal").exists() and Path(f"{building}-wal").stat().st_size:
            raise BenchError(f"{building}-wal was not checkpointed; run again with --rebuild")
        remove_database(database)
        building.rename(database)
        remove_database(building)
    else:
        print(
            f"  reusing {database.relative_to(PROJECT)} (generator version {version}, built "
            f"{age} days ago)",
            flush=True,
        )
    run_setup([*manage, "migrate", "--noinput"], env, "migrate")


def collect_static(env):
    manage = [str(PYTHON), "manage.py"]
    run_setup([*manage, "collectstatic", "--noinput", "--verbosity", "0"], env, "collectstatic")


def bench_environment(workdir, secret_key, articles):
    """Production settings on the benchmark database of that size; the form's anti-abuse checks
    stay on (the production defaults: 3 s to fill it in, 5 requests an hour per address)."""
    return production_environment(
        workdir,
        DJANGO_SECRET_KEY=secret_key,  # shared with this process, which signs a session
        DATABASE_URL=f"sqlite:///{database_path(articles)}",
        DJANGO_CLIENT_IP_HEADER=CLIENT_IP_HEADER,
        DJANGO_LOG_LEVEL="WARNING",
    )


@contextlib.contextmanager
def redis_server(workdir):
    """A throwaway redis-server on 127.0.0.1 (no persistence); yields its REDIS_URL."""
    executable = shutil.which("redis-server")
    if not executable:
        raise BenchError(
            "--redis needs Debian's redis-server: sudo apt-get install -y redis-server"
        )
    port = free_port()
    command = [executable, "--port", str(port), "--bind", HOST, "--save", "", "--dir", str(workdir)]
    with (workdir / "redis.log").open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchError(
                    f"redis-server did not start:\n{(workdir / 'redis.log').read_text()}"
                )
            time.sleep(0.1)
        yield f"redis://{HOST}:{port}/1"
    finally:
        stop_group(process, timeout=5)
