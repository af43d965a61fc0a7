"""Drafts and scheduled posts never appear anywhere public; live ones appear everywhere."""

from datetime import timedelta
from http import HTTPStatus

import feedparser
import pytest
from django.utils import timezone

from tests.support.factories import (
    make_clinician,
    make_front_desk,
    make_post,
    make_series,
    make_topic,
)

pytestmark = pytest.mark.django_db

PUBLIC_SURFACES = [
    "/",
    "/blog/",
    "/blog/feed/",
    "/blog/feed/atom/",
    "/sitemap-posts.xml",
    "/blog/series/understanding-kap/",
    "/blog/topic/getting-started/",
    "/blog/author/dana/",
    "/blog/search/?q=hidden",
]


@pytest.fixture
def posts():
    series = make_series()
    topic = make_topic()
    live = make_post(
        title="Live hidden-word article",
        slug="live",
        series=series,
        series_position=1,
        topics=[topic],
    )
    draft = make_post(
        title="Draft hidden-word article",
        slug="draft",
        published_at=None,
        series=series,
        series_position=2,
        topics=[topic],
    )
    scheduled = make_post(
        title="Scheduled hidden-word article",
        slug="scheduled",
        published_at=timezone.now() + timedelta(days=3),
        series=series,
        series_position=3,
        topics=[topic],
    )
    return live, draft, scheduled


@pytest.mark.parametrize("url", PUBLIC_SURFACES)
def test_only_live_posts_appear_on_public_surfaces(client, posts, url):
    response = client.get(url)

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "/blog/live/" in html
    assert "Draft hidden-word" not in html and "/blog/draft/" not in html
    assert "Scheduled hidden-word" not in html and "/blog/scheduled/" not in html


@pytest.mark.parametrize("slug", ["draft", "scheduled"])
def test_visitors_get_404_for_unpublished_posts(client, posts, slug):
    assert client.get(f"/blog/{slug}/").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("slug", ["draft", "scheduled"])
def test_clinicians_preview_unpublished_posts_with_a_banner_and_noindex(client, posts, slug):
    client.force_login(make_clinician())

    response = client.get(f"/blog/{slug}/")

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "preview — not public" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "no-store" in response["Cache-Control"]


def test_front_desk_cannot_preview_drafts(client, posts):
    client.force_login(make_front_desk())

    assert client.get("/blog/draft/").status_code == HTTPStatus.NOT_FOUND


def test_a_scheduled_post_goes_live_at_its_time_without_anyone_saving(client, posts, time_machine):
    _, _, scheduled = posts

    time_machine.move_to(scheduled.published_at + timedelta(seconds=1))

    assert client.get("/blog/scheduled/").status_code == HTTPStatus.OK
    assert "/blog/scheduled/" in client.get("/blog/").content.decode()


def test_series_with_no_published_part_is_not_public(client):
    series = make_series(title="Coming soon")
    make_post(series=series, series_position=1, published_at=None)

    assert client.get(series.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert "Coming soon" not in client.get("/").content.decode()


def test_topic_used_only_by_drafts_is_not_public(client):
    topic = make_topic(name="Later")
    make_post(published_at=None, topics=[topic])

    assert client.get(topic.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_feed_lists_only_live_posts(client, posts):
    feed = feedparser.parse(client.get("/blog/feed/").content)

    assert [entry.link for entry in feed.entries] == ["http://testserver/blog/live/"]
