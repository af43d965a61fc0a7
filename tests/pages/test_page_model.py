"""Editable pages are stored like articles: rendered on save, with image sizes and revisions."""

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from images.uploads import store_editor_image
from pages.models import Page
from tests.support.factories import make_clinician, make_page, png_bytes

pytestmark = pytest.mark.django_db


def test_a_page_is_rendered_once_when_saved():
    page = make_page(body="## Our rooms\n\nQuiet and **warm**.")

    assert page.body_html == "<h2>Our rooms</h2>\n<p>Quiet and <strong>warm</strong>.</p>\n"


def test_our_images_on_a_page_get_width_height_and_lazy_loading(client):
    url = store_editor_image(SimpleUploadedFile("a.png", png_bytes((320, 200)), "image/png"))
    make_page(body=f"![Our waiting room]({url})")

    html = client.get("/pages/about/").content.decode()

    assert (
        f'<img src="{url}" alt="Our waiting room" width="320" height="200" loading="lazy" '
        'decoding="async">'
    ) in html


def test_every_save_of_a_page_is_kept_with_who_saved_it(client):
    page = make_page(body="First words.")
    clinician = make_clinician()
    client.force_login(clinician)

    client.post(
        f"/admin/pages/page/{page.pk}/change/",
        {"title": "About us", "address": "about", "body": "Second words.", "opened_version": 1},
    )

    history = list(Page.history.filter(id=page.pk).order_by("history_date"))
    assert [entry.body for entry in history] == ["First words.", "Second words."]
    assert history[-1].history_user == clinician
    assert client.get(f"/admin/pages/page/{page.pk}/history/").status_code == HTTPStatus.OK


def test_an_address_without_its_slash_is_sent_to_the_page(client):
    make_page()

    response = client.get("/pages/about")

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/pages/about/"


def test_a_page_can_live_at_a_nested_address(client):
    make_page(address="fees/insurance", title="Insurance", body="We are out of network.")

    assert "We are out of network." in client.get("/pages/fees/insurance/").content.decode()


def test_an_address_must_be_plain_words_and_slashes(client):
    client.force_login(make_clinician())

    response = client.post(
        "/admin/pages/page/add/", {"title": "Odd", "address": "/odd page/", "body": "x"}
    )

    assert response.status_code == HTTPStatus.OK
    assert "Use letters, numbers and dashes" in str(response.context["adminform"].form.errors)
    assert not Page.objects.exists()
