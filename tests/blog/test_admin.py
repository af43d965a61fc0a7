"""The admin clinicians use: lists, actions, series order, images, revisions, permissions."""

import io
import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from blog.models import Post
from tests.support.factories import (
    make_clinician,
    make_front_desk,
    make_post,
    make_series,
    make_user,
    post_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician_client(client):
    clinician = make_clinician()
    client.force_login(clinician)
    client.user = clinician
    return client


def image_upload(name="cover.jpg", fmt="JPEG", size=(2400, 1200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#5f7f7a").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_list_shows_state_series_and_a_preview_link(clinician_client):
    series = make_series()
    make_post(title="Live one", series=series, series_position=1)
    make_post(title="Draft one", published_at=None)
    make_post(title="Later one", published_at=timezone.now() + timedelta(days=2))

    html = clinician_client.get("/admin/blog/post/").content.decode()

    assert "Live" in html and "Draft" in html and "Scheduled" in html
    assert "Understanding KAP · part 1" in html
    assert ">Preview</a>" in html and ">View</a>" in html


@pytest.mark.parametrize(("state", "expected"), [("draft", "Draft one"), ("live", "Live one")])
def test_list_filters_by_state(clinician_client, state, expected):
    make_post(title="Live one")
    make_post(title="Draft one", published_at=None)

    response = clinician_client.get("/admin/blog/post/", {"state": state})

    assert [post.title for post in response.context["cl"].result_list] == [expected]


def test_add_form_defaults_the_author_to_the_signed_in_clinician(clinician_client):
    response = clinician_client.get("/admin/blog/post/add/")

    assert response.context["adminform"].form.initial["author"] == clinician_client.user.pk


def test_only_people_with_an_author_profile_can_be_credited(clinician_client):
    make_front_desk(username="frontdesk")
    make_user(username="owner", is_superuser=True)

    form = clinician_client.get("/admin/blog/post/add/").context["adminform"].form
    offered = {user.username for user in form.fields["author"].queryset}
    owner = User.objects.get(username="owner")
    refused = clinician_client.post("/admin/blog/post/add/", post_form(author=owner.pk))

    assert offered == {clinician_client.user.username}
    assert refused.status_code == HTTPStatus.OK
    assert not Post.objects.exists()
    assert "author" in refused.context["adminform"].form.errors


def test_an_article_needs_an_author_with_a_profile():
    owner = make_user(username="owner")

    with pytest.raises(ValidationError) as error:
        make_post(author=owner)

    assert "Only people with an author profile" in error.value.message_dict["author"][0]


def test_clinician_publishes_a_new_article(clinician_client):
    response = clinician_client.post(
        "/admin/blog/post/add/", post_form(author=clinician_client.user.pk)
    )

    assert response.status_code == HTTPStatus.FOUND
    post = Post.objects.get(slug="breathing-before-a-session")
    assert post.state == "Waiting for review"  # until another clinician approves it
    assert "<h2>Breathe</h2>" in post.body_html
    assert post.history.get().history_user == clinician_client.user


def test_a_taken_part_is_explained_on_the_form(clinician_client):
    series = make_series()
    make_post(title="What can I expect?", series=series, series_position=2)

    response = clinician_client.post(
        "/admin/blog/post/add/",
        post_form(author=clinician_client.user.pk, series=series.pk, series_position=2),
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors["series_position"] == [
        "Part 2 of “Understanding KAP” is already taken by “What can I expect?”. "
        "Choose another part number, or change that article first."
    ]


def test_cover_image_is_checked_resized_and_renamed(clinician_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = post_form(
        author=clinician_client.user.pk,
        cover_image=image_upload(name="my holiday.jpg"),
        cover_image_alt="A calm green wall",
    )

    clinician_client.post("/admin/blog/post/add/", data)

    post = Post.objects.get()
    assert post.cover_image.name.startswith("covers/")
    assert "holiday" not in post.cover_image.name
    assert (post.cover_image_width, post.cover_image_height) == (1600, 800)


def test_a_cover_image_needs_a_description(clinician_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    data = post_form(author=clinician_client.user.pk, cover_image=image_upload())

    response = clinician_client.post("/admin/blog/post/add/", data)

    assert "cover_image_alt" in response.context["adminform"].form.errors
    assert not Post.objects.exists()


def test_a_disguised_cover_image_is_refused_in_plain_words(clinician_client):
    fake = SimpleUploadedFile("photo.jpg", b"<html>not an image</html>", content_type="image/jpeg")
    data = post_form(author=clinician_client.user.pk, cover_image=fake, cover_image_alt="x")

    response = clinician_client.post("/admin/blog/post/add/", data)

    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors["cover_image"]
    assert not Post.objects.exists()


def test_publish_now_and_return_to_draft_actions(clinician_client):
    draft = make_post(published_at=None)
    live = make_post()

    clinician_client.post(
        "/admin/blog/post/", {"action": "publish_now", "_selected_action": [draft.pk]}
    )
    clinician_client.post(
        "/admin/blog/post/", {"action": "return_to_draft", "_selected_action": [live.pk]}
    )

    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.state == "Live"
    assert live.state == "Draft"
    assert live.history.latest().history_user == clinician_client.user


def test_an_earlier_version_can_be_viewed_and_restored(clinician_client):
    post = make_post(title="First wording", body="The first text.")
    post.title = "Second wording"
    post.body = "The second text."
    post.save()
    first = post.history.earliest()

    page = clinician_client.get(f"/admin/blog/post/{post.pk}/history/{first.history_id}/")
    assert page.status_code == HTTPStatus.OK
    assert "First wording" in page.content.decode()

    form = page.context["adminform"].form
    data = post_form(
        title=form.initial["title"],
        slug=form.initial["slug"],
        summary=form.initial["summary"],
        body=form.initial["body"],
        author=form.initial["author"],
        opened_version=form["opened_version"].value(),
    )
    clinician_client.post(f"/admin/blog/post/{post.pk}/history/{first.history_id}/", data)

    post.refresh_from_db()
    assert post.title == "First wording"
    assert "The first text." in post.body_html
    assert post.history.count() == 3


def series_form(series, positions):
    """The series page's form, giving each part (in order of `positions`) a new number."""
    data = {
        "title": series.title,
        "slug": series.slug,
        "description": "",
        "posts-TOTAL_FORMS": str(len(positions)),
        "posts-INITIAL_FORMS": str(len(positions)),
        "posts-MIN_NUM_FORMS": "0",
        "posts-MAX_NUM_FORMS": "1000",
    }
    for index, (post, position) in enumerate(positions):
        data[f"posts-{index}-id"] = post.pk
        data[f"posts-{index}-series"] = series.pk
        data[f"posts-{index}-series_position"] = position
    return data


def test_series_parts_can_be_swapped_from_the_series_page(clinician_client):
    series = make_series()
    first = make_post(series=series, series_position=1)
    second = make_post(series=series, series_position=2)

    response = clinician_client.post(
        f"/admin/blog/series/{series.pk}/change/", series_form(series, [(first, 2), (second, 1)])
    )

    assert response.status_code == HTTPStatus.FOUND
    assert list(series.published_parts()) == [second, first]


def test_two_parts_with_one_number_are_refused_with_nothing_changed(clinician_client):
    series = make_series()
    first = make_post(series=series, series_position=1)
    second = make_post(series=series, series_position=2)

    response = clinician_client.post(
        f"/admin/blog/series/{series.pk}/change/", series_form(series, [(first, 2), (second, 2)])
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors()
    assert list(series.published_parts()) == [first, second]


def test_front_desk_cannot_open_articles_or_series(client):
    client.force_login(make_front_desk())

    assert client.get("/admin/blog/post/").status_code == HTTPStatus.FORBIDDEN
    assert client.get("/admin/blog/series/").status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize(
    "url",
    ["/admin/blog/post/", "/admin/blog/post/add/", "/admin/blog/series/", "/admin/blog/topic/",
     "/admin/blog/author/", "/admin/pages/page/"],
)  # fmt: skip
def test_every_clinician_admin_page_opens(clinician_client, url):
    make_post(series=make_series(), series_position=1)

    assert clinician_client.get(url).status_code == HTTPStatus.OK


# --- Reordering a series' parts: by dragging (adminsortable2) or by typing the numbers ---------


def visible_text(html):
    """A page's words as a reader sees them, without tags or extra spaces."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def public_order(series, parts):
    """The parts' titles in the order the public series page lists them (an anonymous visitor,
    through the page cache)."""
    html = Client().get(series.get_absolute_url()).content.decode()
    return sorted((part.title for part in parts), key=html.index)


def public_text(post):
    """The words of the public article page, where "Next: …" names the part that follows."""
    return visible_text(Client().get(post.get_absolute_url()).content.decode())


@pytest.fixture
def three_parts():
    series = make_series()
    parts = [
        make_post(title=title, series=series, series_position=number)
        for number, title in enumerate(["Preparing", "The session", "Integration"], start=1)
    ]
    return series, parts


def test_the_series_page_offers_dragging_and_keeps_the_part_numbers_to_type(
    clinician_client, three_parts
):
    series, _parts = three_parts

    response = clinician_client.get(f"/admin/blog/series/{series.pk}/change/")

    html = response.content.decode()
    assert re.search(r'<fieldset class="module [^"]*\bsortable\b', html)
    for index, number in enumerate([1, 2, 3]):
        number_input = re.search(rf'<input[^>]*name="posts-{index}-series_position"[^>]*>', html)[0]
        assert 'type="number"' in number_input and f'value="{number}"' in number_input
        assert re.search(r'class="[^"]*\b_reorder_\b', number_input)
    assert "/static/adminsortable2/js/adminsortable2.min.js" in html
    assert "/static/adminsortable2/css/sortable.css" in html
    # The Content-Security-Policy allows no inline script: every script is a file or data.
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all(
        " src=" in script or 'type="application/json"' in script for script in scripts
    ), scripts
    assert "script-src 'self'" in response["Content-Security-Policy"]


# Committed, as in production: the page cache moves to a new version when the change commits.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_dragging_a_part_to_the_top_reorders_the_series_and_its_next_links(
    clinician_client, three_parts
):
    series, (preparing, session, integration) = three_parts
    assert public_order(series, [preparing, session, integration]) == [
        "Preparing", "The session", "Integration",
    ]  # fmt: skip
    assert "Next: Integration" in public_text(session)  # now in the page cache

    # After dragging "Integration" above "Preparing", the script numbers the rows as shown.
    response = clinician_client.post(
        f"/admin/blog/series/{series.pk}/change/",
        series_form(series, [(preparing, 2), (session, 3), (integration, 1)]),
    )

    assert response.status_code == HTTPStatus.FOUND
    assert public_order(series, [preparing, session, integration]) == [
        "Integration", "Preparing", "The session",
    ]  # fmt: skip
    assert "Next: Preparing" in public_text(integration)
    assert "Next: The session" in public_text(preparing)
    assert "Next:" not in public_text(session)
    for post in (integration, preparing, session):
        post.refresh_from_db()
    assert [integration.series_position, preparing.series_position, session.series_position] == [
        1, 2, 3,
    ]  # fmt: skip


def test_typed_numbers_reorder_the_parts_and_are_numbered_again_without_gaps(
    clinician_client, three_parts
):
    series, (preparing, session, integration) = three_parts

    response = clinician_client.post(
        f"/admin/blog/series/{series.pk}/change/",
        series_form(series, [(preparing, 10), (session, 5), (integration, 7)]),
    )

    assert response.status_code == HTTPStatus.FOUND
    assert list(series.published_parts()) == [session, integration, preparing]
    assert list(series.published_parts().values_list("series_position", flat=True)) == [1, 2, 3]
    assert "Next: Integration" in public_text(session)
    assert "Next: Preparing" in public_text(integration)


def test_swapping_the_first_and_last_parts_keeps_the_middle_one_and_records_who(
    clinician_client, three_parts
):
    series, (preparing, session, integration) = three_parts

    response = clinician_client.post(
        f"/admin/blog/series/{series.pk}/change/",
        series_form(series, [(preparing, 3), (session, 2), (integration, 1)]),
    )

    assert response.status_code == HTTPStatus.FOUND
    assert list(series.published_parts()) == [integration, session, preparing]
    assert session.history.count() == 1  # not saved again: its number did not change
    latest = integration.history.latest()
    assert (latest.series_position, latest.history_user) == (1, clinician_client.user)


def test_renumbering_uses_no_number_past_the_parts_count_however_high_they_were(
    clinician_client,
):
    series = make_series()
    first = make_post(series=series, series_position=32766)
    second = make_post(series=series, series_position=32767)

    response = clinician_client.post(
        f"/admin/blog/series/{series.pk}/change/", series_form(series, [(first, 2), (second, 1)])
    )

    assert response.status_code == HTTPStatus.FOUND
    assert list(series.published_parts().values_list("pk", "series_position")) == [
        (second.pk, 1), (first.pk, 2),
    ]  # fmt: skip


def test_a_part_that_joined_the_series_meanwhile_keeps_its_place(clinician_client, three_parts):
    series, (preparing, session, integration) = three_parts
    form = series_form(series, [(preparing, 2), (session, 1), (integration, 3)])
    joined = make_post(title="Afterwards", series=series, series_position=4)

    response = clinician_client.post(f"/admin/blog/series/{series.pk}/change/", form)

    assert response.status_code == HTTPStatus.FOUND
    assert list(series.published_parts()) == [session, preparing, integration, joined]
