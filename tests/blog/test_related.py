"""Related reading at the end of an article: the articles its writer chose, in their order, or
for an article outside a series with none chosen, the ones sharing the most of its topics."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import RelatedReading
from tests.support.factories import (
    make_clinician,
    make_post,
    make_series,
    make_topic,
    post_form,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rendered_each_time(settings):
    settings.PAGE_CACHE_SECONDS = 0  # the page as rendered (the cache has its own tests below)


def relate(post, *related):
    """Choose `related` for the end of `post`, in this order, in place of any chosen before."""
    RelatedReading.objects.filter(post=post).delete()
    for position, other in enumerate(related, start=1):
        RelatedReading.objects.create(post=post, related_post=other, position=position)


def related_reading(html):
    """The "Related reading" section of an article page's HTML ("" when there is none)."""
    start = html.find('<section class="related-reading"')
    return html[start : html.index("</section>", start)] if start >= 0 else ""


def related_on_page(client, post):
    response = client.get(post.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    return response.context["related_posts"]


def test_the_chosen_articles_are_shown_in_the_chosen_order_with_their_summaries(client):
    post, first, second, third = (make_post() for _ in range(4))
    relate(post, third, first, second)

    response = client.get(post.get_absolute_url())

    assert response.context["related_posts"] == [third, first, second]
    html = response.content.decode()
    section = html[html.index('<h2 id="related-reading-title">Related reading</h2>') :]
    links = [f'<a href="{p.get_absolute_url()}">{p.title}</a>' for p in (third, first, second)]
    assert section.index(links[0]) < section.index(links[1]) < section.index(links[2])
    assert f"<p>{third.summary}</p>" in section


def test_related_reading_comes_after_the_next_link_and_before_the_invitation(client):
    post, other = make_post(), make_post(title="Sleep and mood")
    relate(post, other)

    html = client.get(post.get_absolute_url()).content.decode()

    assert html.index('class="reading-nav"') < html.index("Related reading")
    assert html.index("Related reading") < html.index('id="invite-title"')


@pytest.mark.parametrize(
    "unpublished",
    [
        {"published_at": None},  # a draft
        {"published_at": timezone.now() + timedelta(days=2)},  # scheduled
        {"is_approved": False},  # waiting for review
        {"unpublish_at": timezone.now() - timedelta(hours=1)},  # taken down
    ],
    ids=["draft", "scheduled", "waiting-for-review", "taken-down"],
)
def test_only_published_related_articles_are_shown(client, unpublished):
    post, shown = make_post(), make_post()
    hidden = make_post(title="Not out yet", **unpublished)
    relate(post, hidden, shown)

    response = client.get(post.get_absolute_url())

    assert response.context["related_posts"] == [shown]
    assert "Not out yet" not in response.content.decode()


def test_related_links_go_one_way(client):
    post, other = make_post(), make_post()
    relate(post, other)

    assert related_on_page(client, post) == [other]
    assert related_on_page(client, other) == []


def test_an_article_cannot_be_its_own_related_reading():
    post = make_post()
    choice = RelatedReading(post=post, related_post=post, position=1)

    with pytest.raises(ValidationError) as refused:
        choice.full_clean()
    assert refused.value.message_dict["related_post"] == [
        "An article cannot be its own related reading: choose another."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        choice.save()  # the database refuses it too


def test_an_article_is_listed_once():
    post, other = make_post(), make_post()
    relate(post, other)

    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedReading.objects.create(post=post, related_post=other, position=2)


# With none chosen: the articles sharing the most topics.


def test_a_stand_alone_article_with_none_chosen_shows_three_sharing_the_most_topics(client):
    sleep, mood, safety = (make_topic(name=name) for name in ("Sleep", "Mood", "Safety"))
    post = make_post(topics=[sleep, mood, safety])
    one_newer = make_post(topics=[sleep])  # make_post dates each one a day older
    two = make_post(topics=[sleep, mood])
    three = make_post(topics=[sleep, mood, safety])
    one_older = make_post(topics=[safety])
    make_post(topics=[make_topic(name="Grief")])  # nothing in common
    make_post()  # no topics

    assert related_on_page(client, post) == [three, two, one_newer]
    assert one_older not in related_on_page(client, post)


def test_ties_go_to_the_newest_and_never_to_the_article_itself(client):
    topic = make_topic()
    older = make_post(topics=[topic], published_at=timezone.now() - timedelta(days=30))
    post = make_post(topics=[topic], published_at=timezone.now() - timedelta(days=20))
    newest = make_post(topics=[topic], published_at=timezone.now() - timedelta(days=1))
    middle = make_post(topics=[topic], published_at=timezone.now() - timedelta(days=10))
    oldest = make_post(topics=[topic], published_at=timezone.now() - timedelta(days=40))

    assert related_on_page(client, post) == [newest, middle, older]
    assert oldest not in related_on_page(client, post)


def test_the_topic_suggestions_skip_unpublished_articles(client):
    topic = make_topic()
    post = make_post(topics=[topic])
    make_post(topics=[topic], published_at=None)
    make_post(topics=[topic], unpublish_at=timezone.now() - timedelta(hours=1))
    shown = make_post(topics=[topic])

    assert related_on_page(client, post) == [shown]


def test_chosen_articles_replace_the_topic_suggestions(client):
    topic = make_topic()
    post = make_post(topics=[topic])
    make_post(topics=[topic])
    chosen = make_post()  # shares no topic: chosen all the same
    relate(post, chosen)

    assert related_on_page(client, post) == [chosen]


def test_an_article_without_topics_or_choices_has_no_related_reading(client):
    post = make_post()
    make_post(topics=[make_topic()])

    response = client.get(post.get_absolute_url())

    assert response.context["related_posts"] == []
    assert "Related reading" not in response.content.decode()


def test_a_part_of_a_series_shows_only_chosen_articles_not_topic_suggestions(client):
    topic = make_topic()
    series = make_series()
    part = make_post(series=series, series_position=1, topics=[topic])
    make_post(topics=[topic])
    assert related_on_page(client, part) == []

    chosen = make_post()
    relate(part, chosen)

    assert related_on_page(client, part) == [chosen]


def test_the_topic_suggestions_may_be_parts_of_a_series(client):
    topic = make_topic()
    post = make_post(topics=[topic])
    part = make_post(series=make_series(), series_position=1, topics=[topic])

    assert related_on_page(client, post) == [part]


# What it costs: one query, however many articles there are.


def queries_for(client, post):
    client.get(post.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        assert client.get(post.get_absolute_url()).status_code == HTTPStatus.OK
    return len(queries)


def test_related_reading_takes_one_query_however_many_articles_and_topics(client):
    topics = [make_topic(name=f"Topic {n}") for n in range(4)]
    stand_alone = make_post(topics=topics)
    chosen = make_post(topics=topics[:1])
    part = make_post(series=make_series(), series_position=1, topics=topics)
    without = {
        "stand-alone": queries_for(client, stand_alone),
        "series part": queries_for(client, part),
    }
    relate(stand_alone, chosen)
    relate(part, chosen)
    with_one = {
        "stand-alone": queries_for(client, stand_alone),
        "series part": queries_for(client, part),
    }

    for _ in range(30):
        make_post(topics=topics)
    others = [make_post(topics=topics[1:]) for _ in range(4)]
    relate(stand_alone, chosen, *others)
    relate(part, chosen, *others)

    # A stand-alone article always looks (chosen or by topic); a series part with nothing
    # chosen for it knows so from its own row and makes no query for it.
    assert with_one == {
        "stand-alone": without["stand-alone"],
        "series part": without["series part"] + 1,
    }
    assert {
        "stand-alone": queries_for(client, stand_alone),
        "series part": queries_for(client, part),
    } == with_one


# Choosing them in the admin.


def test_a_clinician_chooses_and_orders_related_reading_on_the_article_page(client):
    clinician = make_clinician(username="dana")
    post = make_post(author=clinician)
    first, second = make_post(), make_post()
    client.force_login(clinician)
    form = post_form(
        title=post.title,
        slug=post.slug,
        author=clinician.pk,
        opened_version=post.edit_version,
        **{
            "related_choices-TOTAL_FORMS": "2",
            "related_choices-INITIAL_FORMS": "0",
            "related_choices-0-related_post": second.pk,
            "related_choices-0-position": "",  # no number: last
            "related_choices-1-related_post": first.pk,
            "related_choices-1-position": "4",
        },
    )

    response = client.post(f"/admin/blog/post/{post.pk}/change/", form)

    assert response.status_code == HTTPStatus.FOUND
    rows = RelatedReading.objects.filter(post=post)
    assert [(r.related_post, r.position) for r in rows] == [(first, 1), (second, 2)]


def test_the_admin_refuses_an_article_as_its_own_related_reading(client):
    clinician = make_clinician(username="dana")
    post = make_post(author=clinician)
    client.force_login(clinician)
    form = post_form(
        title=post.title,
        slug=post.slug,
        author=clinician.pk,
        opened_version=post.edit_version,
        **{
            "related_choices-TOTAL_FORMS": "1",
            "related_choices-INITIAL_FORMS": "0",
            "related_choices-0-related_post": post.pk,
            "related_choices-0-position": "1",
        },
    )

    response = client.post(f"/admin/blog/post/{post.pk}/change/", form)

    assert response.status_code == HTTPStatus.OK
    assert "An article cannot be its own related reading" in response.content.decode()
    assert not RelatedReading.objects.exists()


def test_the_article_page_in_the_admin_shows_the_related_reading_table(client):
    clinician = make_clinician(username="dana")
    post, other = make_post(author=clinician), make_post(title="Sleep and mood")
    relate(post, other)
    client.force_login(clinician)

    html = client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()

    assert "Related reading: up to 5 articles" in html
    assert 'class="vIntegerField _reorder_"' in html
    assert "Sleep and mood" in html


# The page cache: an article's page changes as soon as a related article does.

committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def cached_pages(settings):
    settings.PAGE_CACHE_SECONDS = 3600  # as in production

    def cached(client, url):
        """Fetch `url` twice; the second answer must come from the page cache."""
        client.get(url)
        response = client.get(url)
        assert response["X-Page-Cache"] == "hit", url
        return response.content.decode()

    return cached


@committed
def test_a_related_article_retitled_shows_its_new_title_on_the_next_request(client, cached_pages):
    post, other = make_post(), make_post(title="Sleep and mood")
    relate(post, other)
    assert "Sleep and mood" in related_reading(cached_pages(client, post.get_absolute_url()))

    other.title = "Sleep, mood and KAP"
    other.save()

    response = client.get(post.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "Sleep, mood and KAP" in related_reading(response.content.decode())


@committed
def test_a_related_article_returned_to_draft_leaves_the_page_at_once(client, cached_pages):
    post, other = make_post(), make_post(title="Sleep and mood")
    relate(post, other)
    cached_pages(client, post.get_absolute_url())

    other.published_at = None
    other.save()

    assert "Sleep and mood" not in related_reading(
        client.get(post.get_absolute_url()).content.decode()
    )


def test_a_related_article_taken_down_at_its_time_leaves_with_nobody_saving(
    client, cached_pages, time_machine
):
    take_down_at = timezone.now() + timedelta(minutes=10)
    post, other = make_post(), make_post(title="Our summer group", unpublish_at=take_down_at)
    relate(post, other)
    assert "Our summer group" in related_reading(cached_pages(client, post.get_absolute_url()))

    time_machine.move_to(take_down_at + timedelta(seconds=1))

    assert "Our summer group" not in related_reading(
        client.get(post.get_absolute_url()).content.decode()
    )


def test_a_topic_suggestion_taken_down_at_its_time_makes_way_for_the_next(
    client, cached_pages, time_machine
):
    take_down_at = timezone.now() + timedelta(minutes=10)
    topic = make_topic()
    post = make_post(topics=[topic])
    make_post(title="Our summer group", topics=[topic], unpublish_at=take_down_at)
    assert "Our summer group" in related_reading(cached_pages(client, post.get_absolute_url()))

    time_machine.move_to(take_down_at + timedelta(seconds=1))

    assert "Our summer group" not in related_reading(
        client.get(post.get_absolute_url()).content.decode()
    )


@committed
def test_related_reading_chosen_in_the_admin_shows_on_the_next_request(client, cached_pages):
    clinician = make_clinician(username="dana")
    post, other = make_post(author=clinician), make_post(title="Sleep and mood")
    assert "Sleep and mood" not in related_reading(cached_pages(client, post.get_absolute_url()))
    staff = Client()
    staff.force_login(clinician)
    form = post_form(
        title=post.title,
        slug=post.slug,
        author=clinician.pk,
        opened_version=post.edit_version,
        **{
            "related_choices-TOTAL_FORMS": "1",
            "related_choices-INITIAL_FORMS": "0",
            "related_choices-0-related_post": other.pk,
            "related_choices-0-position": "1",
        },
    )
    assert staff.post(f"/admin/blog/post/{post.pk}/change/", form).status_code == HTTPStatus.FOUND

    response = client.get(post.get_absolute_url())
    assert response["X-Page-Cache"] == "miss"
    assert "Sleep and mood" in related_reading(response.content.decode())


@committed
def test_removing_a_related_article_shows_on_the_next_request(client, cached_pages):
    post, other = make_post(), make_post(title="Sleep and mood")
    relate(post, other)
    cached_pages(client, post.get_absolute_url())

    RelatedReading.objects.get().delete()

    assert "Sleep and mood" not in related_reading(
        client.get(post.get_absolute_url()).content.decode()
    )
