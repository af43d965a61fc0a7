"""The site served by real gunicorn, and an HTTP client that talks to it: shared by the audit
(tools/audit.py), the benchmark (tools/bench.py) and the end-to-end tests (tests/end_to_end/,
through tests/support/servers.py and tests/support/http_client.py).

- `clean_environment`: this process's environment without any of the site's settings, so a
  server or command started from here reads only what it is given.
- `running_gunicorn`: gunicorn on a free port (or a chosen one), ready once it listens with all
  its workers and /healthz answers, stopped with everything it started on the way out.
- `HttpClient`: one visitor's client; it keeps its cookies, follows no redirect and, like a
  browser behind our TLS-terminating proxy, says the visitor is on HTTPS.
- `Forms`: the fields a browser would send for each form on a page.
- `simultaneously`: calls released at the same moment, one thread each.
- `production_environment`, `run_setup`: the production-like site the audit and the benchmark
  prepare in a folder of their own (tools/serving_settings.py).

Nothing here imports the tests.
"""

# Runs our own commands (gunicorn, manage.py…) and talks only to the servers it started on
# 127.0.0.1.
# ruff: noqa: S603

import contextlib
import os
import secrets
import signal
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

PROJECT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the only address these servers listen on, and the only one we talk to
# Environment variables that configure the site (README.md lists them): none is inherited.
SITE_VARIABLES = ("DJANGO_", "DATABASE_URL", "REDIS_URL", "PRACTICE_", "CONSULTATION_")
STARTUP_TIMEOUT = 30  # seconds for gunicorn to listen with all its workers and answer /healthz
REQUEST_TIMEOUT = 60  # seconds, for every single HTTP request
PORT_ATTEMPTS = 3  # free ports tried when another process takes one before gunicorn binds it
FORM_PATH = "/consultation/"
THANKS_PATH = "/consultation/thanks/"


class ServerError(Exception):
    """The server could not be started; the message ends with its log."""


def clean_environment(**settings):
    """This process's environment without any of the site's settings, plus `settings`.

    What a server or a manage.py command started from here reads: nothing that a developer's
    shell (or the test run itself) happens to set leaks in.
    """
    base = {key: value for key, value in os.environ.items() if not key.startswith(SITE_VARIABLES)}
    return {**base, **settings}


# --- Ports ---------------------------------------------------------------------------------------


def free_port():
    """A port nobody listens on right now. gunicorn cannot be told to pick one itself; another
    process could take this one before gunicorn binds it, which `running_gunicorn` notices."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def ensure_free(port):
    """Something else already answering on a chosen port must not be measured instead of us."""
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError as error:
            raise ServerError(f"port {port} is not free ({error}); choose another") from None


# --- gunicorn ------------------------------------------------------------------------------------


@dataclass
class Server:
    """A running gunicorn: where it listens, its process and its two logs."""

    name: str
    port: int
    process: subprocess.Popen
    error_log: Path
    access_log: Path  # one line per request: worker pid, method, path, status

    @property
    def base_url(self):
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self):
        """The gunicorn master's process id (its workers are its children)."""
        return self.process.pid

    def logs(self):
        """The end of the error log, to add to an assertion's message."""
        log = self.error_log.read_text(errors="replace") if self.error_log.exists() else ""
        return f"\n--- gunicorn {self.name} error log ---\n{log[-6000:] or '(nothing logged)'}"

    def access_lines(self):
        if not self.access_log.exists():
            return []
        return [line.split() for line in self.access_log.read_text().splitlines() if line]

    def worker_pids(self, method, path):
        """The workers (process ids) that answered `method path`, from the access log."""
        return {pid for pid, *request in self.access_lines() if request[:2] == [method, path]}

    def errors(self):
        """What shows a failure in the logs: every request answered 500, every traceback and
        every line gunicorn logged as an error."""
        failed = [" ".join(line) for line in self.access_lines() if line[3:4] == ["500"]]
        log = self.error_log.read_text(errors="replace") if self.error_log.exists() else ""
        return failed + [
            line for line in log.splitlines() if "Traceback" in line or "[ERROR]" in line
        ]


@contextlib.contextmanager
def running_gunicorn(env, folder, name="gunicorn", workers=2, port=None, python=sys.executable):
    """gunicorn serving practice.wsgi with `workers` processes, stopped on the way out.

    `env` is its whole environment (see `clean_environment`); its logs go to `folder`. It listens
    on `port`, or on a free port when None (another one when a process takes it first). Raises
    ServerError when gunicorn does not come up within STARTUP_TIMEOUT seconds.
    """
    if port is not None:
        ensure_free(port)
    attempts = 1 if port is not None else PORT_ATTEMPTS
    for attempt in range(attempts):
        server = start_gunicorn(
            env, folder, name, workers, port or free_port(), python, suffix=f"-{attempt}"
        )
        if server:
            break
    else:
        raise ServerError(f"{attempts} free ports in a row were taken before gunicorn bound them.")
    try:
        yield server
    finally:
        stop_group(server.process)


def start_gunicorn(env, folder, name, workers, port, python, suffix=""):
    """Start gunicorn; return its Server once it is ready, or None when the port was taken."""
    server = Server(
        name=name,
        port=port,
        process=None,
        error_log=folder / f"{name}-error{suffix}.log",
        access_log=folder / f"{name}-access{suffix}.log",
    )
    command = [
        *(str(python), "-m", "gunicorn", "practice.wsgi"),
        *("--workers", str(workers), "--threads", "1", "--timeout", "60"),
        *("--graceful-timeout", "10", "--bind", f"{HOST}:{port}"),
        *("--error-logfile", str(server.error_log), "--access-logfile", str(server.access_log)),
        *("--access-logformat", "%(p)s %(m)s %(U)s %(s)s"),
    ]
    if gunicorn_version() >= (25, 1):
        # Its control socket has one path per user: every server started here (and a `make
        # serve` running beside them) would take it from the one before.
        command.append("--no-control-socket")
    # A session of its own: Ctrl-C reaches only us, and we stop it (and its workers) in order.
    server.process = subprocess.Popen(
        command,
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        if wait_until_ready(server, workers):
            return server
    except BaseException:
        stop_group(server.process)
        raise
    if server.process.poll() is not None:
        return None  # the port was taken
    stop_group(server.process)
    raise ServerError(
        f"gunicorn did not answer /healthz within {STARTUP_TIMEOUT} s.{server.logs()}"
    )


def gunicorn_version():
    import gunicorn

    return gunicorn.version_info


def wait_until_ready(server, workers):
    """True once gunicorn listens with all its workers and /healthz says ok; False when another
    process had the port or STARTUP_TIMEOUT passed. Raises when gunicorn exits for another reason.
    """
    process = server.process
    listening = f"Listening at: http://{HOST}:{server.port} ({process.pid})"
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        log = server.error_log.read_text(errors="replace") if server.error_log.exists() else ""
        if process.poll() is not None:
            if "Connection in use" in log:
                return False
            raise ServerError(f"gunicorn exited with status {process.returncode}.{server.logs()}")
        # Only ask /healthz once *our* gunicorn listens: until then, the port is someone else's.
        if listening in log and log.count("Booting worker") >= workers:
            with contextlib.suppress(OSError):
                if HttpClient().get(server, "/healthz").status == HTTPStatus.OK:
                    return True
        time.sleep(0.2)
    return False


def stop_group(process, timeout=30):
    """SIGTERM to a process group we started, then SIGKILL to whatever is left of it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # children that outlived their parent
    process.wait()


# --- Talking HTTP --------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict  # names in lower case
    set_cookies: list  # every Set-Cookie header, as sent
    content: bytes

    @property
    def body(self):
        return self.content.decode("utf-8", "replace")

    @property
    def cookies(self):
        """{name: value} of the cookies this response set."""
        return {
            name: morsel.value
            for header in self.set_cookies
            for name, morsel in SimpleCookie(header).items()
        }


@dataclass
class HttpClient:
    """One visitor's HTTP client: its cookies, kept from every answer, go to whichever server
    it asks; no redirect is followed, so every single response can be checked.

    As a browser behind our TLS-terminating proxy (`behind_proxy`), it says the visitor is on
    HTTPS, so Django checks Origin and Referer and the (Secure) cookies come back. `host` is the
    site it names in every request, whichever server answers (None: the server's own address);
    `address` is what the proxy would report in X-Forwarded-For (for servers started with
    DJANGO_CLIENT_IP_HEADER=X-Forwarded-For); `headers` go with every request.
    """

    host: str | None = None
    address: str | None = None
    headers: dict = field(default_factory=dict)
    behind_proxy: bool = True
    cookies: dict = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, server, path):
        return self.request(server, "GET", path)

    def post(self, server, path, fields):
        """Send form `fields` (a list of pairs) as a browser submits the form shown at `path`."""
        return self.request(server, "POST", path, urlencode(fields))

    def request(self, server, method, path, body=None):
        """One HTTP request on its own connection."""
        host = self.host or f"{HOST}:{server.port}"
        origin = f"{'https' if self.behind_proxy else 'http'}://{host}"
        headers = {"Host": host, "Origin": origin, "Referer": origin + path, **self.headers}
        if self.behind_proxy:
            headers["X-Forwarded-Proto"] = "https"
            if self.address:
                headers["X-Forwarded-For"] = self.address
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        with self._lock:  # threads may share one client (a double click)
            if self.cookies:
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = HTTPConnection(HOST, server.port, timeout=REQUEST_TIMEOUT)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(
                status=answer.status,
                headers={key.lower(): value for key, value in answer.getheaders()},
                set_cookies=answer.headers.get_all("Set-Cookie") or [],
                content=answer.read(),
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


def thanked(response):
    """Whether a consultation form sent was answered with the redirect to the thank-you page."""
    location = response.headers.get("location", "")
    return response.status == HTTPStatus.FOUND and location.endswith(THANKS_PATH)


def consultation_fields(hidden, name, phone, message, best_times=("morning", "evening")):
    """What a person sends on the consultation form, given the form's `hidden` fields."""
    return [
        ("csrfmiddlewaretoken", hidden["csrfmiddlewaretoken"]),
        ("form_token", hidden["form_token"]),
        ("source", hidden.get("source", "")),
        ("location", "OR"),  # a state the practice serves (the demo's clinicians are in Oregon)
        ("age", "adult"),
        ("name", name),
        ("phone", phone),
        ("email", ""),
        ("preferred_contact", "phone"),
        *(("best_times", time) for time in best_times),
        ("voicemail_ok", "on"),
        ("message", message),
        ("heard_about", ""),  # "— (optional)", as a browser sends a list left alone
        ("consent", "on"),
        ("website", ""),  # the honeypot, left empty as people do
    ]


def simultaneously(calls):
    """Run the calls at the same moment, one thread each; return their results in order."""
    barrier = threading.Barrier(len(calls), timeout=REQUEST_TIMEOUT)

    def released_together(call):
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(released_together, call) for call in calls]
        return [future.result(timeout=3 * REQUEST_TIMEOUT) for future in futures]


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


# --- The site as the audit and the benchmark serve it --------------------------------------------


def production_environment(workdir, **settings):
    """Production settings (tools/serving_settings.py) on a site of its own in `workdir`: a
    database, media and collected static files there, never the developer's; plain http on
    127.0.0.1, so the redirect to HTTPS is off. `settings` are added, or replace these."""
    return clean_environment(
        **{
            "DJANGO_SETTINGS_MODULE": "tools.serving_settings",
            "SERVING_STATIC_ROOT": str(workdir / "static"),
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "DJANGO_MEDIA_ROOT": str(workdir / "media"),
            **settings,
        }
    )


def run_child(command, env=None):
    """Run a command to the end; if we are interrupted, stop it and everything it started
    (Lighthouse's chromium, say), not just the command itself."""
    process = subprocess.Popen(
        command,
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate()
    except BaseException:
        stop_group(process, timeout=15)
        raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def run_setup(command, env, label):
    """One step of preparing a site (collectstatic, migrate…), timed; ServerError if it fails."""
    started = time.monotonic()
    done = run_child(command, env=env)
    if done.returncode != 0:
        raise ServerError(f"{label} failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    print(f"  {label:<28} {time.monotonic() - started:5.1f} s", flush=True)
