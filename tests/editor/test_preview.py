"""The editor's live preview (/editor/preview/): clinicians only, sanitized like the page."""

from http import HTTPStatus

import pytest

from tests.support.factories import make_clinician, make_front_desk

pytestmark = pytest.mark.django_db


def test_editor_preview_is_forbidden_to_anonymous_visitors(client):
    response = client.post("/editor/preview/", {"content": "**hi**"})

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_editor_preview_is_forbidden_to_front_desk(client):
    client.force_login(make_front_desk())

    response = client.post("/editor/preview/", {"content": "**hi**"})

    assert response.status_code == HTTPStatus.FORBIDDEN


def test_editor_preview_renders_sanitized_markdown_for_clinicians(client):
    client.force_login(make_clinician())

    response = client.post(
        "/editor/preview/", {"content": "**hi** <script>alert(1)</script>[x](javascript:alert(1))"}
    )

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<strong>hi</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html


def test_editor_preview_without_content_is_a_clear_400(client):
    client.force_login(make_clinician())

    response = client.post("/editor/preview/", {})

    assert response.status_code == HTTPStatus.BAD_REQUEST
