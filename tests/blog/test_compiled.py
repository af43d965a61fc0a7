"""The article page's reads, built into SQL once per process (blog/compiled.py): they must find
exactly what the same querysets find when Django builds them afresh, whatever the clock, the
settings or the slug."""

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from blog.compiled import CompiledQuery
from blog.models import Post, RelatedReading
from tests.support.factories import make_post, make_series, make_topic

pytestmark = pytest.mark.django_db


def test_the_article_is_what_the_queryset_finds_with_series_byline_and_chosen_reading():
    series = make_series()
    part = make_post(slug="part-one", series=series, series_position=1)
    RelatedReading.objects.create(post=part, related_post=make_post(), position=1)

    found = Post.public_article("part-one")
    expected = Post.objects.published().for_article_page().get(slug="part-one")

    assert found == expected
    for name in ("title", "body_html", "published_at", "updated_at", "has_chosen_reading"):
        assert getattr(found, name) == getattr(expected, name), name
    assert (found.series.title, str(found.byline)) == (series.title, "Dana Reyes, LCSW")
    assert found.has_chosen_reading is True


def test_the_article_comes_with_its_series_and_byline_in_one_query(django_assert_num_queries):
    make_post(slug="part-one", series=make_series(), series_position=1)
    Post.public_article("part-one")  # built once

    with django_assert_num_queries(1):
        post = Post.public_article("part-one")
        assert post.series.title and str(post.byline)


def test_a_scheduled_article_appears_when_its_time_comes_with_the_sql_already_built(client):
    make_post(slug="soon", published_at=timezone.now() + timedelta(hours=1))
    assert Post.public_article("soon") is None
    assert client.get("/blog/soon/").status_code == HTTPStatus.NOT_FOUND

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert Post.public_article("soon").slug == "soon"
        assert client.get("/blog/soon/").status_code == HTTPStatus.OK


def test_a_changed_setting_is_read_again(settings):
    make_post(slug="unreviewed", is_approved=False)
    assert Post.public_article("unreviewed") is None

    settings.BLOG_REQUIRE_REVIEW = False

    assert Post.public_article("unreviewed").slug == "unreviewed"


@pytest.mark.parametrize("slug", ["x' OR '1'='1", "article-%", "article-_", "ärticle", ""])
def test_a_slug_is_a_value_never_part_of_the_sql(slug):
    make_post(slug="article-1")

    assert Post.public_article(slug) is None
    assert Post.public_article("article-1").slug == "article-1"


def test_the_series_contents_and_topics_are_what_the_querysets_find():
    series = make_series()
    anxiety, grief = make_topic("Anxiety"), make_topic("Grief")
    first = make_post(series=series, series_position=1, topics=[grief, anxiety])
    make_post(series=series, series_position=2, published_at=None)  # a draft: left out
    third = make_post(series=series, series_position=3)

    parts = series.part_headlines()

    assert [(p.pk, p.title, p.series_position) for p in parts] == [
        (first.pk, first.title, 1),
        (third.pk, third.title, 3),
    ]
    assert [p.url for p in parts] == [first.get_absolute_url(), third.get_absolute_url()]
    assert first.topic_list() == [anxiety, grief]
    assert third.topic_list() == []


def test_sql_that_changes_with_a_value_is_refused():
    first_n = CompiledQuery(lambda n: Post.objects.all()[:n], n=int)  # LIMIT is in the text

    with pytest.raises(ImproperlyConfigured, match="changes with its values"):
        first_n(n=3)


def test_a_parameter_worked_out_from_a_value_is_refused():
    # "a%" is worked out from the value: kept as it was compiled, it would go stale.
    starting = CompiledQuery(lambda text: Post.objects.filter(slug__startswith=text), text=str)

    with pytest.raises(ImproperlyConfigured, match="parameters change"):
        starting(text="a")


def test_a_value_the_query_does_not_use_is_refused():
    everything = CompiledQuery(lambda slug: Post.objects.all(), slug=str)

    with pytest.raises(ImproperlyConfigured, match="slug"):
        everything(slug="a")
