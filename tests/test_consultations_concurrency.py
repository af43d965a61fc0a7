"""Consultation requests under real concurrency: a real gunicorn with several workers on SQLite.

Visitors talk HTTP to gunicorn exactly as browsers behind our TLS-terminating proxy would: each
one fetches the form, keeps its own cookies, and posts the form back without following the
redirect, so every single response can be checked. What was stored is read straight from the
SQLite file. The Django test database is not used at all.
"""

import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http import HTTPStatus
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

PROJECT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the only address these tests ever talk to
WORKERS = 4
CROWD = 120
DOUBLE_CLICKS = 20
REQUEST_TIMEOUT = 60  # seconds, for every single HTTP request
STARTUP_TIMEOUT = 30  # seconds for gunicorn to listen and answer /healthz
FORM_PATH = "/consultation/"
THANKS_PATH = "/consultation/thanks/"
TABLE = "consultations_consultationrequest"
ENV = {
    "DJANGO_SETTINGS_MODULE": "tests.gunicorn_server",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "test-only-secret-not-for-production-0123456789abcdefghij",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "CONSULTATION_RATE_LIMIT": "0",  # every visitor comes from 127.0.0.1
    "CONSULTATION_MIN_FILL_SECONDS": "0",  # our visitors fill the form in instantly
}


# --- The server --------------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    database: Path
    error_log: Path
    access_log: Path

    def rows(self, name_like):
        """(name, phone, preferred_contact, best_times, submission_token) of matching rows."""
        with sqlite3.connect(self.database, timeout=20) as connection:
            return connection.execute(
                f"SELECT name, phone, preferred_contact, best_times, submission_token FROM {TABLE} "
                "WHERE name LIKE ? ORDER BY name",
                [name_like],
            ).fetchall()

    def worker_pids(self, method, path):
        """The gunicorn workers (process ids) that answered `method path`, from the access log."""
        pids = set()
        for line in self.access_log.read_text().splitlines():
            pid, logged_method, logged_path = line.split()[:3]
            if (logged_method, logged_path) == (method, path):
                pids.add(pid)
        return pids

    def logs(self):
        return f"--- gunicorn error log ---\n{self.error_log.read_text()[-6000:]}"


def clean_environment():
    """This process's environment without any of the site's settings, plus ENV."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_URL", "REDIS_URL", "PRACTICE_", "CONSULTATION_")
        )
    }
    return {**base, **ENV}


def free_port():
    # gunicorn cannot be told to pick a port itself; another process could take this one before
    # gunicorn binds it, which `start_gunicorn` notices (and the fixture then tries another).
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(env, port, error_log, access_log):
    """Start gunicorn; return its process once it listens on `port` and /healthz says ok.

    Returns None when another process took the port first. Fails the test (with gunicorn's
    log) when gunicorn does not come up within STARTUP_TIMEOUT seconds.
    """
    command = [
        *(sys.executable, "-m", "gunicorn", "practice.wsgi"),
        *("--workers", str(WORKERS), "--threads", "1", "--timeout", "60"),
        *("--graceful-timeout", "10", "--bind", f"{HOST}:{port}"),
        *("--error-logfile", str(error_log), "--access-logfile", str(access_log)),
        *("--access-logformat", "%(p)s %(m)s %(U)s %(s)s"),
    ]
    process = subprocess.Popen(
        command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        if wait_until_ready(process, port, error_log):
            return process
    except BaseException:
        stop(process)
        raise
    if process.poll() is not None:
        return None  # the port was taken
    stop(process)
    log = error_log.read_text() if error_log.exists() else "(no log written)"
    pytest.fail(f"gunicorn did not answer /healthz within {STARTUP_TIMEOUT} s.\n{log[-6000:]}")


def wait_until_ready(process, port, error_log):
    """True once gunicorn listens with all its workers and /healthz says ok; False when another
    process had the port or STARTUP_TIMEOUT passed. Fails when gunicorn exits for another reason."""
    listening = f"Listening at: http://{HOST}:{port} ({process.pid})"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        log = error_log.read_text() if error_log.exists() else ""
        if process.poll() is not None:
            if "Connection in use" in log:
                return False
            pytest.fail(f"gunicorn exited with status {process.returncode}.\n{log[-6000:]}")
        # Only ask /healthz once *our* gunicorn listens: until then, the port is someone else's.
        if listening in log and log.count("Booting worker") >= WORKERS:
            try:
                if get(port, "/healthz", {}).status == HTTPStatus.OK:
                    return True
            except OSError:
                pass
        time.sleep(0.2)
    return False


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real gunicorn with several workers, on a freshly migrated SQLite file of its own."""
    folder = tmp_path_factory.mktemp("gunicorn")
    database = folder / "db.sqlite3"
    env = {**clean_environment(), "DATABASE_URL": f"sqlite:///{database}"}
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if migrate.returncode:
        pytest.fail(f"migrate failed:\n{migrate.stdout[-3000:]}\n{migrate.stderr[-6000:]}")
    for attempt in range(3):
        port = free_port()
        error_log, access_log = folder / f"error-{attempt}.log", folder / f"access-{attempt}.log"
        process = start_gunicorn(env, port, error_log, access_log)
        if process:
            break
    else:
        pytest.fail("Three free ports in a row were taken before gunicorn could bind them.")
    try:
        yield Server(port=port, database=database, error_log=error_log, access_log=access_log)
    finally:
        stop(process)


# --- A visitor ---------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict
    set_cookies: list
    body: str


def get(port, path, cookies):
    return request(port, "GET", path, cookies)


def request(port, method, path, cookies, body=None):
    """One HTTP request to gunicorn on its own connection; no redirect is followed."""
    origin = f"https://{HOST}:{port}"
    headers = {
        # What our reverse proxy adds: the visitor is on HTTPS, so Django checks Origin/Referer
        # and the (Secure) CSRF cookie comes back, as it would in a browser.
        "X-Forwarded-Proto": "https",
        "Origin": origin,
        "Referer": origin + FORM_PATH,
    }
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return Response(
            status=response.status,
            headers={key.lower(): value for key, value in response.getheaders()},
            set_cookies=response.headers.get_all("Set-Cookie") or [],
            body=response.read().decode("utf-8", "replace"),
        )
    finally:
        connection.close()


class HiddenInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.values[attributes["name"]] = attributes.get("value") or ""


@dataclass
class Visitor:
    port: int
    name: str
    phone: str
    cookies: dict = field(default_factory=dict)
    form: list = field(default_factory=list)

    def open_form(self):
        response = get(self.port, FORM_PATH, self.cookies)
        assert response.status == HTTPStatus.OK, response.body[:2000]
        for header in response.set_cookies:
            self.cookies.update(
                {name: morsel.value for name, morsel in SimpleCookie(header).items()}
            )
        parser = HiddenInputs()
        parser.feed(response.body)
        hidden = parser.values
        assert hidden.get("csrfmiddlewaretoken"), "the form has no CSRF token"
        assert hidden.get("form_token"), "the form has no form token"
        assert "csrftoken" in self.cookies, "no CSRF cookie was set"
        self.form = [
            ("csrfmiddlewaretoken", hidden["csrfmiddlewaretoken"]),
            ("form_token", hidden["form_token"]),
            ("source", hidden.get("source", "")),
            ("name", self.name),
            ("phone", self.phone),
            ("email", ""),
            ("preferred_contact", "phone"),
            ("best_times", "morning"),
            ("best_times", "evening"),
            ("voicemail_ok", "on"),
            ("message", "Sent by the concurrency test."),
            ("consent", "on"),
            ("website", ""),  # the honeypot, left empty as people do
        ]
        return self

    def submit(self):
        return request(self.port, "POST", FORM_PATH, self.cookies, body=urlencode(self.form))


def thanked(response):
    return response.status == HTTPStatus.FOUND and response.headers.get("location", "").endswith(
        THANKS_PATH
    )


def describe(responses):
    """Every response that is not the redirect to the thank-you page, briefly."""
    problems = [
        f"{response.status} {response.headers.get('location', '')} "
        + re.sub(r"\s+", " ", response.body)[:300]
        for response in responses
        if not thanked(response)
    ]
    return f"{len(problems)} of {len(responses)} were not thanked: {problems[:5]}"


def simultaneously(calls):
    """Run the calls at the same moment, one thread each; return their results in order."""
    barrier = threading.Barrier(len(calls), timeout=REQUEST_TIMEOUT)

    def released_together(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(released_together, call) for call in calls]
        return [future.result(timeout=3 * REQUEST_TIMEOUT) for future in futures]


# --- The tests ---------------------------------------------------------------------------------


def test_120_simultaneous_requests_are_all_thanked_and_all_stored(server):
    visitors = {f"Crowd visitor {number:03d}": f"(555) 010-{number:04d}" for number in range(CROWD)}
    with ThreadPoolExecutor(max_workers=16) as pool:
        prepared = list(
            pool.map(
                lambda item: Visitor(server.port, *item).open_form(),
                visitors.items(),
                timeout=3 * REQUEST_TIMEOUT,
            )
        )

    started = time.monotonic()
    responses = simultaneously([visitor.submit for visitor in prepared])
    seconds = time.monotonic() - started
    print(f"\n{CROWD} simultaneous submissions took {seconds:.2f} s")

    assert all(thanked(response) for response in responses), describe(responses) + server.logs()
    rows = server.rows("Crowd visitor %")
    assert len(rows) == CROWD, server.logs()
    assert {name: phone for name, phone, *_ in rows} == visitors  # nobody lost, nothing mixed up
    assert len({token for *_, token in rows}) == CROWD
    assert all(row[2:4] == ("phone", '["morning", "evening"]') for row in rows)
    # "Several workers" really took part, so the requests raced across processes.
    assert len(server.worker_pids("POST", FORM_PATH)) >= 2, server.access_log.read_text()


def test_one_form_posted_20_times_at_once_is_stored_once_and_every_post_is_thanked(server):
    visitor = Visitor(server.port, "Double clicker", "(555) 010-0142").open_form()

    responses = simultaneously([visitor.submit] * DOUBLE_CLICKS)

    assert all(thanked(response) for response in responses), describe(responses) + server.logs()
    assert len(server.rows("Double clicker")) == 1


def test_sending_the_same_form_again_later_is_thanked_and_stored_once(server):
    # Back and resubmit, or a retry after a timeout: the browser sends the very same form again.
    visitor = Visitor(server.port, "Back button", "(555) 010-0143").open_form()

    first = visitor.submit()
    assert thanked(first), describe([first])
    stored = server.rows("Back button")
    assert len(stored) == 1

    again = [visitor.submit(), visitor.submit()]

    assert all(thanked(response) for response in again), describe(again)
    assert server.rows("Back button") == stored
