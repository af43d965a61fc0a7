"""The shared page cache: anonymous visitors get stored pages, and never a stale one.

These run on the production cache (the database cache table, or Redis when REDIS_URL is set),
through the whole middleware stack. Across real processes and servers, see
tests/test_scale_out.py.
"""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Author, Post
from pages.models import Page
from tests.support.factories import (
    make_clinician,
    make_page,
    make_post,
    make_series,
    make_topic,
    post_form,
)

pytestmark = pytest.mark.django_db

CACHED_PAGES = [
    "/",
    "/blog/",
    "/blog/?page=2",
    "/blog/article-in-series/",
    "/blog/series/understanding-kap/",
    "/blog/topic/getting-started/",
    "/blog/author/dana/",
    "/blog/feed/",
    "/blog/feed/atom/",
    "/sitemap.xml",
    "/robots.txt",
    "/pages/about/",
]


@pytest.fixture
def site():
    topic = make_topic(name="Getting started")
    series = make_series(title="Understanding KAP")
    post = make_post(
        title="An article in a series",
        slug="article-in-series",
        series=series,
        series_position=1,
        topics=[topic],
    )
    for _ in range(11):  # a second page of the list
        make_post()
    make_page(address="about", title="About us", body="We are a small practice.")
    return post


def uses_the_database_cache():
    return settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")


def html(response):
    return response.content.decode()


@pytest.mark.parametrize("url", CACHED_PAGES)
def test_a_second_anonymous_visit_is_served_from_the_cache_with_the_same_page(client, site, url):
    first = client.get(url, secure=True)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(url, secure=True)

    assert first.status_code == second.status_code == HTTPStatus.OK
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert second.content == first.content
    # The headers the middleware below the cache adds are stored with the page.
    for header in ["Content-Type", "Content-Security-Policy", "X-Frame-Options", "ETag"]:
        assert second[header] == first[header]
    assert second["Strict-Transport-Security"] == first["Strict-Transport-Security"]
    # One read of the content version (none at all with Redis); this process holds the page.
    assert len(queries) == (1 if uses_the_database_cache() else 0)


def test_pages_differ_by_address_query_string_and_host(client, site):
    first_page = client.get("/blog/")
    second_page = client.get("/blog/?page=2")
    other_host = client.get("/blog/", HTTP_HOST="localhost")

    assert "page 2 of 2" not in html(first_page)
    assert "page 2 of 2" in html(second_page)
    assert 'href="http://localhost/blog/"' in html(other_host)
    assert 'href="http://testserver/blog/"' in html(first_page)


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("/blog/article-in-series/", "/blog/article-in-series/?x={n}"),
        ("/blog/article-in-series/", "/blog/article-in-series/?utm_source=news&fbclid={n}"),
        ("/", "/?page={n}"),  # the home page reads no page number
        ("/blog/?page=2", "/blog/?x={n}&page=2"),
        ("/pages/about/", "/pages/about/?{n}"),
    ],
)
def test_query_parameters_a_page_does_not_read_get_the_same_cached_page(client, site, first, then):
    stored = client.get(first)

    for number in range(3):
        again = client.get(then.format(n=number))
        assert again["X-Page-Cache"] == "hit"  # served from the one entry; nothing new stored
        assert again.content == stored.content


@pytest.mark.parametrize("number", ["02", "abc", "0", "3", "", "2 ", "+2"])
def test_a_page_number_that_is_not_a_page_is_not_found_and_not_stored(client, site, number):
    response = client.get(f"/blog/?page={number}")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "X-Page-Cache" not in response


def test_a_bad_host_header_is_a_plain_400_without_a_cache_error(client, site, caplog):
    response = client.get("/blog/", HTTP_HOST="attacker.example")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert [r.getMessage() for r in caplog.records if r.name == "page_cache.middleware"] == []


def test_browsers_check_back_every_time_and_get_304_when_nothing_changed(client, site):
    first = client.get("/blog/article-in-series/")
    again = client.get("/blog/article-in-series/", HTTP_IF_NONE_MATCH=first["ETag"])
    fresh = client.get("/blog/article-in-series/", HTTP_IF_NONE_MATCH='"something-else"')

    directives = {part.strip() for part in first["Cache-Control"].split(",")}
    assert {"public", "no-cache"} <= directives
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    assert again.content == b""
    assert fresh.status_code == HTTPStatus.OK


@pytest.mark.parametrize("url", ["/blog/feed/", "/blog/feed/atom/"])
def test_feed_readers_get_304_by_etag_or_date(client, site, url):
    first = client.get(url)

    by_etag = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    by_date = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert by_etag.status_code == by_date.status_code == HTTPStatus.NOT_MODIFIED


# Content changes start a new version when their transaction commits, so the tests of that
# commit for real (each test's own transaction would otherwise never end); serialized_rollback
# puts back the roles the data migrations made.
committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def cached(client, url):
    """Fetch `url` twice; the second answer must come from the page cache."""
    client.get(url)
    response = client.get(url)
    assert response["X-Page-Cache"] == "hit", url
    return response


@committed
def test_an_edited_article_shows_its_new_text_on_the_very_next_request(client, site):
    cached(client, site.get_absolute_url())
    cached(client, "/blog/")

    site.title = "A clearer title"
    site.body = "## New section\n\nRewritten text."
    site.save()

    article = client.get(site.get_absolute_url())
    listing = client.get("/blog/")
    assert article["X-Page-Cache"] == listing["X-Page-Cache"] == "miss"
    assert "A clearer title" in html(article)
    assert "Rewritten text." in html(article)
    assert "A clearer title" in html(listing)


@committed
def test_an_edit_made_in_the_admin_reaches_visitors_at_once(client, site):
    clinician = make_clinician()
    cached(client, site.get_absolute_url())

    staff = Client()
    staff.force_login(clinician)
    form = post_form(
        title="Retitled in the admin",
        slug=site.slug,
        author=clinician.pk,
        series=site.series_id,
        series_position=1,
        topics=[topic.pk for topic in site.topics.all()],
        opened_version=site.edit_version,
    )
    response = staff.post(f"/admin/blog/post/{site.pk}/change/", form)
    assert response.status_code == HTTPStatus.FOUND

    assert "Retitled in the admin" in html(client.get(site.get_absolute_url()))


@committed
def test_a_deleted_article_is_gone_from_the_next_request(client, site):
    cached(client, site.get_absolute_url())
    cached(client, "/blog/feed/")

    site.delete()

    assert client.get(site.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert "An article in a series" not in html(client.get("/blog/feed/"))


def rename_series(post):
    post.series.title = "KAP, step by step"
    post.series.save()
    return "/blog/series/understanding-kap/", "KAP, step by step"


def rename_topic(post):
    topic = post.topics.get()
    topic.name = "First steps"
    topic.save()
    return "/blog/article-in-series/", "First steps"


def add_topic(post):
    post.topics.add(make_topic(name="Preparation"))
    return "/blog/article-in-series/", "Preparation"


def rename_author(post):
    profile = Author.objects.get()
    profile.display_name = "Dr. Dana Reyes"
    profile.save()
    return "/blog/author/dana/", "Dr. Dana Reyes"


def edit_page(post):
    page = Page.objects.get(address="about")
    page.body = "We moved to a new office."
    page.save()
    return "/pages/about/", "We moved to a new office."


@pytest.mark.parametrize(
    "change",
    [
        rename_series,
        rename_topic,
        add_topic,
        rename_author,
        edit_page,
    ],
)
@committed
def test_every_kind_of_content_change_shows_on_the_next_request(client, site, change):
    for url in CACHED_PAGES:
        cached(client, url)

    url, expected = change(site)

    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert expected in html(response)


@committed
def test_a_staff_sign_in_does_not_empty_the_cache(client, site):
    cached(client, "/blog/")
    User.objects.get(pk=site.author.pk).save(update_fields=["last_login"])

    assert client.get("/blog/")["X-Page-Cache"] == "hit"


def test_a_scheduled_article_appears_at_its_time_without_anyone_saving(client, site, time_machine):
    # Ten minutes: well within the time a cached page is kept (PAGE_CACHE_SECONDS, an hour).
    publish_at = timezone.now() + timedelta(minutes=10)
    make_post(title="Coming very soon", published_at=publish_at)
    before = client.get("/blog/")
    assert client.get("/blog/")["X-Page-Cache"] == "hit"

    time_machine.move_to(publish_at + timedelta(seconds=1))
    after = client.get("/blog/")

    assert "Coming very soon" not in html(before)
    assert "Coming very soon" in html(after)
    assert Post.objects.get(title="Coming very soon").is_public


def test_signed_in_staff_never_get_or_fill_cached_pages(client, site):
    client.force_login(make_clinician())
    draft = make_post(title="Unfinished draft", published_at=None)

    staff_view = client.get(draft.get_absolute_url())
    staff_list = client.get("/blog/")
    client.logout()
    visitor_view = client.get(draft.get_absolute_url())
    visitor_list = client.get("/blog/")

    assert "X-Page-Cache" not in staff_view
    assert "X-Page-Cache" not in staff_list
    assert "Unfinished draft" in html(staff_view)
    assert visitor_view.status_code == HTTPStatus.NOT_FOUND
    assert visitor_list["X-Page-Cache"] == "miss"  # the staff member's visit stored nothing


def test_staff_see_their_own_page_even_when_visitors_have_it_cached(client, site):
    client.get("/blog/article-in-series/")
    client.force_login(make_clinician())

    response = client.get("/blog/article-in-series/")

    assert "X-Page-Cache" not in response
    assert response.status_code == HTTPStatus.OK


def test_the_consultation_form_is_never_cached_and_each_visitor_gets_their_own_token(site):
    first, second = Client(), Client()
    first_form = first.get("/consultation/")
    second_form = second.get("/consultation/")

    assert "X-Page-Cache" not in first_form
    assert "X-Page-Cache" not in second_form
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    tokens = [r.context["form"]["form_token"].value() for r in (first_form, second_form)]
    assert tokens[0] != tokens[1]


def test_search_results_and_missing_pages_are_not_stored(client, site):
    assert "X-Page-Cache" not in client.get("/blog/search/?q=article")
    missing = client.get("/blog/no-such-article/")
    assert missing.status_code == HTTPStatus.NOT_FOUND
    assert "X-Page-Cache" not in missing


def test_a_page_is_served_uncached_when_the_cache_is_down(client, site, settings):
    # Nothing listens on port 9 (discard): every cache call fails at once.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    response = client.get("/blog/article-in-series/")

    assert response.status_code == HTTPStatus.OK
    assert "An article in a series" in html(response)
    assert "X-Page-Cache" not in response


def test_off_when_page_cache_seconds_is_zero(client, site, settings):
    settings.PAGE_CACHE_SECONDS = 0

    client.get("/blog/")

    assert "X-Page-Cache" not in client.get("/blog/")


def test_migrate_starts_a_new_version_so_a_deploy_never_serves_old_pages(client, site):
    cached(client, "/blog/")

    call_command("migrate", verbosity=0)

    assert client.get("/blog/")["X-Page-Cache"] == "miss"


def test_migrate_creates_the_database_cache_table(client, site, settings):
    if not uses_the_database_cache():
        pytest.skip("only the database cache needs a table (REDIS_URL is set)")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE practice_cache")

    call_command("migrate", verbosity=0)

    assert "practice_cache" in connection.introspection.table_names()
    assert client.get("/blog/").status_code == HTTPStatus.OK
