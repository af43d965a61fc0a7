"""The editor's server copy of unsaved text: kept, never written into the article, cleaned up."""

import json
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from editor.models import Autosave
from tests.support.factories import make_clinician, make_front_desk, make_post, post_form

pytestmark = pytest.mark.django_db

URL = "/editor/autosave/"


@pytest.fixture
def clinician():
    return make_clinician(username="dana")


@pytest.fixture
def dana(clinician):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinician)
    client.get("/admin/")  # the CSRF cookie, as the editor page would have set it
    return client


def send(client, key, **fields):
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    return client.post(URL, {"key": key, "fields": json.dumps(fields)}, HTTP_X_CSRFTOKEN=token)


def test_a_copy_is_kept_per_clinician_and_page_and_replaced_by_the_next(dana, clinician):
    post = make_post(body="Saved text.")
    key = f"/admin/blog/post/{post.pk}/change/"

    assert send(dana, key, body="Draft one.").status_code == HTTPStatus.OK
    assert send(dana, key, body="Draft two.").status_code == HTTPStatus.OK

    copy = Autosave.objects.get(user=clinician, key=key)
    assert copy.fields == {"body": "Draft two."}
    post.refresh_from_db()
    assert post.body == "Saved text."  # never written into the article


def test_after_the_session_has_ended_the_copy_is_refused_with_403(dana):
    post = make_post()
    dana.logout()

    response = send(dana, f"/admin/blog/post/{post.pk}/change/", body="Typed while signed out")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Autosave.objects.exists()


def test_front_desk_may_not_keep_copies():
    client = Client()
    client.force_login(make_front_desk())
    assert send(client, "/admin/blog/post/add/", body="x").status_code == HTTPStatus.FORBIDDEN


def test_without_the_csrf_token_nothing_is_kept(clinician):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clinician)
    response = client.post(URL, {"key": "/admin/blog/post/add/", "fields": "{}"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Autosave.objects.exists()


@pytest.mark.parametrize("key", ["/blog/", "https://elsewhere.test/admin/", "/admin/" + "x" * 300])
def test_only_admin_pages_have_copies(dana, key):
    assert send(dana, key, body="x").status_code == HTTPStatus.BAD_REQUEST


def test_a_copy_must_be_text_by_field(dana):
    token = dana.cookies["csrftoken"].value
    for fields in ["not json", "[1, 2]", '{"body": 3}']:
        response = dana.post(
            URL, {"key": "/admin/blog/post/add/", "fields": fields}, HTTP_X_CSRFTOKEN=token
        )
        assert response.status_code == HTTPStatus.BAD_REQUEST


def test_discarding_drops_the_copy(dana):
    send(dana, "/admin/blog/post/add/", body="x")
    token = dana.cookies["csrftoken"].value
    dana.post(URL, {"key": "/admin/blog/post/add/", "discard": "1"}, HTTP_X_CSRFTOKEN=token)
    assert not Autosave.objects.exists()


def test_copies_untouched_for_thirty_days_are_deleted(dana, clinician):
    with time_machine.travel(timezone.now() - timedelta(days=31)):
        send(dana, "/admin/blog/post/add/", body="Long forgotten.")
    with time_machine.travel(timezone.now() - timedelta(days=29)):
        send(dana, "/admin/pages/page/add/", body="Recent enough.")

    send(dana, "/admin/blog/post/1/change/", body="Today.")

    assert sorted(Autosave.objects.values_list("key", flat=True)) == [
        "/admin/blog/post/1/change/",
        "/admin/pages/page/add/",
    ]


def test_saving_the_article_deletes_the_copy_typed_on_its_page(dana, clinician):
    post = make_post()
    key = f"/admin/blog/post/{post.pk}/change/"
    send(dana, key, body="Unsaved.")
    other = make_clinician(username="sam")
    Autosave.objects.create(user=other, key=key, fields={"body": "Sam's"}, saved_at=timezone.now())
    form = post_form(
        title=post.title, slug=post.slug, author=post.author_id, opened_version=post.edit_version
    )
    token = dana.cookies["csrftoken"].value

    response = dana.post(key, form | {"csrfmiddlewaretoken": token})

    assert response.status_code == HTTPStatus.FOUND
    # Dana's copy is gone; Sam's unsaved text is Sam's to restore or discard.
    assert list(Autosave.objects.values_list("user__username", flat=True)) == ["sam"]


def test_the_change_page_offers_a_server_copy_newer_than_the_last_save(dana, clinician):
    post = make_post(body="Saved text.")
    key = f"/admin/blog/post/{post.pk}/change/"
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        send(dana, key, body="Typed on another computer.")

    html = dana.get(key).content.decode()

    assert "data-server-copy" in html
    assert "Typed on another computer." in html


def test_a_server_copy_older_than_the_last_save_is_not_offered(dana, clinician):
    post = make_post(body="Saved text.")
    key = f"/admin/blog/post/{post.pk}/change/"
    send(dana, key, body="Older draft.")
    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        post.save()  # saved later, e.g. from another page

    assert "data-server-copy" not in dana.get(key).content.decode()
