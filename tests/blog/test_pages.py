"""The public article pages: lists, search, topics, authors, and what they cost."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.models import Author, Post
from tests.support.factories import make_page, make_post, make_series, make_topic, make_user

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
    Author.objects.filter(user=post.author).update(bio="Trained in KAP.")

    response = client.get("/blog/author/dana/")

    assert list(response.context["page_obj"]) == [post]
    html = response.content.decode()
    assert "<h1>Dana Reyes, LCSW</h1>" in html
    assert "Trained in KAP." in html
    assert "Unfinished" not in html


def test_byline_links_to_the_author_page(client):
    post = make_post()

    html = client.get(post.get_absolute_url()).content.decode()

    assert 'By <a href="/blog/author/dana/">Dana Reyes, LCSW</a>' in html


def test_an_article_credited_before_profiles_were_required_never_shows_a_username(client):
    post = make_post(title="Older article")
    owner = make_user(username="owner", first_name="Olive", last_name="Owner")
    Post.objects.filter(pk=post.pk).update(author=owner)  # as saved before the rule existed

    page = client.get(post.get_absolute_url())
    atom = client.get("/blog/feed/atom/").content.decode()
    rss = client.get("/blog/feed/").content.decode()

    html = page.content.decode()
    assert "By Clearwater Psychotherapy" in html
    assert page.context["structured_data"]["author"] == {
        "@type": "Organization",
        "name": "Clearwater Psychotherapy",
    }
    assert "<name>Clearwater Psychotherapy</name>" in atom
    for text in (html, atom, rss):
        assert "owner" not in text.lower()
        assert "Olive" not in text


def test_home_shows_latest_articles_and_series(client):
    series = make_series()
    post = make_post(series=series, series_position=1)

    response = client.get("/")

    assert list(response.context["latest_posts"]) == [post]
    assert list(response.context["series_list"]) == [series]


# Every public page, and the most queries it may take to render (with the page cache off: a
# cached page costs one read, see tests/page_cache/). Lists count, then find
# a page's ids, then load those posts (blog/views.py: IdsFirstPaginator).
PUBLIC_PAGES = {
    "/": 2,
    "/blog/": 3,
    "/blog/?page=2": 3,
    # An article: itself, its series' parts or its two neighbours, its topics, and its related
    # reading (chosen, or by shared topics: one query either way; none for a series part that
    # has none chosen, which its own row tells).
    "/blog/part-2/": 3,
    "/blog/stand-alone/": 5,
    "/blog/series/understanding-kap/": 2,
    "/blog/topic/topic/": 4,
    "/blog/author/dana/": 4,
    "/blog/feed/": 2,
    "/blog/feed/atom/": 2,
    # The sitemap index: each section's lastmod and page count. A section's page: its count,
    # its ids, its rows (blog/sitemaps.py).
    "/sitemap.xml": 10,
    "/sitemap-posts.xml": 3,
    "/sitemap-series.xml": 3,
    "/sitemap-topics.xml": 3,
    "/blog/search/?q=article": 3,
    "/pages/about/": 1,
    "/robots.txt": 0,
    # Whose call hours to offer (nobody's here), how soon we call back, the states the
    # clinicians are licensed in, and the "How did you hear about us?" answers.
    "/consultation/": 4,
}


def queries_per_page(client):
    counts = {}
    for url in PUBLIC_PAGES:
        client.get(url)  # warm up once: per-process caches (such as the current Site) fill here
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == HTTPStatus.OK, url
        counts[url] = len(queries)
    return counts


def add_posts(count, series, topic):
    start = series.posts.count()
    for position in range(start + 1, start + count + 1):
        make_post(series=series, series_position=position, topics=[topic])


def test_every_public_page_takes_a_few_queries_however_many_posts_there_are(client, settings):
    settings.PAGE_CACHE_SECONDS = 0  # what rendering costs, not what the cache saves
    series = make_series()
    topic = make_topic(name="Topic")
    add_posts(3, series, topic)
    series.posts.filter(series_position=2).update(slug="part-2")
    make_post(slug="stand-alone", topics=[topic])
    make_page(address="about")
    add_posts(7, series, topic)  # 11 posts: the list has a second page
    with_11 = queries_per_page(client)

    add_posts(189, series, topic)  # 200 posts

    assert queries_per_page(client) == with_11
    over_budget = {url: count for url, count in with_11.items() if count > PUBLIC_PAGES[url]}
    assert over_budget == {}


@pytest.mark.parametrize(
    "query", ["nul\x00byte", '"unterminated', "a & | ! ( ) :*", "-", "x" * 500, "日本 محمد"]
)
def test_search_survives_odd_input(client, query):
    make_post()

    assert client.get("/blog/search/", {"q": query}).status_code == HTTPStatus.OK


def test_every_page_of_a_list_read_from_either_end_shows_each_post_once_in_order(client):
    posts = [make_post() for _ in range(35)]  # the last pages are found from the oldest end

    pages = [client.get(f"/blog/?page={number}").context["page_obj"] for number in (1, 2, 3, 4)]

    assert [post for page in pages for post in page] == posts


def test_home_lists_only_the_newest_series_with_a_published_part(client):
    series = [make_series(title=f"Series {n}") for n in range(8)]
    for part_of in series:
        make_post(series=part_of, series_position=1)
    unpublished = make_series(title="Coming soon")
    make_post(series=unpublished, series_position=1, published_at=None)

    response = client.get("/")

    assert list(response.context["series_list"]) == series[:1:-1]  # the six newest, newest first
