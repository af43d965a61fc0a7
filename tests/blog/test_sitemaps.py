"""The sitemap index and its paged sections: all that is public, once, with its lastmod, and
the same few queries on every page however many articles there are."""

from datetime import datetime, timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post, Series
from blog.sitemaps import PagedSitemap
from tests.support.factories import make_page, make_post, make_series, make_topic
from tests.support.sitemaps import sitemap_index, sitemap_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_pages(monkeypatch):
    """Three addresses a page, so a few articles make several pages."""
    monkeypatch.setattr(PagedSitemap, "limit", 3)


def day_of(moment):
    """A <url>'s lastmod: the day, in the practice's time zone."""
    return timezone.localdate(moment).isoformat()


def moment_of(lastmod):
    """An index entry's lastmod: the moment itself."""
    return datetime.fromisoformat(lastmod)


def test_the_index_lists_every_page_of_every_section_with_its_lastmod(client, small_pages):
    topic = make_topic()
    posts = [make_post(topics=[topic]) for _ in range(7)]
    make_page(address="about")

    index = sitemap_index(client)

    assert [address for address, _ in index] == [
        "/sitemap-main.xml",
        "/sitemap-posts.xml",
        "/sitemap-posts.xml?p=2",
        "/sitemap-posts.xml?p=3",
        "/sitemap-series.xml",
        "/sitemap-topics.xml",
        "/sitemap-pages.xml",
    ]
    newest = max(post.updated_at for post in posts)
    lastmods = dict(index)
    assert moment_of(lastmods["/sitemap-posts.xml?p=3"]) == newest
    assert moment_of(lastmods["/sitemap-topics.xml"]) == newest
    assert all(lastmod for address, lastmod in index if address != "/sitemap-series.xml")


def test_robots_txt_names_the_index(client):
    assert "Sitemap: http://testserver/sitemap.xml\n" in client.get("/robots.txt").content.decode()


def test_every_published_article_is_listed_once_and_nothing_unpublished(client, small_pages):
    live = [make_post() for _ in range(8)]
    make_post(slug="a-draft", published_at=None)
    make_post(slug="scheduled", published_at=timezone.now() + timedelta(days=2))
    make_post(slug="taken-down", unpublish_at=timezone.now() - timedelta(hours=1))
    make_post(slug="waiting-for-review", is_approved=False)

    urls = [url for url, _ in sitemap_urls(client)]

    articles = [url for url in urls if url.startswith("http://testserver/blog/article-")]
    assert sorted(articles) == sorted(f"http://testserver{p.get_absolute_url()}" for p in live)
    assert len(urls) == len(set(urls))
    for slug in ["a-draft", "scheduled", "taken-down", "waiting-for-review"]:
        assert f"http://testserver/blog/{slug}/" not in urls


def test_a_scheduled_article_joins_the_last_page_at_its_time(client, small_pages):
    for _ in range(3):
        make_post()
    scheduled = make_post(slug="scheduled", published_at=timezone.now() + timedelta(hours=1))

    with time_machine.travel(scheduled.published_at + timedelta(seconds=1)):
        index = [address for address, _ in sitemap_index(client)]
        last_page = client.get("/sitemap-posts.xml?p=2").content.decode()

    assert "/sitemap-posts.xml?p=2" in index
    assert "<loc>http://testserver/blog/scheduled/</loc>" in last_page


def test_lastmod_is_the_last_change_visitors_can_see(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # rows are changed below without saving (which would)
    series = make_series(title="Understanding KAP")
    topic = make_topic(name="Safety")
    part = make_post(series=series, series_position=1, topics=[topic])
    Post.objects.filter(pk=part.pk).update(updated_at=timezone.now() + timedelta(days=1))
    part.refresh_from_db()
    # A draft edited later changes nothing a visitor sees: no lastmod moves for it.
    draft = make_post(published_at=None, series=series, series_position=2, topics=[topic])
    Post.objects.filter(pk=draft.pk).update(updated_at=timezone.now() + timedelta(days=2))

    lastmods = dict(sitemap_urls(client))
    index = dict(sitemap_index(client))

    for address in [part.get_absolute_url(), series.get_absolute_url(), topic.get_absolute_url()]:
        assert lastmods[f"http://testserver{address}"] == day_of(part.updated_at), address
    assert lastmods["http://testserver/blog/"] == day_of(part.updated_at)
    for section in ["main", "posts", "series", "topics"]:
        assert moment_of(index[f"/sitemap-{section}.xml"]) == part.updated_at, section

    # Editing the series' own description is a change to its page.
    Series.objects.filter(pk=series.pk).update(updated_at=timezone.now() + timedelta(days=3))
    series.refresh_from_db()
    lastmods = dict(sitemap_urls(client))
    assert lastmods[f"http://testserver{series.get_absolute_url()}"] == day_of(series.updated_at)
    assert moment_of(dict(sitemap_index(client))["/sitemap-series.xml"]) == series.updated_at


@pytest.mark.parametrize("number", ["02", "abc", "0", "4", "", "2 ", "+2", "-1"])
def test_a_page_number_that_is_not_a_page_is_not_found_and_not_stored(client, small_pages, number):
    for _ in range(7):
        make_post()  # three pages

    response = client.get("/sitemap-posts.xml", {"p": number})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "X-Page-Cache" not in response


def test_an_unknown_section_is_not_found(client):
    assert client.get("/sitemap-nothing.xml").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("address", ["/sitemap.xml", "/sitemap-posts.xml?p=2"])
def test_sitemaps_are_cached_pages_that_search_engines_do_not_index(client, small_pages, address):
    for _ in range(4):
        make_post()

    first = client.get(address)
    again = client.get(address)

    assert first["X-Robots-Tag"] == again["X-Robots-Tag"] == "noindex, noodp, noarchive"
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    assert again.content == first.content


def sitemap_queries(client):
    """{page: queries} for the index and each section's first and last page."""
    pages = {"index": "/sitemap.xml"}
    for address, _ in sitemap_index(client):
        section = address.split("?")[0]
        pages.setdefault(f"{section} first", address)
        pages[f"{section} last"] = address
    counts = {}
    for name, address in pages.items():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(address).status_code == HTTPStatus.OK, address
        counts[name] = len(queries)
    return counts


def test_every_sitemap_page_takes_the_same_few_queries_however_many_articles(
    client, settings, monkeypatch
):
    settings.PAGE_CACHE_SECONDS = 0  # what rendering costs, not what the cache saves
    monkeypatch.setattr(PagedSitemap, "limit", 5)
    topics = [make_topic(name="Safety"), make_topic(name="Sleep")]
    make_page(address="about")

    def add_posts(count):
        for _ in range(count):
            series = make_series(title=f"Series {Series.objects.count()}")
            make_post(series=series, series_position=1, topics=topics)

    add_posts(15)
    with_15 = sitemap_queries(client)
    add_posts(25)

    with_40 = sitemap_queries(client)

    assert with_40 == with_15
    # The index: each section's lastmod and count. A page: its count, its ids, its rows.
    assert with_15["index"] <= 10
    assert with_15["/sitemap-posts.xml last"] == 3
