from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group

from staff.roles import CLINICIANS, FRONT_DESK
from tests.factories import make_clinician, make_front_desk, make_page

pytestmark = pytest.mark.django_db


def test_migrations_create_both_roles():
    assert set(Group.objects.values_list("name", flat=True)) >= {CLINICIANS, FRONT_DESK}


def test_clinicians_may_edit_pages():
    codenames = set(
        Group.objects.get(name=CLINICIANS).permissions.values_list("codename", flat=True)
    )

    assert {"add_page", "change_page", "delete_page", "view_historicalpage"} <= codenames


def test_front_desk_may_not_edit_pages():
    codenames = set(
        Group.objects.get(name=FRONT_DESK).permissions.values_list("codename", flat=True)
    )

    assert not any(codename.endswith("page") for codename in codenames)


def test_clinician_opens_a_page_in_the_markdown_editor(client):
    page = make_page()
    client.force_login(make_clinician())

    response = client.get(f"/admin/pages/page/{page.pk}/change/")

    assert response.status_code == HTTPStatus.OK
    assert "markdownx" in response.content.decode()


def test_front_desk_cannot_open_pages_in_the_admin(client):
    page = make_page()
    client.force_login(make_front_desk())

    response = client.get(f"/admin/pages/page/{page.pk}/change/")

    assert response.status_code == HTTPStatus.FORBIDDEN


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
