"""The benchmark's data generator (tools/bench_data.py), at a small scale, so it cannot rot."""

import random
import re

import pytest
from django.db.models import Count

from blog.models import Post, Series, Topic
from consultations.models import (
    FINISHED_STATUSES,
    ConsultationRequest,
    ContactLogEntry,
    RequestStatus,
)
from tools.bench_data import RARE_WORD, Scale, build, markdown_body, rare_count

pytestmark = pytest.mark.django_db

SMALL = Scale(posts=20, series=2, topics=5, authors=2, front_desk=2, requests=200, log_entries=500)


@pytest.fixture
def counts():
    return build(SMALL)


def test_the_counts_asked_for_are_built(counts):
    assert counts == {
        "posts": 20,
        "series": 2,
        "topics": 5,
        "requests": 200,
        "log_entries": 500,
    }
    assert Post.objects.published().count() == 20
    assert Topic.objects.count() == 5
    assert ConsultationRequest.objects.count() == 200
    assert ContactLogEntry.objects.count() == 500


def test_drafts_and_scheduled_parts_exist_but_are_not_published(counts):
    assert Post.objects.drafts().exists()
    assert Post.objects.scheduled().filter(series__isnull=False).exists()


def test_every_article_passes_the_models_own_validation(counts):
    for post in Post.objects.all():
        post.full_clean()
    for request in ConsultationRequest.objects.all():
        request.full_clean()


def test_a_third_of_the_articles_are_numbered_parts_of_the_series(counts):
    in_series = Post.objects.published().filter(series__isnull=False)
    assert in_series.count() == 20 // 3
    for series in Series.objects.all():
        positions = [post.series_position for post in series.published_parts()]
        assert positions == list(range(1, len(positions) + 1))
        dates = [post.published_at for post in series.published_parts()]
        assert dates == sorted(dates)  # parts come out in order


def test_articles_are_about_800_words_rendered_and_tagged(counts):
    for post in Post.objects.annotate(topic_count=Count("topics")):
        assert 750 <= len(re.findall(r"\w+", post.body)) <= 850
        assert post.body_html.startswith("<h2>")
        assert post.reading_minutes in {4, 5}  # 200 words a minute
        assert 1 <= post.topic_count <= 3
    published = Post.objects.published().order_by("published_at")
    assert (published.last().published_at - published.first().published_at).days > 30


def test_requests_spread_over_months_with_an_overdue_backlog(counts):
    dates = ConsultationRequest.objects.order_by("submitted_at").values_list(
        "submitted_at", flat=True
    )
    assert (dates.last() - dates.first()).days > 90
    statuses = set(ConsultationRequest.objects.values_list("status", flat=True))
    assert {RequestStatus.NEW, RequestStatus.CLOSED, RequestStatus.SCHEDULED} <= statuses
    assert ConsultationRequest.objects.overdue().exists()
    assert not ConsultationRequest.objects.filter(
        status__in=FINISHED_STATUSES, finished_at__isnull=True
    ).exists()
    assert not ConsultationRequest.objects.filter(
        status=RequestStatus.NEW, first_contacted_at__isnull=False
    ).exists()


def test_contact_log_entries_belong_to_contacted_requests(counts):
    contacted = ConsultationRequest.objects.filter(first_contacted_at__isnull=False)
    logged = contacted.annotate(entries=Count("log_entries"))
    assert not logged.filter(entries=0).exists()
    assert not ContactLogEntry.objects.filter(request__first_contacted_at__isnull=True).exists()
    for entry in ContactLogEntry.objects.select_related("request"):
        assert entry.created_at >= entry.request.submitted_at


def test_the_same_seed_writes_the_same_text():
    assert markdown_body(random.Random(1)) == markdown_body(random.Random(1))  # noqa: S311


def test_the_rare_word_is_in_one_percent_of_the_published_articles_and_nowhere_else():
    build(Scale(posts=300, series=3, topics=5, authors=2, front_desk=2, requests=50,
                log_entries=50))  # fmt: skip
    carrying = Post.objects.filter(body__icontains=RARE_WORD)
    assert carrying.count() == carrying.published().count() == 3
    assert Post.objects.published().search(RARE_WORD).count() == 3
    assert not Post.objects.filter(title__icontains=RARE_WORD).exists()
    assert not Post.objects.filter(summary__icontains=RARE_WORD).exists()
    assert all(RARE_WORD in post.body_html for post in carrying)


def test_one_percent_of_each_benchmark_size_carries_the_rare_word():
    assert (rare_count(2_000), rare_count(20_000), rare_count(20)) == (20, 200, 1)
