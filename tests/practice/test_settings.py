import subprocess
from http import HTTPStatus

import pytest
from django.db import connection

from tests.support.subprocess_django import PRODUCTION, run_django

pytestmark = pytest.mark.django_db


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    result = run_django(
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA journal_mode'); mode = c.fetchone()[0]\n"
        "    c.execute('PRAGMA synchronous'); sync = c.fetchone()[0]\n"
        "result = [mode, sync, connection.settings_dict['OPTIONS']]",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
        **PRODUCTION,
    )
    mode, synchronous, options = result
    assert mode == "wal"
    assert synchronous == 2  # FULL
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20


def test_the_test_database_itself_is_a_wal_file():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only pragma; this run uses PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_database_url_selects_postgresql():
    engine = run_django(
        "from django.conf import settings\nresult = settings.DATABASES['default']['ENGINE']",
        DATABASE_URL="postgres://user:secret@db.internal:5432/practice",
        **PRODUCTION,
    )
    assert engine == "django.db.backends.postgresql"


def test_production_without_a_secret_key_refuses_to_start():
    with pytest.raises(subprocess.CalledProcessError) as failure:
        run_django("result = 1", DJANGO_DEBUG="0")
    assert "DJANGO_SECRET_KEY is not set" in failure.value.stderr


def test_debug_runs_without_a_secret_key():
    assert run_django("from django.conf import settings\nresult = settings.DEBUG", DJANGO_DEBUG="1")


def test_production_redirects_to_https_unless_told_not_to():
    code = "from django.conf import settings\nresult = settings.SECURE_SSL_REDIRECT"
    assert run_django(code, **PRODUCTION) is True
    assert run_django(code, DJANGO_SECURE_SSL_REDIRECT="0", **PRODUCTION) is False


def test_production_sets_secure_cookies_hsts_and_proxy_header():
    result = run_django(
        "from django.conf import settings as s\n"
        "result = [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS,"
        " list(s.SECURE_PROXY_SSL_HEADER)]",
        **PRODUCTION,
    )
    assert result == [True, True, 31536000, ["HTTP_X_FORWARDED_PROTO", "https"]]


def test_redis_url_switches_the_cache_to_redis():
    backend = run_django(
        "from django.conf import settings\nresult = settings.CACHES['default']['BACKEND']",
        REDIS_URL="redis://127.0.0.1:6379/1",
        **PRODUCTION,
    )
    assert backend == "django.core.cache.backends.redis.RedisCache"


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
