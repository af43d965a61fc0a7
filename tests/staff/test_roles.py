"""The two staff roles, Clinicians and Front desk, and what each may do with pages."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group

from staff.roles import CLINICIANS, FRONT_DESK
from tests.support.factories import make_clinician, make_front_desk, make_page

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
