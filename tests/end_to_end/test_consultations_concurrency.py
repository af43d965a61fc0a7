"""Consultation requests under real concurrency: a real gunicorn with several workers on SQLite.

Visitors (tests/support/http_client.py) fetch the form, keep their own cookies and post it back
without following the redirect, so every single response can be checked. What was stored is
read straight from the SQLite file. The Django test database is not used at all.
"""

import sqlite3
import subprocess
import sys
import time

import pytest

from tests.support.http_client import Visitor, describe, open_forms
from tests.support.servers import running_server, server_environment
from tools.serving import FORM_PATH, PROJECT, simultaneously, thanked

CROWD = 120
DOUBLE_CLICKS = 20
TABLE = "consultations_consultationrequest"


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A freshly migrated SQLite file of the server's own."""
    path = tmp_path_factory.mktemp("sqlite") / "db.sqlite3"
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=PROJECT,
        env=environment(path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if migrate.returncode:
        pytest.fail(f"migrate failed:\n{migrate.stdout[-3000:]}\n{migrate.stderr[-6000:]}")
    return path


@pytest.fixture(scope="module")
def server(database, tmp_path_factory):
    """A real gunicorn with several workers, on that SQLite file."""
    with running_server(environment(database), tmp_path_factory.mktemp("gunicorn")) as server:
        yield server


def environment(database):
    # Every visitor comes from 127.0.0.1, so the per-address limit is off.
    return server_environment(DATABASE_URL=f"sqlite:///{database}", CONSULTATION_RATE_LIMIT="0")


def rows(database, name_like):
    """(name, phone, preferred_contact, best_times, submission_token) of matching rows."""
    with sqlite3.connect(database, timeout=20) as connection:
        return connection.execute(
            f"SELECT name, phone, preferred_contact, best_times, submission_token FROM {TABLE} "
            "WHERE name LIKE ? ORDER BY name",
            [name_like],
        ).fetchall()


def test_120_simultaneous_requests_are_all_thanked_and_all_stored(server, database):
    visitors = {f"Crowd visitor {number:03d}": f"(555) 010-{number:04d}" for number in range(CROWD)}
    prepared = open_forms(
        [Visitor(name=name, phone=phone) for name, phone in visitors.items()], [server]
    )

    started = time.monotonic()
    responses = simultaneously(
        [lambda visitor=visitor: visitor.submit(server) for visitor in prepared]
    )
    seconds = time.monotonic() - started
    print(f"\n{CROWD} simultaneous submissions took {seconds:.2f} s")

    assert all(thanked(response) for response in responses), describe(responses) + server.logs()
    stored = rows(database, "Crowd visitor %")
    assert len(stored) == CROWD, server.logs()
    assert {name: phone for name, phone, *_ in stored} == visitors  # nobody lost, nothing mixed up
    assert len({token for *_, token in stored}) == CROWD
    assert all(row[2:4] == ("phone", '["morning", "evening"]') for row in stored)
    # "Several workers" really took part, so the requests raced across processes.
    assert len(server.worker_pids("POST", FORM_PATH)) >= 2, server.access_log.read_text()


def test_one_form_posted_20_times_at_once_is_stored_once_and_every_post_is_thanked(
    server, database
):
    visitor = Visitor(name="Double clicker", phone="(555) 010-0142").open_form(server)

    responses = simultaneously([lambda: visitor.submit(server)] * DOUBLE_CLICKS)

    assert all(thanked(response) for response in responses), describe(responses) + server.logs()
    assert len(rows(database, "Double clicker")) == 1


def test_sending_the_same_form_again_later_is_thanked_and_stored_once(server, database):
    # Back and resubmit, or a retry after a timeout: the browser sends the very same form again.
    visitor = Visitor(name="Back button", phone="(555) 010-0143").open_form(server)

    first = visitor.submit(server)
    assert thanked(first), describe([first])
    stored = rows(database, "Back button")
    assert len(stored) == 1

    again = [visitor.submit(server), visitor.submit(server)]

    assert all(thanked(response) for response in again), describe(again)
    assert rows(database, "Back button") == stored
