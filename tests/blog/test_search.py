"""Article search: what it finds, in which order, that its index follows every change to the
articles, and that nothing a visitor types breaks it (blog/search.py, migration 0013)."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post
from tests.support.factories import make_post

pytestmark = pytest.mark.django_db


def found(query):
    return list(Post.objects.published().search(query))


def test_finds_a_word_in_the_title_the_summary_or_the_body():
    in_title = make_post(title="Sleep after a session")
    in_summary = make_post(summary="How to sleep well.")
    in_body = make_post(body="Rest, and sleep early.")
    make_post(title="Breathing", summary="Slow breaths.", body="In and out.")

    assert set(found("sleep")) == {in_title, in_summary, in_body}


def test_finds_only_articles_with_every_word():
    both = make_post(title="Sleep and anxiety")
    make_post(title="Sleep")
    make_post(body="Anxiety at night.")

    assert found("anxiety sleep") == [both]


def test_finds_other_forms_of_a_word():
    post = make_post(body="What therapy can do for you.")

    assert found("therapies") == [post]
    assert found("THERAPY") == [post]


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL's 'english' configuration keeps accents"
)
def test_finds_a_word_with_or_without_its_accents_on_sqlite():
    post = make_post(body="We met at the café.")

    assert found("cafe") == [post]
    assert found("café") == [post]


def test_a_title_match_comes_before_newer_articles_that_only_mention_the_word():
    older = timezone.now() - timedelta(days=30)
    in_title = make_post(title="Integration", published_at=older)
    in_body = make_post(body="Integration. " * 5 + "Integration takes time.")

    assert found("integration") == [in_title, in_body]


def test_a_summary_match_comes_before_a_newer_body_only_match():
    older = timezone.now() - timedelta(days=30)
    in_summary = make_post(summary="On integration.", published_at=older)
    in_body = make_post(body="Integration, slowly.")

    assert found("integration") == [in_summary, in_body]


def test_equally_good_matches_come_newest_first():
    text = {"title": "Journaling", "summary": "Notes.", "body": "Write a little each day."}
    old = make_post(**text, published_at=timezone.now() - timedelta(days=9))
    new = make_post(**text, published_at=timezone.now() - timedelta(days=1))

    assert found("journaling") == [new, old]


def test_never_finds_what_visitors_may_not_read(client, settings):
    settings.BLOG_REQUIRE_REVIEW = True
    now = timezone.now()
    live = make_post(title="Grief, live")
    make_post(title="Grief, a draft", published_at=None)
    make_post(title="Grief, scheduled", published_at=now + timedelta(days=2))
    make_post(title="Grief, taken down", unpublish_at=now - timedelta(hours=1))
    make_post(title="Grief, waiting for review", is_approved=False)

    response = client.get("/blog/search/", {"q": "grief"})

    assert list(response.context["page_obj"]) == [live]


def test_an_edited_article_is_found_by_its_new_words_only():
    post = make_post(title="Morning routine", body="Start with tea.")

    post.title = "Evening routine"
    post.body = "End with chamomile."
    post.save()

    assert found("evening chamomile") == [post]
    assert found("morning") == []
    assert found("tea") == []


def test_an_article_changed_without_saving_it_is_found_by_its_new_words():
    post = make_post(summary="About walking.")

    Post.objects.filter(pk=post.pk).update(summary="About swimming.")

    assert found("swimming") == [post]
    assert found("walking") == []


def test_a_deleted_article_is_no_longer_found():
    post = make_post(title="Boundaries")
    kept = make_post(title="Boundaries at work")

    post.delete()

    assert found("boundaries") == [kept]


def test_articles_made_in_bulk_are_found():
    author = make_post().author
    Post.objects.bulk_create(
        Post(
            title=f"Loneliness, part {number}",
            slug=f"loneliness-{number}",
            body="Reaching out.",
            author=author,
            published_at=timezone.now() - timedelta(days=number),
            is_approved=True,
        )
        for number in (1, 2, 3)
    )

    assert [post.slug for post in found("loneliness")] == [
        "loneliness-1",
        "loneliness-2",
        "loneliness-3",
    ]


HOSTILE_QUERIES = [
    '"',
    '""',
    '"unterminated phrase',
    'sleep" OR "1"="1',
    "sleep*",
    "*",
    "-sleep",
    "sleep -",
    "sleep OR",
    "OR",
    "AND NOT",
    "NEAR",
    "NEAR(sleep anxiety, 2)",
    "^sleep",
    "sleep^",
    "(sleep",
    "sleep)",
    "((()))",
    "title:sleep",
    "{title summary}: sleep",
    ":",
    "sleep:",
    "a & | ! ( ) :* <-> <2>",
    "'; DROP TABLE blog_post; --",
    "%_\\",
    "日本 محمد",
    "naïve café Ünïcödé",
    "😀",
    "sleep 😀🙏🏽",
    "\u200b\u200d\u202e",
    "".join(chr(code) for code in range(33, 48)) * 14,  # 200 characters of punctuation
    "x" * 200,
    "the of and a",  # only stop words, which PostgreSQL leaves out
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_nothing_typed_breaks_the_search(client, query):
    make_post(title="Sleep and anxiety", body="A café, naïvely.")

    response = client.get("/blog/search/", {"q": query})

    assert response.status_code == HTTPStatus.OK
    assert response.context["page_obj"].paginator.count in (0, 1)


def test_punctuation_around_a_word_still_finds_it():
    post = make_post(title="Sleep and anxiety")

    for query in ('"sleep"', "sleep!", "(sleep)", "sleep*", "sleep,", "¿sleep?"):
        assert found(query) == [post], query


def test_the_search_page_takes_the_same_queries_for_few_results_as_for_many(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    make_post(title="Courage")

    def queries(url):
        client.get(url)  # warm up once: per-process caches fill here
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == HTTPStatus.OK
        return len(captured)

    one = queries("/blog/search/?q=courage")
    for _ in range(24):
        make_post(title="Courage, again")

    assert queries("/blog/search/?q=courage") == one
    assert queries("/blog/search/?q=courage&page=3") == one
    assert one <= 3  # count, the page's ids, its posts (series and byline joined)
