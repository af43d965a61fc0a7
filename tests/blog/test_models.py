from datetime import datetime, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from blog.models import Post
from tests.support.factories import make_post, make_series

pytestmark = pytest.mark.django_db


def test_database_refuses_two_posts_in_the_same_part_of_a_series():
    series = make_series()
    make_post(series=series, series_position=1)
    clash = Post(
        title="Clash",
        slug="clash",
        body="x",
        author=Post.objects.get().author,
        series=series,
        series_position=1,
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()


def test_database_refuses_a_position_without_a_series():
    post = make_post()

    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(series_position=2)


def test_database_refuses_a_series_without_a_position():
    post = make_post()

    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(series=make_series())


def test_database_refuses_a_cover_image_without_alt_text():
    post = make_post()

    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(cover_image="covers/x.jpg", cover_image_alt="")


def test_a_taken_part_is_explained_in_plain_words():
    series = make_series()
    make_post(series=series, series_position=2, title="What can I expect?")

    with pytest.raises(ValidationError) as error:
        make_post(series=series, series_position=2)

    assert error.value.message_dict["series_position"] == [
        "Part 2 of “Understanding KAP” is already taken by “What can I expect?”. "
        "Choose another part number, or change that article first."
    ]


def test_a_series_without_a_part_number_is_explained():
    with pytest.raises(ValidationError) as error:
        make_post(series=make_series())

    assert "Give this article a part number" in error.value.message_dict["series_position"][0]


def test_reserved_slugs_are_refused():
    with pytest.raises(ValidationError) as error:
        make_post(slug="search")

    assert "used by another page" in error.value.message_dict["slug"][0]


def test_body_is_rendered_and_sanitized_on_save():
    post = make_post(body="## Hello\n\n<script>alert(1)</script>\n\n**bold** <script>x</script>")

    assert "<h2>Hello</h2>" in post.body_html
    assert "<strong>bold</strong>" in post.body_html
    assert "<script" not in post.body_html


def test_reading_time_comes_from_the_text():
    assert make_post(body="word " * 1000).reading_minutes == 5
    assert make_post(body="short").reading_minutes == 1


def test_state_follows_the_publication_time():
    assert make_post(published_at=None).state == "Draft"
    assert make_post(published_at=timezone.now() + timedelta(hours=1)).state == "Scheduled"
    assert make_post(published_at=timezone.now() - timedelta(hours=1)).state == "Live"


@pytest.mark.parametrize(
    ("published", "edited", "says_updated"),
    [
        # Evening in Portland is already the next day in UTC: the same day for the practice.
        ("2024-05-03 16:00", "2024-05-03 18:00", False),
        # Just after local midnight, though still the same day in UTC: a later day.
        ("2024-05-03 23:00", "2024-05-04 00:30", True),
        ("2024-05-03 09:00", "2024-05-10 09:00", True),
    ],
)
def test_updated_is_shown_for_an_edit_on_a_later_day_in_the_practices_time_zone(
    settings, client, published, edited, says_updated
):
    settings.TIME_ZONE = "America/Los_Angeles"
    local = ZoneInfo(settings.TIME_ZONE)
    published_at = datetime.fromisoformat(published).replace(tzinfo=local)
    post = make_post(published_at=published_at)
    Post.objects.filter(pk=post.pk).update(
        updated_at=datetime.fromisoformat(edited).replace(tzinfo=local)
    )

    html = client.get(post.get_absolute_url()).content.decode()

    assert ("· Updated <time" in html) is says_updated


def test_changing_a_published_slug_keeps_the_old_address_with_a_301(client):
    post = make_post(slug="old-name")
    post.slug = "new-name"
    post.save()

    response = client.get("/blog/old-name/")

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/blog/new-name/"


def test_renaming_twice_sends_the_first_address_straight_to_the_latest(client):
    post = make_post(slug="first")
    post.slug = "second"
    post.save()
    post.slug = "third"
    post.save()

    assert client.get("/blog/first/")["Location"] == "/blog/third/"
    assert client.get("/blog/second/")["Location"] == "/blog/third/"


def test_a_new_post_may_take_an_old_address(client):
    post = make_post(slug="popular")
    post.slug = "renamed"
    post.save()

    newcomer = make_post(slug="popular")

    assert client.get("/blog/popular/").context["post"] == newcomer


def test_an_article_back_in_draft_does_not_give_its_new_address_away(client):
    post = make_post(slug="first-name")
    post.slug = "second-name"
    post.published_at = None
    post.save()

    response = client.get("/blog/first-name/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "second-name" not in response.content.decode()


def test_renaming_a_draft_leaves_no_redirect(client):
    post = make_post(slug="draft-name", published_at=None)
    post.slug = "better-name"
    post.save()

    assert client.get("/blog/draft-name/").status_code == HTTPStatus.NOT_FOUND


def test_every_save_is_kept_as_a_revision():
    post = make_post(title="First title")
    post.title = "Second title"
    post.save()

    titles = [record.title for record in post.history.order_by("history_date")]

    assert titles == ["First title", "Second title"]
