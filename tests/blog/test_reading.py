"""Next and Previous: series order inside a series, listing order outside one."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from tests.support.factories import make_post, make_series

pytestmark = pytest.mark.django_db


def test_next_link_skips_an_unpublished_part(client):
    series = make_series()
    part_1 = make_post(series=series, series_position=1)
    make_post(series=series, series_position=2, published_at=None)
    part_3 = make_post(series=series, series_position=3)

    response = client.get(part_1.get_absolute_url())

    assert response.status_code == HTTPStatus.OK
    assert response.context["next_post"].pk == part_3.pk
    assert f"Next:</span> {part_3.title}" in response.content.decode()


def test_series_follows_editor_order_not_dates(client):
    series = make_series()
    now = timezone.now()
    part_1 = make_post(series=series, series_position=1, published_at=now - timedelta(days=1))
    part_2 = make_post(series=series, series_position=2, published_at=now - timedelta(days=30))

    response = client.get(part_1.get_absolute_url())

    assert response.context["next_post"].pk == part_2.pk
    assert response.context["previous_post"] is None
    assert client.get(part_2.get_absolute_url()).context["previous_post"].pk == part_1.pk


def test_previous_link_skips_an_unpublished_part(client):
    series = make_series()
    part_1 = make_post(series=series, series_position=1)
    make_post(series=series, series_position=2, published_at=timezone.now() + timedelta(days=1))
    part_3 = make_post(series=series, series_position=3)

    assert client.get(part_3.get_absolute_url()).context["previous_post"].pk == part_1.pk


def test_last_part_says_the_series_is_complete_and_links_its_contents(client):
    series = make_series()
    make_post(series=series, series_position=1)
    last = make_post(series=series, series_position=2)

    response = client.get(last.get_absolute_url())

    html = response.content.decode()
    assert response.context["next_post"] is None
    assert "You have reached the end of “Understanding KAP”" in html
    assert f'href="{series.get_absolute_url()}">See all parts of the series' in html
    assert 'rel="next"' not in html


def test_part_numbers_count_only_published_parts(client):
    series = make_series()
    make_post(series=series, series_position=1)
    make_post(series=series, series_position=2, published_at=None)
    part_3 = make_post(series=series, series_position=3)

    html = client.get(part_3.get_absolute_url()).content.decode()

    assert "Part 2 of 2" in html


def test_outside_a_series_next_is_the_next_older_post(client):
    now = timezone.now()
    newest = make_post(published_at=now - timedelta(days=1))
    middle = make_post(published_at=now - timedelta(days=2))
    make_post(published_at=None)  # a draft in between is never a neighbour
    oldest = make_post(published_at=now - timedelta(days=3))

    response = client.get(middle.get_absolute_url())

    assert response.context["next_post"] == oldest
    assert response.context["previous_post"] == newest


def test_outside_a_series_the_oldest_post_has_no_next(client):
    only = make_post()

    response = client.get(only.get_absolute_url())

    assert response.context["next_post"] is None
    assert response.context["previous_post"] is None


def test_article_ends_with_a_consultation_invitation_naming_the_article(client):
    post = make_post(slug="what-is-kap")

    html = client.get(post.get_absolute_url()).content.decode()

    assert 'href="/consultation/?from=what-is-kap"' in html


def test_series_page_lists_published_parts_in_order(client):
    series = make_series(description="Four **short** articles.")
    second = make_post(series=series, series_position=2, title="Second")
    first = make_post(series=series, series_position=1, title="First")
    make_post(series=series, series_position=3, title="Not yet", published_at=None)

    response = client.get(series.get_absolute_url())

    assert list(response.context["parts"]) == [first, second]
    html = response.content.decode()
    assert "<strong>short</strong>" in html
    assert html.index("Part 1") < html.index("First") < html.index("Part 2") < html.index("Second")
    assert "Not yet" not in html
