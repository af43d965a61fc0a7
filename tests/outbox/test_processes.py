"""Delivery processes as deployed: real `manage.py send_queued_mail` processes under production
settings (practice.settings), on the database this test run uses (a SQLite file, or PostgreSQL
when DATABASE_URL names one), delivering over SMTP to a real server (tests/support/smtp_server.py).

Tests here commit (transaction=True), so the processes see what they queue.
"""

import collections
import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import get_commands
from django.db import connection
from post_office.models import STATUS, Email, Log

import outbox
from outbox.models import Delivery
from tests.support.subprocess_django import PRODUCTION
from tools.serving import PROJECT, clean_environment

# serialized_rollback: the roles made by data migrations come back after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MESSAGES = 100
ACCEPT_SECONDS = 0.02  # what the server takes per message: both processes are busy at once


def url_of_the_test_database():
    """DATABASE_URL naming the database this test process uses (one per xdist worker)."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path=f"/{name}"))


def delivery_environment(smtp_server):
    return clean_environment(
        DJANGO_SETTINGS_MODULE="practice.settings",
        **PRODUCTION,
        DATABASE_URL=url_of_the_test_database(),
        DJANGO_EMAIL_HOST="127.0.0.1",
        DJANGO_EMAIL_PORT=str(smtp_server.port),
        DJANGO_EMAIL_USE_TLS="0",
    )


def start_delivery(smtp_server, *arguments):
    return subprocess.Popen(
        [sys.executable, "manage.py", "send_queued_mail", *arguments],
        cwd=PROJECT,
        env=delivery_environment(smtp_server),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for_connections_to_close(timeout=15):
    # PostgreSQL ends a finished process's session a moment later; until then pytest-django
    # could not flush or drop the test database.
    if connection.vendor != "postgresql":
        return
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


def test_ours_is_the_send_queued_mail_command_not_post_offices():
    assert get_commands()["send_queued_mail"] == "outbox"


def test_two_delivery_processes_at_once_send_each_message_exactly_once(smtp_server):
    smtp_server.delay = ACCEPT_SECONDS
    for number in range(MESSAGES):
        outbox.send(f"person{number}@example.org", f"Message {number:03d}", f"Body {number}.")

    started = time.monotonic()
    processes = [start_delivery(smtp_server) for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    seconds = time.monotonic() - started
    wait_for_connections_to_close()

    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr[-3000:]
    subjects = collections.Counter(message["Subject"] for message in smtp_server.messages())
    duplicates = sum(count - 1 for count in subjects.values())
    sent_by = [int(stdout.split()[0]) for stdout, _ in outputs]  # "N sent, 0 to retry, 0 failed"
    print(
        f"\n{connection.vendor}: 2 processes, {MESSAGES} messages queued, {len(subjects)} "
        f"delivered, {duplicates} duplicates, {seconds:.2f} s (the processes sent "
        f"{sent_by[0]} and {sent_by[1]})"
    )
    assert duplicates == 0
    assert sorted(subjects) == [f"Message {number:03d}" for number in range(MESSAGES)]
    assert sum(sent_by) == MESSAGES
    assert min(sent_by) > 0, "one process sent everything: they did not run at the same time"
    assert set(Email.objects.values_list("status", flat=True)) == {STATUS.sent}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
    assert Log.objects.filter(status=STATUS.sent).count() == MESSAGES


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_the_delivery_loop_delivers_as_mail_arrives_and_stops_cleanly_on_a_signal(
    smtp_server, stop_signal
):
    loop = start_delivery(smtp_server, "--loop", "--every", "0.2")
    try:
        outbox.send("desk@example.com", "Arrived while it ran", "Text.")
        deadline = time.monotonic() + 30
        while not smtp_server.messages() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [m["Subject"] for m in smtp_server.messages()] == ["Arrived while it ran"]

        loop.send_signal(stop_signal)
        _, stderr = loop.communicate(timeout=10)
    finally:
        if loop.poll() is None:
            loop.kill()
            loop.wait()
        wait_for_connections_to_close()

    assert loop.returncode == 0, stderr[-3000:]
    assert f"Stopped delivering mail (signal {stop_signal.value})" in stderr
    assert "Traceback" not in stderr
