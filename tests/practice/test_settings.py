"""Production settings, read from the environment, as a fresh process under them behaves."""

import shutil
import subprocess
from http import HTTPStatus

import pytest
from django.db import connection

from tests.support.subprocess_django import PRODUCTION, migrated_database, run_django

pytestmark = pytest.mark.django_db


def test_sqlite_runs_in_wal_mode_where_a_transaction_takes_the_write_lock_as_it_begins(tmp_path):
    result = run_django(
        "import sqlite3\n"
        "from django.db import connection, transaction\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); mode = c.fetchone()[0]\n"
        "    c.execute('PRAGMA synchronous'); sync = c.fetchone()[0]\n"
        "    c.execute('PRAGMA busy_timeout'); waits_ms = c.fetchone()[0]\n"
        "    c.execute('CREATE TABLE notes (text)')\n"
        "with transaction.atomic():\n"
        "    with connection.cursor() as c:\n"
        "        c.execute('SELECT count(*) FROM notes')  # only a read, so far\n"
        "    other = sqlite3.connect(connection.settings_dict['NAME'], timeout=0)\n"
        "    try:\n"
        "        other.execute('BEGIN IMMEDIATE')\n"
        "        other_writer = 'went ahead'\n"
        "    except sqlite3.OperationalError as error:\n"
        "        other_writer = str(error)\n"
        "    other.close()\n"
        "result = [mode, sync, waits_ms, other_writer]",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        **PRODUCTION,
    )
    mode, synchronous, waits_ms, other_writer = result
    assert mode == "wal"
    assert synchronous == 2  # FULL
    # IMMEDIATE: a transaction that reads, then writes, never has to upgrade its lock; another
    # writer meanwhile finds the database locked, and queues for up to 20 seconds.
    assert other_writer == "database is locked"
    assert waits_ms == 20_000


def test_the_test_database_itself_is_a_wal_file():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only pragma; this run uses PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_database_url_selects_postgresql():
    # Nothing listens on port 9 (discard): the site tries PostgreSQL there, and says so.
    vendor, error = run_django(
        "from django.db import connection\n"
        "try:\n"
        "    connection.ensure_connection()\n"
        "except Exception as error:\n"
        "    result = [connection.vendor, str(error)]",
        DATABASE_URL="postgres://user:secret@127.0.0.1:9/practice",
        **PRODUCTION,
    )
    assert vendor == "postgresql"
    assert 'connection to server at "127.0.0.1", port 9 failed' in error


def test_production_without_a_secret_key_refuses_to_start():
    with pytest.raises(subprocess.CalledProcessError) as failure:
        run_django("result = 1", DJANGO_DEBUG="0")
    assert "DJANGO_SECRET_KEY is not set" in failure.value.stderr


def test_debug_runs_without_a_secret_key():
    assert run_django("from django.conf import settings\nresult = settings.DEBUG", DJANGO_DEBUG="1")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated SQLite file, made once for this module (tests change copies)."""
    return migrated_database(tmp_path_factory.mktemp("migrated"))


@pytest.fixture
def site(migrated, tmp_path):
    """Production settings on a copy of the migrated database, for the test client's host."""
    copy = tmp_path / "site.sqlite3"
    shutil.copy(migrated.removeprefix("sqlite:///"), copy)
    return {"DATABASE_URL": f"sqlite:///{copy}", "DJANGO_ALLOWED_HOSTS": "testserver", **PRODUCTION}


def test_production_redirects_to_https_unless_told_not_to(site):
    code = (
        "from django.test import Client\n"
        "response = Client().get('/robots.txt')\n"
        "result = [response.status_code, response.get('Location')]"
    )
    assert run_django(code, **site) == [301, "https://testserver/robots.txt"]
    assert run_django(code, DJANGO_SECURE_SSL_REDIRECT="0", **site) == [200, None]


def test_behind_the_proxy_production_sends_hsts_and_only_secure_http_only_cookies(site):
    # The proxy says the visitor is on HTTPS (X-Forwarded-Proto): no redirect, and what only
    # HTTPS gets. Without that header the same request is sent to https:// (the test above).
    result = run_django(
        "from django.contrib.auth.models import User\n"
        "from django.test import Client\n"
        "User.objects.create_user('jordan', password='harbor-violin-tangerine-41', is_staff=True)\n"
        "response = Client(HTTP_X_FORWARDED_PROTO='https').post(\n"
        "    '/admin/login/',\n"
        "    {'username': 'jordan', 'password': 'harbor-violin-tangerine-41', 'next': '/admin/'},\n"
        ")\n"
        "result = {\n"
        "    'signed in': [response.status_code, response.get('Location')],\n"
        "    'hsts': response.get('Strict-Transport-Security'),\n"
        "    'cookies': {\n"
        "        name: [cookie['secure'], cookie['httponly']]\n"
        "        for name, cookie in response.cookies.items()\n"
        "    },\n"
        "}",
        **site,
    )
    assert result == {
        "signed in": [302, "/admin/"],
        "hsts": "max-age=31536000; includeSubDomains; preload",
        "cookies": {"sessionid": [True, True], "csrftoken": [True, True]},
    }


def test_redis_url_switches_the_cache_to_redis():
    # Nothing listens on port 9 (discard): the cache tries Redis there, and says so.
    error = run_django(
        "from django.core.cache import cache\n"
        "try:\n"
        "    cache.get('anything')\n"
        "except Exception as error:\n"
        "    result = [type(error).__module__, str(error)]",
        REDIS_URL="redis://127.0.0.1:9/1",
        **PRODUCTION,
    )
    module, message = error
    assert module == "redis.exceptions"
    assert "connecting to 127.0.0.1:9" in message


def test_practice_details_come_from_the_environment(tmp_path):
    html = run_django(
        "from django.test import Client\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "result = Client().get('/').content.decode()",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        PRACTICE_NAME="Harbor Light Therapy",
        PRACTICE_PHONE="(555) 010-0199",
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_DEBUG="1",
    )
    assert "Harbor Light Therapy" in html
    assert 'href="tel:+15550100199"' in html


def test_production_security_headers(client):
    response = client.get("/", secure=True)

    assert response.status_code == HTTPStatus.OK
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_admin_cookies_are_secure_and_http_only(client):
    response = client.get("/admin/login/", secure=True)

    cookie = response.cookies["csrftoken"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
