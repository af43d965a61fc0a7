from http import HTTPStatus

import pytest

from tests.support.subprocess_django import PRODUCTION, run_django

pytestmark = pytest.mark.django_db


def test_health_check_says_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == HTTPStatus.OK
    assert response.content == b"ok"
    assert "no-store" in response["Cache-Control"]


def test_health_check_is_not_redirected_to_https(tmp_path):
    status = run_django(
        "from django.test import Client\nresult = Client().get('/healthz').status_code",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DJANGO_ALLOWED_HOSTS="testserver",
        **PRODUCTION,
    )
    assert status == HTTPStatus.OK


def test_health_check_is_503_when_the_database_is_unreachable(tmp_path):
    # A real SQLite file that cannot be opened: its folder does not exist.
    status = run_django(
        "from django.test import Client\nresult = Client().get('/healthz').status_code",
        DATABASE_URL=f"sqlite:///{tmp_path / 'missing-folder' / 'db.sqlite3'}",
        DJANGO_ALLOWED_HOSTS="testserver",
        **PRODUCTION,
    )
    assert status == HTTPStatus.SERVICE_UNAVAILABLE
