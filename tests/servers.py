"""Real gunicorn servers for tests, and visitors that talk HTTP to them.

Visitors talk to gunicorn exactly as browsers behind our TLS-terminating proxy would: each one
keeps its own cookies, sends the address the proxy saw (when it has one) and never follows a
redirect, so every single response can be checked. Every request names the same site
(SITE_NAME), whichever server answers it, as it would behind one proxy.
"""

import contextlib
import os
import re
import socket
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

import gunicorn
import pytest

PROJECT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the only address these tests ever talk to
SITE_NAME = "localhost"  # the Host header of every request (in DJANGO_ALLOWED_HOSTS)
WORKERS = 4
REQUEST_TIMEOUT = 60  # seconds, for every single HTTP request
STARTUP_TIMEOUT = 30  # seconds for gunicorn to listen and answer /healthz
FORM_PATH = "/consultation/"
THANKS_PATH = "/consultation/thanks/"
# Production settings, as `make test` gives them, for a server the tests reach over plain http.
ENV = {
    "DJANGO_SETTINGS_MODULE": "tests.gunicorn_server",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "test-only-secret-not-for-production-0123456789abcdefghij",
    "DJANGO_SECURE_SSL_REDIRECT": "0",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "CONSULTATION_MIN_FILL_SECONDS": "0",  # our visitors fill the form in instantly
}


# --- The server --------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    error_log: Path
    access_log: Path

    def worker_pids(self, method, path):
        """The gunicorn workers (process ids) that answered `method path`, from the access log."""
        pids = set()
        for line in self.access_log.read_text().splitlines():
            pid, logged_method, logged_path = line.split()[:3]
            if (logged_method, logged_path) == (method, path):
                pids.add(pid)
        return pids

    def logs(self):
        log = self.error_log.read_text() if self.error_log.exists() else "(no log written)"
        return f"\n--- gunicorn {self.name} error log ---\n{log[-6000:]}"


def clean_environment(**settings):
    """This process's environment without any of the site's settings, plus ENV and `settings`."""
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DATABASE_URL", "REDIS_URL", "PRACTICE_", "CONSULTATION_")
        )
    }
    return {**base, **ENV, **settings}


@contextlib.contextmanager
def running_gunicorn(env, folder, name="gunicorn", workers=WORKERS):
    """A real gunicorn with `workers` processes on a free port, stopped on the way out."""
    for attempt in range(3):
        server = Server(
            name=name,
            port=free_port(),
            error_log=folder / f"{name}-error-{attempt}.log",
            access_log=folder / f"{name}-access-{attempt}.log",
        )
        process = start_gunicorn(env, server, workers)
        if process:
            break
    else:
        pytest.fail("Three free ports in a row were taken before gunicorn could bind them.")
    try:
        yield server
    finally:
        stop(process)


def free_port():
    # gunicorn cannot be told to pick a port itself; another process could take this one before
    # gunicorn binds it, which `start_gunicorn` notices (and `running_gunicorn` tries another).
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(env, server, workers):
    """Start gunicorn; return its process once it listens on its port and /healthz says ok.

    Returns None when another process took the port first. Fails the test (with gunicorn's
    log) when gunicorn does not come up within STARTUP_TIMEOUT seconds.
    """
    command = [
        *(sys.executable, "-m", "gunicorn", "practice.wsgi"),
        *("--workers", str(workers), "--threads", "1", "--timeout", "60"),
        *("--graceful-timeout", "10", "--bind", f"{HOST}:{server.port}"),
        *("--error-logfile", str(server.error_log), "--access-logfile", str(server.access_log)),
        *("--access-logformat", "%(p)s %(m)s %(U)s %(s)s"),
    ]
    if gunicorn.version_info >= (25, 1):
        # Its control socket has one path per user: every test server (and a `make serve`
        # running beside the tests) would take it from the one before.
        command.append("--no-control-socket")
    process = subprocess.Popen(
        command, cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        if wait_until_ready(process, server, workers):
            return process
    except BaseException:
        stop(process)
        raise
    if process.poll() is not None:
        return None  # the port was taken
    stop(process)
    pytest.fail(f"gunicorn did not answer /healthz within {STARTUP_TIMEOUT} s.{server.logs()}")


def wait_until_ready(process, server, workers):
    """True once gunicorn listens with all its workers and /healthz says ok; False when another
    process had the port or STARTUP_TIMEOUT passed. Fails when gunicorn exits for another reason."""
    listening = f"Listening at: http://{HOST}:{server.port} ({process.pid})"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        log = server.error_log.read_text() if server.error_log.exists() else ""
        if process.poll() is not None:
            if "Connection in use" in log:
                return False
            pytest.fail(f"gunicorn exited with status {process.returncode}.\n{log[-6000:]}")
        # Only ask /healthz once *our* gunicorn listens: until then, the port is someone else's.
        if listening in log and log.count("Booting worker") >= workers:
            try:
                if Browser().get(server, "/healthz").status == HTTPStatus.OK:
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


# --- A browser ---------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict
    set_cookies: list
    body: str


@dataclass
class Browser:
    """One visitor's browser: its cookies, kept from every answer, go to whichever server it asks.

    `address` is what our reverse proxy would report in X-Forwarded-For (for servers started
    with DJANGO_CLIENT_IP_HEADER=X-Forwarded-For); None sends no such header.
    """

    address: str | None = None
    cookies: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, server, path):
        return self.request(server, "GET", path)

    def post(self, server, path, fields):
        """Send form `fields` (a list of pairs) as a browser submits the form shown at `path`."""
        return self.request(server, "POST", path, urlencode(fields))

    def request(self, server, method, path, body=None):
        """One HTTP request on its own connection; no redirect is followed."""
        origin = f"https://{SITE_NAME}"
        headers = {
            # What our reverse proxy adds: the visitor is on HTTPS, so Django checks Origin and
            # Referer and the (Secure) cookies come back, as they would in a browser.
            "Host": SITE_NAME,
            "X-Forwarded-Proto": "https",
            "Origin": origin,
            "Referer": origin + path,
        }
        if self.address:
            headers["X-Forwarded-For"] = self.address
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self._lock:  # threads may share one browser (a double click)
            if self.cookies:
                headers["Cookie"] = "; ".join(
                    f"{name}={value}" for name, value in self.cookies.items()
                )
        connection = HTTPConnection(HOST, server.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(
                status=answer.status,
                headers={key.lower(): value for key, value in answer.getheaders()},
                set_cookies=answer.headers.get_all("Set-Cookie") or [],
                body=answer.read().decode("utf-8", "replace"),
            )
        finally:
            connection.close()
        self._keep_cookies(response)
        return response

    def _keep_cookies(self, response):
        with self._lock:
            for header in response.set_cookies:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)  # the server deleted it
                    else:
                        self.cookies[name] = morsel.value


class Forms(HTMLParser):
    """Every <form> on a page: its attributes and the fields a browser would send, in order.

    File inputs and buttons are left out; unchecked boxes too, as browsers do.
    """

    def __init__(self, html):
        super().__init__()
        self.forms = []
        self._textarea = None
        self._select = None
        self.feed(html)

    def named(self, **attributes):
        """The fields of the first form whose attributes include `attributes`."""
        for form_attributes, fields in self.forms:
            if attributes.items() <= form_attributes.items():
                return fields
        raise AssertionError(f"No form with {attributes} on the page.")

    def with_field(self, name):
        """The fields of the first form that has a field called `name`."""
        for _, fields in self.forms:
            if any(field_name == name for field_name, _ in fields):
                return fields
        raise AssertionError(f"No form with a {name!r} field on the page.")

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append((attributes, []))
            return
        if not self.forms:
            return
        fields, name = self.forms[-1][1], attributes.get("name")
        kind = attributes.get("type", "text").lower()
        if tag == "option" and self._select and "selected" in attributes:
            fields.append((self._select, attributes.get("value", "")))
        elif not name:
            return
        elif tag == "input" and kind not in {"file", "submit", "button", "reset", "image"}:
            if kind in {"checkbox", "radio"}:
                if "checked" in attributes:
                    fields.append((name, attributes.get("value", "on")))
            else:
                fields.append((name, attributes.get("value", "")))
        elif tag == "textarea":
            self._textarea = [name, ""]
        elif tag == "select":
            self._select = name

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # Browsers drop the newline that Django writes right after <textarea>.
            self.forms[-1][1].append((name, text.removeprefix("\r\n").removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None


# --- A visitor asking for a consultation -------------------------------------------------------


@dataclass
class Visitor(Browser):
    """Someone who fills in the consultation form on one server and may send it to any server."""

    name: str = "Visitor"
    phone: str = "(555) 010-0100"
    form: list = field(default_factory=list)

    def open_form(self, server):
        response = self.get(server, FORM_PATH)
        assert response.status == HTTPStatus.OK, response.body[:2000]
        hidden = dict(Forms(response.body).with_field("form_token"))
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
            ("message", "Sent by a test of real servers."),
            ("consent", "on"),
            ("website", ""),  # the honeypot, left empty as people do
        ]
        return self

    def submit(self, server):
        return self.post(server, FORM_PATH, self.form)


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


def open_forms(visitors, servers):
    """Visitor number i opens the form on server number i (round the list), a few at a time."""

    def open_form(number):
        return visitors[number].open_form(servers[number % len(servers)])

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(open_form, range(len(visitors)), timeout=3 * REQUEST_TIMEOUT))


def simultaneously(calls):
    """Run the calls at the same moment, one thread each; return their results in order."""
    barrier = threading.Barrier(len(calls), timeout=REQUEST_TIMEOUT)

    def released_together(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(released_together, call) for call in calls]
        return [future.result(timeout=3 * REQUEST_TIMEOUT) for future in futures]
