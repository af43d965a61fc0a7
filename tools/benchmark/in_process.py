"""In this process, with the page cache off: the queries each page makes and the median time
to render it through the whole middleware stack; the same for the signed-in consultation list."""

import gzip
import io
import os
import statistics
import sys
import time
from pathlib import Path

from tools.benchmark.common import ADMIN_PATHS, PROXY_HEADERS, SUBMITTER, BenchError
from tools.benchmark.targets import ARTICLE_STATIC_FILE

PROXY = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in PROXY_HEADERS.items()}

ADMIN_USERNAME = "bench-admin"


def setup_django(env):
    """Django in this process, on the same settings and database as the server."""
    os.environ.update(env)
    # Off, however page_cache/ reads it; and the test client's host is allowed.
    os.environ["DJANGO_PAGE_CACHE_SECONDS"] = "0"
    os.environ["DJANGO_ALLOWED_HOSTS"] = env["DJANGO_ALLOWED_HOSTS"] + ",testserver"
    import django

    django.setup()


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
    factors, as if they had signed in with their password and a code (staff/two_factor.py)."""
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


def save_static_copy(path):
    """GET the page as a visitor does, from the page cache (a miss, then the hit), and save its
    exact bytes into the collected static files, where whitenoise will serve them: the same
    bytes served as a static file through the same stack. A compressed page is saved as sent
    (.gz or .br beside the plain file, which whitenoise picks as it would for the CSS).
    Returns (bytes, the page cache's header). Call it before gunicorn starts: whitenoise
    finds its files when it starts."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client
    from django.test.utils import override_settings

    client = Client(**PROXY)
    with override_settings(PAGE_CACHE_SECONDS=3600):
        client.get(path)
        response = client.get(path)
    cache.clear()  # the load passes start from an empty cache
    if response.status_code != 200:
        raise BenchError(f"{path} answered {response.status_code} in-process")
    copy = Path(settings.STATIC_ROOT) / ARTICLE_STATIC_FILE
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        copy.with_name(copy.name + ".gz").write_bytes(response.content)
        copy.write_bytes(gzip.decompress(response.content))
    elif encoding == "br":
        import brotli

        copy.with_name(copy.name + ".br").write_bytes(response.content)
        copy.write_bytes(brotli.decompress(response.content))
    elif encoding:
        raise BenchError(f"{path} came with Content-Encoding {encoding}, which whitenoise lacks")
    else:
        copy.write_bytes(response.content)
    return len(response.content), response.headers.get("X-Page-Cache", "—")


def timed_get(client, path, anonymous=True):
    """(response, milliseconds). Anonymous: as a first-time visitor, with no cookies."""
    if anonymous:
        client.cookies.clear()
    started = time.perf_counter()
    response = client.get(path)
    return response, (time.perf_counter() - started) * 1000


def wsgi_get(application, path):
    """(status code, milliseconds) of GET `path` as a first-time visitor, handed to Django's WSGI
    application the way gunicorn hands it a request: every middleware, and none of the test
    client's own bookkeeping (which adds about 0.15 ms a request)."""
    address, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": address,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        **PROXY,
    }
    status = []
    started = time.perf_counter()
    body = application(environ, lambda line, headers, exc_info=None: status.append(line))
    try:
        b"".join(body)
    finally:
        body.close()
    return int(status[0].split()[0]), (time.perf_counter() - started) * 1000


def measure_in_process(targets, session_cookie):
    """Queries and median render time per page, uncached, through every middleware."""
    from django.core.wsgi import get_wsgi_application
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    application = get_wsgi_application()
    admin = {}
    with override_settings(PAGE_CACHE_SECONDS=0):
        for target in targets:
            if target.server:
                continue  # not our site
            # Warm-up: templates, URL resolvers, SQLite's page cache (fewer for a slow page).
            for _ in range(min(10, target.render_runs)):
                status, _ = wsgi_get(application, target.path)
                if status != 200:
                    raise BenchError(f"{target.path} answered {status} in-process")
            with CaptureQueriesContext(connection) as queries:
                wsgi_get(application, target.path)
            target.queries = len(queries)
            times = [wsgi_get(application, target.path)[1] for _ in range(target.render_runs)]
            target.render_ms = statistics.median(times)
            target.render_fastest_ms = min(times)
            print(
                f"  {target.name:<22} {target.queries:>3} queries  "
                f"{target.render_ms:7.2f} ms median of {len(times)} "
                f"(fastest {target.render_fastest_ms:.2f} ms)",
                flush=True,
            )
        name, key = session_cookie
        for label, path in ADMIN_PATHS.items():
            client = Client(**PROXY)
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
