"""The public article pages: lists, search, topics, authors, and what they cost."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.models import Author
from tests.factories import make_post, make_series, make_topic

pytestmark = pytest.mark.django_db


def test_list_shows_ten_posts_a_page_newest_first(client):
    posts = [make_post() for _ in range(12)]  # make_post dates each one a day older

    first = client.get("/blog/")
    second = client.get("/blog/?page=2")

    assert list(first.context["page_obj"]) == posts[:10]
    assert list(second.context["page_obj"]) == posts[10:]
    assert 'rel="next" href="?page=2"' in first.content.decode()


def test_list_shows_summary_date_reading_time_and_series(client):
    make_post(summary="A gentle start.", series=make_series(), series_position=1)

    html = client.get("/blog/").content.decode()

    assert "A gentle start." in html
    assert "min read" in html
    assert "Series: Understanding KAP" in html


def test_search_finds_words_in_title_summary_or_body(client):
    by_title = make_post(title="Preparing for a session")
    by_body = make_post(body="Bring a blanket to your preparing session.")
    make_post(title="Unrelated", body="Nothing here.")

    response = client.get("/blog/search/", {"q": "preparing session"})

    assert set(response.context["page_obj"]) == {by_title, by_body}
    assert "2 articles found" in response.content.decode()


def test_search_without_words_shows_just_the_form(client):
    response = client.get("/blog/search/", {"q": "   "})

    assert response.status_code == HTTPStatus.OK
    assert response.context["page_obj"] is None


def test_search_escapes_what_was_typed(client):
    html = client.get("/blog/search/", {"q": "<b>x</b>"}).content.decode()

    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_topic_page_lists_its_published_posts(client):
    topic = make_topic(name="Safety")
    tagged = make_post(topics=[topic])
    make_post()

    response = client.get("/blog/topic/safety/")

    assert list(response.context["page_obj"]) == [tagged]


def test_author_page_shows_bio_and_published_articles(client):
    post = make_post()
    make_post(author=post.author, published_at=None, title="Unfinished")
    Author.objects.create(
        user=post.author, display_name="Dana Reyes, LCSW", slug="dana", bio="Trained in KAP."
    )

    response = client.get("/blog/author/dana/")

    assert list(response.context["page_obj"]) == [post]
    html = response.content.decode()
    assert "<h1>Dana Reyes, LCSW</h1>" in html
    assert "Trained in KAP." in html
    assert "Unfinished" not in html


def test_byline_links_to_the_author_page(client):
    post = make_post()
    Author.objects.create(user=post.author, display_name="Dana Reyes, LCSW", slug="dana")

    html = client.get(post.get_absolute_url()).content.decode()

    assert 'By <a href="/blog/author/dana/">Dana Reyes, LCSW</a>' in html


def test_home_shows_latest_articles_and_series(client):
    series = make_series()
    post = make_post(series=series, series_position=1)

    response = client.get("/")

    assert list(response.context["latest_posts"]) == [post]
    assert list(response.context["series_list"]) == [series]


@pytest.mark.parametrize("count", [3, 30])
def test_article_page_queries_do_not_grow_with_the_number_of_posts(
    client, django_assert_max_num_queries, count
):
    series = make_series()
    for position in range(1, count + 1):
        make_post(series=series, series_position=position, topics=[make_topic(f"Topic {position}")])
    middle = series.posts.get(series_position=2)

    with django_assert_max_num_queries(4):
        assert client.get(middle.get_absolute_url()).status_code == HTTPStatus.OK


@pytest.mark.parametrize("count", [3, 30])
def test_stand_alone_article_uses_a_few_queries(client, django_assert_max_num_queries, count):
    posts = [make_post() for _ in range(count)]

    with django_assert_max_num_queries(5):
        assert client.get(posts[1].get_absolute_url()).status_code == HTTPStatus.OK


LIST_PAGES = [
    "/",
    "/blog/",
    "/blog/?page=2",
    "/blog/topic/topic/",
    "/blog/series/understanding-kap/",
    "/blog/author/writer/",
    "/blog/feed/",
    "/blog/feed/atom/",
    "/sitemap.xml",
    "/blog/search/?q=article",
]


def queries_for(client, url):
    client.get(url)  # warm up once: per-process caches (such as the current Site) fill here
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == HTTPStatus.OK
    return len(queries)


def add_posts(count, series, topic):
    start = series.posts.count()
    for position in range(start + 1, start + count + 1):
        make_post(series=series, series_position=position, topics=[topic])


@pytest.mark.parametrize("url", LIST_PAGES)
def test_list_pages_use_a_small_constant_number_of_queries(client, url):
    series = make_series()
    topic = make_topic(name="Topic")
    add_posts(12, series, topic)
    Author.objects.create(user=series.posts.first().author, display_name="Dana", slug="writer")
    with_12 = queries_for(client, url)

    add_posts(40, series, topic)

    assert queries_for(client, url) == with_12
    assert with_12 <= 12


@pytest.mark.parametrize(
    "query", ["nul\x00byte", '"unterminated', "a & | ! ( ) :*", "-", "x" * 500, "日本 محمد"]
)
def test_search_survives_odd_input(client, query):
    make_post()

    assert client.get("/blog/search/", {"q": query}).status_code == HTTPStatus.OK
