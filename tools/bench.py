"""Benchmark the site the way production serves it: `make bench` (tracker issue 7).

1. Builds the benchmark database bench/bench.sqlite3 once (tools/bench_data.py: 2,000
   articles, 100 series, 20 topics, 20,000 consultation requests, 50,000 contact-log entries),
   and again only with --rebuild, when the generator's version changes, or when the data is
   over 6 days old (its dates are relative to the build). db.sqlite3 is never touched.
2. In this process, with the page cache off: the queries each page makes, the median time to
   render each page through the whole middleware stack (the article: ≥200 runs after warm-up),
   and the queries the signed-in admin consultation list makes.
3. Serves the database like `make serve` (collectstatic, gunicorn practice.wsgi, 2 workers,
   DEBUG off, on 127.0.0.1, behind the proxy headers production's proxy sets) and runs wrk
   against every page and the hashed site.css (whitenoise, the ceiling for this stack),
   round-robin: each round runs every target once for --duration seconds, and the medians over
   --rounds rounds count. The machine is shared, so ratios to the static file are what to quote.
   Then, on the same server: the admin consultation list (first page, and "Overdue") over HTTP
   with a signed-in, two-factor-verified session, and --submissions form submissions at once,
   each from its own address; the rows are counted in the database afterwards. At the end, each
   worker's peak memory (VmHWM).
4. The same rounds again with the page cache off (DJANGO_PAGE_CACHE_SECONDS=0), unless
   --skip-uncached: what rendering costs under load.

Prints a table and PASS/MISS per target, writes bench/results/bench-<time>.json. Exits 1 when
a submission did not land, 2 when the benchmark could not run; a missed timing target is
printed, not an error, since timings on a shared machine vary.

    .venv/bin/python tools/bench.py [--rounds 3] [--duration 3] [--connections 8]
                                    [--rebuild] [--skip-uncached] [--redis] [--port 8123]
"""

# This tool runs our own commands (manage.py, gunicorn, wrk, redis-server) and talks only to
# the servers it started on 127.0.0.1, so the subprocess checks do not apply.
# ruff: noqa: S603, S607, S310

import argparse
import contextlib
import ipaddress
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools.audit import (  # noqa: E402 - needs ROOT on the path first
    GUNICORN,
    PYTHON,
    SETTINGS_SHIM,
    AuditError,
    ensure_free,
    free_port,
    run_setup,
    server_environment,
    server_errors,
    start_server,
    stop_group,
    stop_server,
)
from tools.bench_data import FULL, GENERATOR_VERSION  # noqa: E402

BENCH_DIR = ROOT / "bench"
DATABASE = BENCH_DIR / "bench.sqlite3"
RESULTS = BENCH_DIR / "results"
HOST = "127.0.0.1"  # the only address load is ever sent to
# What production's proxy adds (deploy/): the visitor is on HTTPS; with
# DJANGO_CLIENT_IP_HEADER=X-Forwarded-For the last address is the visitor's.
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip, deflate, br"}
CLIENT_IP_HEADER = "X-Forwarded-For"
FORM_PATH = "/consultation/"
THANKS_PATH = "/consultation/thanks/"
ADMIN_LIST = "/admin/consultations/consultationrequest/"
SUBMITTER = "Bench visitor"  # names of the rows the submission test stores (then deletes)
ADMIN_USERNAME = "bench-admin"
REQUEST_TIMEOUT = 60  # seconds, for any single HTTP request
WRK_GRACE = 30  # seconds wrk may take beyond --duration before it is stopped
MAX_DATA_AGE_DAYS = 6  # rebuilt after this, before the scheduled parts (a week ahead) go live

# The targets (tracker issue 7). Each is PASS or MISS; none makes the run fail.
ARTICLE_SHARE_OF_STATIC = 0.5  # cached article ≥ 50% of the static file's requests/s
ARTICLE_RENDER_MS = 3.0  # uncached, median in-process
ARTICLE_QUERIES = 4
DEEP_PAGE_SHARE = 0.8  # /blog/?page=150 within 20% of /blog/
ADMIN_QUERIES = 10
ADMIN_MS = 150
SUBMISSION_P99_S = 1.0
WORKER_PEAK_MB = 100

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


class BenchError(Exception):
    """The benchmark itself could not run."""


@dataclass
class Target:
    name: str
    path: str
    cacheable: bool = True  # the page cache serves it to anonymous visitors
    render_runs: int = 25  # in-process, uncached
    queries: int | None = None
    render_ms: float | None = None
    render_fastest_ms: float | None = None  # the floor under the machine's noise
    checks: dict = field(default_factory=dict)  # pass name -> what the first GETs showed
    rounds: dict = field(default_factory=dict)  # pass name -> [wrk result per round]


# --- The database ----------------------------------------------------------------------------


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


def ensure_database(env, rebuild):
    """Build bench/bench.sqlite3 when asked, missing or made by another generator version;
    migrate it in any case (code may have moved on since)."""
    manage = [str(PYTHON), "manage.py"]
    version, age = database_state(DATABASE)
    if rebuild or version != GENERATOR_VERSION or age > MAX_DATA_AGE_DAYS:
        if rebuild:
            reason = "--rebuild"
        elif version is None:
            reason = "none yet"
        elif version != GENERATOR_VERSION:
            reason = f"generator version {version} → {GENERATOR_VERSION}"
        else:  # dates are relative to the build: a week on, the scheduled parts are live
            reason = f"its data is {age} days old"
        print(f"  building {DATABASE.relative_to(ROOT)} ({reason})", flush=True)
        BENCH_DIR.mkdir(exist_ok=True)
        building = DATABASE.with_name(DATABASE.name + ".building")
        remove_database(building)  # an interrupted build
        build_env = {**env, "DATABASE_URL": f"sqlite:///{building}"}
        run_setup([*manage, "migrate", "--noinput"], build_env, "migrate (new database)")
        run_setup([str(PYTHON), "tools/bench_data.py"], build_env, "generate data")
        if Path(f"{building}-wal").exists() and Path(f"{building}-wal").stat().st_size:
            raise BenchError(f"{building}-wal was not checkpointed; run again with --rebuild")
        remove_database(DATABASE)
        building.rename(DATABASE)
        remove_database(building)
    else:
        print(
            f"  reusing {DATABASE.relative_to(ROOT)} (generator version {version}, built "
            f"{age} days ago)",
            flush=True,
        )
    run_setup([*manage, "migrate", "--noinput"], env, "migrate")


def prepare(workdir, env):
    (workdir / "bench_settings.py").write_text(
        SETTINGS_SHIM.format(static_root=str(workdir / "static"))
    )
    manage = [str(PYTHON), "manage.py"]
    run_setup([*manage, "collectstatic", "--noinput", "--verbosity", "0"], env, "collectstatic")


def bench_environment(workdir, secret_key):
    """Production settings on the benchmark database; the form's anti-abuse checks stay on."""
    env = server_environment(workdir)  # clean of the developer's own settings
    for name in ("CONSULTATION_MIN_FILL_SECONDS", "CONSULTATION_RATE_LIMIT"):
        env.pop(name)  # production defaults: 3 s, 5 per hour per address
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "DJANGO_SECRET_KEY": secret_key,  # shared with this process, which signs a session
            "DATABASE_URL": f"sqlite:///{DATABASE}",
            "DJANGO_CLIENT_IP_HEADER": CLIENT_IP_HEADER,
            "DJANGO_LOG_LEVEL": "WARNING",
        }
    )
    return env


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


# --- In this process: queries and render times, page cache off --------------------------------


def setup_django(workdir, env):
    os.environ.update(env)
    # Off, however practice/page_cache.py reads it; and the test client's host is allowed.
    os.environ["DJANGO_PAGE_CACHE_SECONDS"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = env["DJANGO_ALLOWED_HOSTS"] + ",testserver"
    sys.path.insert(0, str(workdir))
    import django

    django.setup()


def pick_targets():
    """The pages to measure, chosen from the data: a middle part of a series, and so on."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.db.models import Count

    from blog.models import Post, Series, Topic
    from blog.views import POSTS_PER_PAGE

    series = Series.objects.with_published_parts().order_by("slug").first()
    parts = list(series.published_parts())
    article = parts[len(parts) // 2]
    topic = Topic.objects.annotate(n=Count("posts")).filter(n__gt=0).order_by("-n", "slug").first()
    last_page = math.ceil(Post.objects.published().count() / POSTS_PER_PAGE)
    deep = min(150, last_page)
    css = staticfiles_storage.url("css/site.css")  # the hashed name, from the manifest
    if css == settings.STATIC_URL + "css/site.css":
        raise BenchError("site.css has no hashed name: collectstatic did not write a manifest")
    return [
        Target("home", "/"),
        Target("blog list", "/blog/"),
        Target(f"blog list p.{deep}", f"/blog/?page={deep}"),
        Target("article in series", article.get_absolute_url(), render_runs=200),
        Target("series", series.get_absolute_url()),
        Target("topic", topic.get_absolute_url()),
        Target("RSS feed", "/blog/feed/"),
        Target("sitemap", "/sitemap.xml", render_runs=10),
        Target("consultation form", FORM_PATH, cacheable=False),
        Target("static site.css", css, cacheable=False),
    ]


def reset_leftovers():
    """Clear what earlier runs left: cached pages, sessions, submissions of a crashed run."""
    from django.contrib.sessions.models import Session
    from django.core.cache import cache

    from consultations.models import ConsultationRequest

    cache.clear()
    Session.objects.all().delete()
    ConsultationRequest.objects.filter(name__startswith=SUBMITTER).delete()


def signed_in_session():
    """A front-desk user with a confirmed TOTP device, and a session that has passed both
    factors, as if they had signed in with their password and a code (practice/two_factor.py)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import Group, User
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from staff.roles import FRONT_DESK

    user, _ = User.objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"first_name": "Bench", "is_staff": True}
    )
    user.set_unusable_password()  # nobody signs in as this user with a password
    user.save()
    user.groups.add(Group.objects.get(name=FRONT_DESK))
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Authenticator app", defaults={"confirmed": True}
    )
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.create()
    return settings.SESSION_COOKIE_NAME, session.session_key


def timed_get(client, path, anonymous=True):
    """(response, milliseconds). Anonymous: as a first-time visitor, with no cookies."""
    if anonymous:
        client.cookies.clear()
    started = time.perf_counter()
    response = client.get(path)
    return response, (time.perf_counter() - started) * 1000


def measure_in_process(targets, session_cookie):
    """Queries and median render time per page, uncached, through every middleware."""
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    proxy = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in PROXY_HEADERS.items()}
    admin_paths = {"admin list": ADMIN_LIST, "admin list overdue": ADMIN_LIST + "?overdue=yes"}
    admin = {}
    with override_settings(PAGE_CACHE_SECONDS=0):
        for target in targets:
            client = Client(**proxy)
            for _ in range(10):  # warm-up: templates, URL resolvers, SQLite's page cache
                response, _ = timed_get(client, target.path)
                if response.status_code != 200:
                    raise BenchError(f"{target.path} answered {response.status_code} in-process")
            client.cookies.clear()
            with CaptureQueriesContext(connection) as queries:
                client.get(target.path)
            target.queries = len(queries)
            times = [timed_get(client, target.path)[1] for _ in range(target.render_runs)]
            target.render_ms = statistics.median(times)
            target.render_fastest_ms = min(times)
            print(
                f"  {target.name:<22} {target.queries:>3} queries  "
                f"{target.render_ms:7.2f} ms median of {len(times)} "
                f"(fastest {target.render_fastest_ms:.2f} ms)",
                flush=True,
            )
        name, key = session_cookie
        for label, path in admin_paths.items():
            client = Client(**proxy)
            client.cookies[name] = key
            response, _ = timed_get(client, path, anonymous=False)
            if response.status_code != 200:
                raise BenchError(f"{path} answered {response.status_code} to the signed-in user")
            with CaptureQueriesContext(connection) as queries:
                client.get(path)
            # Read them now: the next request clears the connection's query log.
            sql = [f"{query['time']} s: {query['sql'][:400]}" for query in queries]
            times = [timed_get(client, path, anonymous=False)[1] for _ in range(10)]
            admin[label] = {
                "path": path,
                "queries": len(sql),
                "in_process_ms": statistics.median(times),
                "sql": sql,
            }
            print(
                f"  {label:<22} {len(sql):>3} queries  "
                f"{admin[label]['in_process_ms']:7.2f} ms median of {len(times)}",
                flush=True,
            )
    connections.close_all()  # gunicorn has the database from here on
    return admin


# --- Over HTTP ---------------------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict
    cookies: dict
    body: str


def http(port, method, path, headers=None, body=None, timeout=REQUEST_TIMEOUT):
    """One request on its own connection, with the proxy's headers; redirects not followed."""
    connection = HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={**PROXY_HEADERS, **(headers or {})})
        response = connection.getresponse()
        cookies = {}
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.update({name: m.value for name, m in SimpleCookie(header).items()})
        return Response(
            response.status,
            {key.lower(): value for key, value in response.getheaders()},
            cookies,
            response.read().decode("utf-8", "replace"),
        )
    finally:
        connection.close()


def check_targets(port, targets, pass_name):
    """Each page answers 200; a cacheable page says miss, then hit (with the page cache on)."""
    for target in targets:
        seen = []
        for _ in range(2):
            response = http(port, "GET", target.path)
            if response.status != 200:
                raise BenchError(f"GET {target.path} answered {response.status}")
            seen.append(response.headers.get("x-page-cache", "—"))
        target.checks[pass_name] = seen


def run_wrk(base_url, target, args, workdir):
    script = workdir / "report.lua"
    if not script.exists():
        script.write_text(WRK_SCRIPT)
    command = [
        "wrk",
        *("--threads", str(args.threads), "--connections", str(args.connections)),
        *("--duration", f"{args.duration}s", "--timeout", "10s", "--script", str(script)),
    ]
    for name, value in PROXY_HEADERS.items():
        command += ["--header", f"{name}: {value}"]
    command.append(base_url + target.path)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=args.duration + WRK_GRACE, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"wrk did not finish within {args.duration + WRK_GRACE} s") from error
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise BenchError(f"wrk failed (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    raw = json.loads(line.removeprefix("BENCH "))
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": sum(raw[k] for k in ("connect", "read", "write", "status", "timeout")),
        **raw,
    }


def settle(port, master_pid, deadline_s=60):
    """Wait until gunicorn is idle again. When wrk stops, requests it already sent are still
    queued (a slow page's can take seconds), and would otherwise be billed to the next target:
    idle means /healthz answers at once and no worker used CPU for a tenth of a second."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        started = time.perf_counter()
        http(port, "GET", "/healthz")
        if time.perf_counter() - started > 0.05:
            continue
        before = worker_cpu_ticks(master_pid)
        time.sleep(0.1)
        after = worker_cpu_ticks(master_pid)
        if all(after.get(pid, 0) - ticks <= 1 for pid, ticks in before.items()):
            return
    raise BenchError(f"gunicorn was still busy {deadline_s} s after the load stopped")


def load_rounds(base_url, server, targets, args, workdir, pass_name):
    """Round-robin: every target once per round, starting one later each round."""
    for number in range(args.rounds):
        started = time.monotonic()
        order = targets[number % len(targets) :] + targets[: number % len(targets)]
        for target in order:
            settle(*server)
            target.rounds.setdefault(pass_name, []).append(run_wrk(base_url, target, args, workdir))
        load = os.getloadavg()[0]
        print(
            f"  round {number + 1}/{args.rounds}: {time.monotonic() - started:.0f} s, "
            f"load average {load:.1f}",
            flush=True,
        )


def time_admin(port, session_cookie, runs):
    """The signed-in consultation list over HTTP, first page and Overdue, alternating."""
    name, key = session_cookie
    paths = {"admin list": ADMIN_LIST, "admin list overdue": ADMIN_LIST + "?overdue=yes"}
    times = {label: [] for label in paths}
    for number in range(runs + 2):  # two warm-ups
        for label, path in paths.items():
            started = time.perf_counter()
            response = http(port, "GET", path, {"Cookie": f"{name}={key}"})
            elapsed = (time.perf_counter() - started) * 1000
            if response.status != 200:
                where = response.headers.get("location", "")
                raise BenchError(
                    f"GET {path} as the signed-in user answered {response.status} {where}"
                )
            if number >= 2:
                times[label].append(elapsed)
    return {
        label: {"median_ms": statistics.median(values), "p99_ms": percentile(values, 99),
                "runs": len(values)}
        for label, values in times.items()
    }  # fmt: skip


class HiddenInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.values[attributes["name"]] = attributes.get("value") or ""


def submit_forms(port, count, min_fill_seconds, run_id):
    """`count` visitors, each from its own address, fetch the form, wait as long as a person
    must, then all send it at the same moment. A 302 to the thank-you page means it landed."""
    origin = f"https://{HOST}:{port}"

    def address(number):
        return str(ipaddress.IPv4Address("10.0.0.1") + number)

    def open_form(number):
        headers = {CLIENT_IP_HEADER: address(number)}
        response = http(port, "GET", FORM_PATH, headers)
        if response.status != 200:
            raise BenchError(f"GET {FORM_PATH} answered {response.status}")
        parser = HiddenInputs()
        parser.feed(response.body)
        hidden = parser.values
        fields = [
            ("csrfmiddlewaretoken", hidden["csrfmiddlewaretoken"]),
            ("form_token", hidden["form_token"]),
            ("source", hidden.get("source", "")),
            ("name", f"{SUBMITTER} {run_id} {number:03d}"),
            ("phone", f"(555) 010-{number:04d}"),
            ("email", ""),
            ("preferred_contact", "phone"),
            ("best_times", "morning"),
            ("voicemail_ok", "on"),
            ("message", "Sent by make bench."),
            ("consent", "on"),
            ("website", ""),  # the honeypot, left empty as people do
        ]
        headers.update(
            {
                "Cookie": "; ".join(f"{k}={v}" for k, v in response.cookies.items()),
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + FORM_PATH,
            }
        )
        return headers, urllib.parse.urlencode(fields)

    with ThreadPoolExecutor(max_workers=16) as pool:
        forms = list(pool.map(open_form, range(count), timeout=3 * REQUEST_TIMEOUT))
    time.sleep(min_fill_seconds + 0.5)  # the newest form was shown just now

    barrier = threading.Barrier(count, timeout=REQUEST_TIMEOUT)

    def send(form):
        headers, body = form
        barrier.wait()
        started = time.perf_counter()
        try:
            response = http(port, "POST", FORM_PATH, headers, body)
            outcome = (response.status, response.headers.get("location", ""))
        except OSError as error:
            outcome = (0, f"{type(error).__name__}: {error}")
        return outcome, time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=count) as pool:
        results = list(pool.map(send, forms, timeout=3 * REQUEST_TIMEOUT))
    wall = time.perf_counter() - started
    latencies = [seconds for _, seconds in results]
    outcomes = [outcome for outcome, _ in results]
    landed = [status == 302 and location.endswith(THANKS_PATH) for status, location in outcomes]
    thanked = sum(landed)
    pairs = zip(outcomes, landed, strict=True)
    other = sorted({f"{status} {where}" for (status, where), ok in pairs if not ok})
    return {
        "sent": count,
        "thanked": thanked,
        "other_responses": other[:10],
        "wall_s": wall,
        "p50_s": percentile(latencies, 50),
        "p99_s": percentile(latencies, 99),
        "max_s": max(latencies),
    }


def stored_submissions(run_id):
    """(rows, distinct tokens) the submission test stored, straight from the SQLite file."""
    with contextlib.closing(sqlite3.connect(DATABASE, timeout=20)) as connection:
        return connection.execute(
            "SELECT count(*), count(DISTINCT submission_token) "
            "FROM consultations_consultationrequest WHERE name LIKE ?",
            [f"{SUBMITTER} {run_id} %"],
        ).fetchone()


def delete_submissions():
    with contextlib.closing(sqlite3.connect(DATABASE, timeout=20)) as connection, connection:
        connection.execute(
            "DELETE FROM consultations_consultationrequest WHERE name LIKE ?", [f"{SUBMITTER} %"]
        )


def worker_processes(master_pid):
    """{pid: fields of /proc/<pid>/stat after the command name} of the gunicorn workers."""
    workers = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == master_pid:
                    workers[int(entry.name)] = fields
    return workers


def worker_cpu_ticks(master_pid):
    """{pid: user + system CPU time in clock ticks} of the gunicorn workers."""
    return {pid: int(f[11]) + int(f[12]) for pid, f in worker_processes(master_pid).items()}


def worker_memory(master_pid):
    """{pid: (VmHWM MB, VmRSS MB)} of the gunicorn workers."""
    workers = {}
    for pid in worker_processes(master_pid):
        with contextlib.suppress(OSError):
            lines = Path(f"/proc/{pid}/status").read_text().splitlines()
            status = dict(line.split(":", 1) for line in lines)
            workers[pid] = tuple(int(status[k].split()[0]) / 1024 for k in ("VmHWM", "VmRSS"))
    return workers


def serve_and_measure(workdir, env, targets, args, pass_name, port, extra=None):
    """Start gunicorn, run the load rounds (and `extra`, on the same server), read the workers'
    peak memory, and stop it again whatever happens."""
    process, base_url = start_server(workdir, env, port)
    try:
        print(f"  serving {base_url} (gunicorn, 2 workers, DEBUG off)", flush=True)
        check_targets(port, targets, pass_name)
        load_rounds(base_url, (port, process.pid), targets, args, workdir, pass_name)
        settle(port, process.pid)
        outcome = extra(port) if extra else {}
        outcome["workers"] = {
            str(pid): {"peak_mb": peak, "rss_mb": rss}
            for pid, (peak, rss) in sorted(worker_memory(process.pid).items())
        }
        return outcome
    finally:
        stop_server(process)
        errors = server_errors(workdir)
        if errors:
            print(f"  gunicorn logged {len(errors)} error lines, e.g.:", flush=True)
            for line in errors[:10]:
                print(f"    {line}", flush=True)


# --- Report --------------------------------------------------------------------------------------


def percentile(values, percent):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(percent / 100 * len(ordered)) - 1)]


def summarize(targets, pass_name):
    """Medians over the rounds; the ratio is the median of each round's ratio to the static
    file measured in that same round."""
    static = targets[-1].rounds[pass_name]
    summary = {}
    for target in targets:
        rounds = target.rounds[pass_name]
        summary[target.name] = {
            "rps": statistics.median(r["rps"] for r in rounds),
            "p50_ms": statistics.median(r["p50_ms"] for r in rounds),
            "p99_ms": statistics.median(r["p99_ms"] for r in rounds),
            "share_of_static": statistics.median(
                r["rps"] / s["rps"] for r, s in zip(rounds, static, strict=True)
            ),
            "errors": sum(r["errors"] for r in rounds),
        }
    return summary


def ratio_of(targets, pass_name, name, base_name):
    by_name = {t.name: t for t in targets}
    pairs = zip(by_name[name].rounds[pass_name], by_name[base_name].rounds[pass_name], strict=True)
    return statistics.median(a["rps"] / b["rps"] for a, b in pairs)


def print_table(targets, summaries):
    passes = list(summaries)
    head = f"{'target':<21}{'URL':<44}"
    for pass_name in passes:
        head += f"{pass_name + ' req/s':>16}{'p50 ms':>8}{'p99 ms':>8}{'×static':>8}"
    head += f"{'queries':>8}{'render ms':>10}"
    print(head)
    print("-" * len(head))
    for target in targets:
        path = target.path if len(target.path) < 43 else target.path[:40] + "…"
        line = f"{target.name:<21}{path:<44}"
        for pass_name in passes:
            row = summaries[pass_name][target.name]
            line += (
                f"{row['rps']:>16,.0f}{row['p50_ms']:>8.1f}{row['p99_ms']:>8.1f}"
                f"{row['share_of_static']:>8.2f}"
            )
        line += f"{target.queries:>8}{target.render_ms:>10.2f}"
        print(line)
    errors = {
        f"{t.name} ({p})": summaries[p][t.name]["errors"]
        for t in targets
        for p in passes
        if summaries[p][t.name]["errors"]
    }
    if errors:
        print(f"wrk counted errors (connect/read/write/timeout/status ≥ 400): {errors}")
    print(
        "req/s, p50 and p99: medians over the rounds; ×static: median of each round's ratio to "
        "the static file; queries and render ms: in-process, page cache off."
    )


def judge(targets, summaries, admin, submissions, memory):
    """(label, passed, detail) per target."""
    by_name = {t.name: t for t in targets}
    article = by_name["article in series"]
    deep_name = targets[2].name
    verdicts = []
    share = summaries["cached"]["article in series"]["share_of_static"]
    verdicts.append(
        ("cached article ≥ 50% of the static file's req/s", share >= ARTICLE_SHARE_OF_STATIC,
         f"{share:.0%}")
    )  # fmt: skip
    verdicts.append(
        (
            f"uncached article ≤ {ARTICLE_RENDER_MS:g} ms median, ≤ {ARTICLE_QUERIES} queries",
            article.render_ms <= ARTICLE_RENDER_MS and article.queries <= ARTICLE_QUERIES,
            f"{article.render_ms:.2f} ms (fastest {article.render_fastest_ms:.2f} ms), "
            f"{article.queries} queries",
        )
    )
    details = []
    passed = True
    for pass_name in summaries:
        ratio = ratio_of(targets, pass_name, deep_name, "blog list")
        details.append(f"{pass_name} {ratio:.0%}")
        passed = passed and ratio >= DEEP_PAGE_SHARE
    render_ratio = by_name[deep_name].render_ms / by_name["blog list"].render_ms
    details.append(f"render time {render_ratio:.0%} of /blog/'s")
    verdicts.append(
        (f"{by_name[deep_name].path} within 20% of /blog/ req/s", passed, ", ".join(details))
    )
    for label, timing in admin["http"].items():
        queries = admin["in_process"][label]["queries"]
        verdicts.append(
            (
                f"{label}: ≤ {ADMIN_QUERIES} queries, ≤ {ADMIN_MS} ms",
                queries <= ADMIN_QUERIES and timing["median_ms"] <= ADMIN_MS,
                f"{queries} queries, {timing['median_ms']:.0f} ms median over HTTP "
                f"(p99 {timing['p99_ms']:.0f} ms)",
            )
        )
    landed = submissions["rows"] == submissions["sent"] == submissions["thanked"]
    verdicts.append(
        (
            f"{submissions['sent']} concurrent submissions all land, p99 < {SUBMISSION_P99_S:g} s",
            landed and submissions["p99_s"] < SUBMISSION_P99_S,
            f"{submissions['thanked']} thanked, {submissions['rows']} rows stored, "
            f"p99 {submissions['p99_s']:.2f} s",
        )
    )
    for pass_name, workers in memory.items():
        peaks = [worker["peak_mb"] for worker in workers.values()]
        verdicts.append(
            (
                f"each worker < {WORKER_PEAK_MB} MB peak RSS ({pass_name} pass)",
                bool(peaks) and max(peaks) < WORKER_PEAK_MB,
                ", ".join(f"{peak:.0f} MB" for peak in peaks),
            )
        )
    return verdicts


# --- Running it all ------------------------------------------------------------------------------


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of load (default 3)")
    parser.add_argument("--duration", type=int, default=3, help="seconds per target per round")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections (default 8)")
    # One wrk thread easily outpaces two sync workers, and leaves them more of a small machine.
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--submissions", type=int, default=200, help="concurrent form posts")
    parser.add_argument("--admin-runs", type=int, default=20, help="timed admin list requests")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the benchmark database")
    parser.add_argument(
        "--skip-uncached", action="store_true", help="skip the rounds with the page cache off"
    )
    parser.add_argument("--redis", action="store_true", help="cache in a local redis-server")
    parser.add_argument("--port", type=int, help="port for the first gunicorn (default: free)")
    args = parser.parse_args(argv)
    for name in ("rounds", "duration", "connections", "threads", "submissions", "admin_runs"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.connections < args.threads:
        parser.error("--connections must be at least --threads (wrk needs one per thread)")
    return args


def check_prerequisites():
    missing = []
    if not PYTHON.exists() or not GUNICORN.exists():
        missing.append("the virtualenv: make .venv/.dev")
    if not shutil.which("wrk"):
        missing.append("Debian's wrk: sudo apt-get install -y wrk")
    if missing:
        raise BenchError("The benchmark needs " + "; ".join(missing))


def run(args, workdir):
    secret_key = secrets.token_urlsafe(50)
    env = bench_environment(workdir, secret_key)
    results = {"arguments": vars(args), "scale": vars(FULL) | {"version": GENERATOR_VERSION}}
    with contextlib.ExitStack() as stack:
        if args.redis:
            env["REDIS_URL"] = stack.enter_context(redis_server(workdir))
        print("Preparing", flush=True)
        prepare(workdir, env)
        ensure_database(env, args.rebuild)

        print("\nIn this process, page cache off (queries, median render time):", flush=True)
        setup_django(workdir, env)
        from django.conf import settings

        reset_leftovers()
        targets = pick_targets()
        session_cookie = signed_in_session()
        admin = {"in_process": measure_in_process(targets, session_cookie)}
        min_fill = settings.CONSULTATION_MIN_FILL_SECONDS

        run_id = secrets.token_hex(3)
        submissions = {}
        memory = {}

        def admin_and_forms(port):
            print(f"  admin consultation list over HTTP, {args.admin_runs} runs each", flush=True)
            admin["http"] = time_admin(port, session_cookie, args.admin_runs)
            print(f"  {args.submissions} form submissions at once", flush=True)
            submissions.update(submit_forms(port, args.submissions, min_fill, run_id))
            return {}

        cache = "Redis" if args.redis else "database cache"
        print(f"\nLoad with the page cache on ({cache}):", flush=True)
        try:
            port = args.port or free_port()
            memory["cached"] = serve_and_measure(
                workdir, env, targets, args, "cached", port, admin_and_forms
            )["workers"]
            rows, tokens = stored_submissions(run_id)
            submissions.update(rows=rows, distinct_tokens=tokens)
            if not args.skip_uncached:
                print("\nLoad with the page cache off (DJANGO_PAGE_CACHE_SECONDS=0):", flush=True)
                uncached_env = {**env, "DJANGO_PAGE_CACHE_SECONDS": "0"}
                # A port of its own: the first one is full of connections in TIME_WAIT.
                memory["uncached"] = serve_and_measure(
                    workdir, uncached_env, targets, args, "uncached", free_port()
                )["workers"]
        finally:
            delete_submissions()  # the data set stays as generated

    summaries = {p: summarize(targets, p) for p in ("cached", "uncached") if p in memory}
    verdicts = judge(targets, summaries, admin, submissions, memory)
    print_report(targets, summaries, memory, admin, submissions, verdicts)
    results.update(
        {
            "targets": [
                {
                    "name": t.name,
                    "path": t.path,
                    "queries": t.queries,
                    "render_ms": t.render_ms,
                    "render_fastest_ms": t.render_fastest_ms,
                    "render_runs": t.render_runs,
                    "page_cache_header": t.checks,
                    "rounds": t.rounds,
                }
                for t in targets
            ],
            "summary": summaries,
            "workers": memory,
            "admin": admin,
            "submissions": submissions,
            "verdicts": [{"target": v[0], "pass": v[1], "detail": v[2]} for v in verdicts],
        }
    )
    landed = submissions["rows"] == submissions["sent"] == submissions["thanked"]
    return results, landed


def print_report(targets, summaries, memory, admin, submissions, verdicts):
    print()
    print_table(targets, summaries)
    print("\nPage cache header on the first two GETs:", end=" ")
    print(", ".join(f"{t.name} {'/'.join(t.checks['cached'])}" for t in targets if t.cacheable))
    print("\nWorkers' peak memory (VmHWM, read at the end of each pass):")
    for pass_name, workers in memory.items():
        print(f"  {pass_name}: " + ", ".join(
            f"pid {pid} {w['peak_mb']:.0f} MB" for pid, w in workers.items()))  # fmt: skip
    print(f"\nAdmin consultation list, signed in, {FULL.requests:,} requests:")
    for label, timing in admin["http"].items():
        queries = admin["in_process"][label]["queries"]
        print(
            f"  {label:<20} {timing['median_ms']:6.0f} ms median, p99 {timing['p99_ms']:4.0f} ms "
            f"over HTTP ({timing['runs']} runs); {queries} queries"
        )
    print(
        f"\n{submissions['sent']} form submissions at once: {submissions['thanked']} thanked, "
        f"{submissions['rows']} rows stored ({submissions['distinct_tokens']} distinct tokens); "
        f"p50 {submissions['p50_s']:.2f} s, p99 {submissions['p99_s']:.2f} s, "
        f"all done in {submissions['wall_s']:.2f} s"
    )
    if submissions["other_responses"]:
        print(f"  other responses: {submissions['other_responses']}")

    print("\nTargets:")
    for label, passed, detail in verdicts:
        print(f"  {'PASS' if passed else 'MISS'}  {label}: {detail}")


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()
    # Ctrl-C and a plain kill both end up in the finally blocks, which stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        check_prerequisites()
        if args.port:
            ensure_free(args.port)
        load_before = os.getloadavg()
        with tempfile.TemporaryDirectory(prefix="practice-bench-") as tmp:
            results, landed = run(args, Path(tmp))
    except (BenchError, AuditError) as error:
        print(f"\nbench: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nbench: interrupted; the server was stopped.", file=sys.stderr)
        return 130
    except Exception:  # noqa: BLE001 - a crash is exit 2, not 1 (1 means a lost submission)
        traceback.print_exc()
        print("\nbench: crashed; the server was stopped.", file=sys.stderr)
        return 2
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "seconds": round(time.monotonic() - started, 1),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"bench-{time.strftime('%Y%m%d-%H%M%SZ', time.gmtime())}.json"
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    print(
        f"\nDone in {results['machine']['seconds']:.0f} s (load average "
        f"{load_before[0]:.1f} before, {results['machine']['load_average_after'][0]:.1f} after, "
        f"{os.cpu_count()} CPUs); results in {path.relative_to(ROOT)}"
    )
    if not landed:
        print("bench: not every form submission landed (see above).", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
