"""What makes the admin usable with a screen reader and in the practice's colours; the pages
themselves are checked in a browser by tests/end_to_end/test_admin_checks.py."""

import re
from http import HTTPStatus

import pytest
from django.utils import timezone

from blog.models import Post
from tests.support.factories import make_clinician, make_post, make_series, make_topic, post_form

pytestmark = pytest.mark.django_db

ADMIN_CSS = '<link rel="stylesheet" href="/static/css/admin.css">'


@pytest.fixture
def clinician_client(client):
    clinician = make_clinician()
    client.force_login(clinician)
    client.user = clinician
    return client


def test_the_sign_in_page_has_the_practices_stylesheet_and_a_heading(client):
    html = client.get("/admin/login/").content.decode()
    assert html.index("/static/admin/css/base.css") < html.index(ADMIN_CSS)
    assert "<h1>Log in</h1>" in html


@pytest.mark.parametrize("url", ["/admin/", "/admin/blog/post/", "/admin/blog/post/add/"])
def test_every_admin_page_has_the_practices_stylesheet_after_djangos(clinician_client, url):
    html = clinician_client.get(url).content.decode()
    assert html.index("/static/admin/css/base.css") < html.index(ADMIN_CSS)


@pytest.mark.parametrize(
    ("field", "name"), [("published_at", "Publication"), ("unpublish_at", "Take-down")]
)
def test_each_date_and_time_box_has_a_label_that_names_its_field(clinician_client, field, name):
    html = clinician_client.get("/admin/blog/post/add/").content.decode()
    for box, label in (("0", "Date:"), ("1", "Time:")):
        assert (
            f'<label for="id_{field}_{box}"><span class="visually-hidden">{name} </span>'
            f"{label}</label>"
        ) in html
        assert f'id="id_{field}_{box}"' in html


def test_a_time_typed_in_the_labelled_boxes_is_saved(clinician_client):
    data = post_form(
        author=clinician_client.user.pk,
        published_at_0="2026-03-01",
        published_at_1="09:30:00",
        unpublish_at_0="2026-06-01",
        unpublish_at_1="17:00:00",
    )
    response = clinician_client.post("/admin/blog/post/add/", data)
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    post = Post.objects.get(slug=data["slug"])
    published, taken_down = map(timezone.localtime, (post.published_at, post.unpublish_at))
    assert published.isoformat(timespec="minutes").startswith("2026-03-01T09:30")
    assert taken_down.isoformat(timespec="minutes").startswith("2026-06-01T17:00")


def test_topics_are_boxes_to_tick(clinician_client):
    safety = make_topic("Safety")
    make_topic("Integration")
    response = clinician_client.post(
        "/admin/blog/post/add/", post_form(author=clinician_client.user.pk, topics=[safety.pk])
    )
    assert response.status_code == HTTPStatus.FOUND
    assert list(Post.objects.get().topics.all()) == [safety]
    html = clinician_client.get("/admin/blog/post/add/").content.decode()
    assert len(re.findall(r'<input type="checkbox" name="topics"', html)) == 2
    assert "SelectFilter2.js" not in html


def test_each_part_number_on_the_series_page_has_a_label_naming_its_article(clinician_client):
    series = make_series()
    make_post(title="What is KAP?", series=series, series_position=1)
    html = clinician_client.get(f"/admin/blog/series/{series.pk}/change/").content.decode()
    assert (
        '<label class="visually-hidden" for="id_posts-0-series_position">Part (What is KAP?)'
        "</label>"
    ) in html
    # Where its aria-describedby points: the help shown in the column heading.
    assert 'aria-describedby="id_posts-0-series_position_helptext"' in html
    assert 'id="id_posts-0-series_position_helptext"' in html
