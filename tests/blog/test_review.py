"""A second clinician's review before an article goes live, what readers see of it, content notes,
and taking an article down on schedule."""

import json
import re
from datetime import date, datetime, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from blog import review
from blog.models import Author, Post
from tests.support.factories import (
    make_clinician,
    make_post,
    make_series,
    make_user,
    post_form,
)

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")
OCTOBER_3 = datetime(2026, 10, 3, 11, 0, tzinfo=PACIFIC)


@pytest.fixture
def writer():
    return make_clinician(username="dana", byline="Dana Reyes, LCSW")


@pytest.fixture
def reviewer():
    return make_clinician(username="sam", byline="Dr. Sam Okafor, MD")


@pytest.fixture
def waiting(writer):
    """Written, with a publication time already past, not yet reviewed."""
    return make_post(title="Waiting for Sam", author=writer, is_approved=False)


def admin_post(client, post, **changes):
    published = timezone.localtime(post.published_at)
    data = post_form(
        title=post.title,
        slug=post.slug,
        author=post.author_id,
        summary=post.summary,
        opened_version=post.edit_version,
        published_at_0=published.strftime("%Y-%m-%d"),
        published_at_1=published.strftime("%H:%M:%S"),
        **changes,
    )
    return client.post(f"/admin/blog/post/{post.pk}/change/", data, follow=True)


# --- Review before publishing -------------------------------------------------------------------


def test_an_article_nobody_has_reviewed_is_not_public_even_after_its_time(client, waiting):
    assert client.get(waiting.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert "Waiting for Sam" not in client.get("/blog/").content.decode()
    assert "Waiting for Sam" not in client.get("/blog/feed/").content.decode()
    assert waiting.slug not in client.get("/sitemap-posts.xml").content.decode()


def test_staff_see_it_with_a_banner_saying_it_waits_for_review(client, waiting, writer):
    client.force_login(writer)

    html = client.get(waiting.get_absolute_url()).content.decode()

    assert "Waiting for review preview — not public." in html
    assert "Until another clinician approves it, visitors cannot see it" in html


def test_approval_by_another_clinician_makes_it_public_and_records_who_and_when(
    client, waiting, reviewer
):
    client.force_login(reviewer)

    admin_post(client, waiting, approve="on")

    waiting.refresh_from_db()
    assert waiting.is_approved and waiting.reviewed_by == reviewer
    assert waiting.review_by == review.months_after(timezone.localdate(waiting.reviewed_at), 12)
    latest = waiting.history.first()
    assert (latest.history_user, latest.reviewed_by_id) == (reviewer, reviewer.pk)
    client.logout()
    assert client.get(waiting.get_absolute_url()).status_code == HTTPStatus.OK


def test_approving_ones_own_article_is_refused_with_the_reason(client, waiting, writer):
    client.force_login(writer)

    response = admin_post(client, waiting, approve="on")

    waiting.refresh_from_db()
    assert not waiting.is_approved
    assert "You wrote this article, so another clinician must review it" in (
        response.content.decode()
    )


def test_the_list_action_approves_others_articles_and_refuses_ones_own(
    client, waiting, writer, reviewer
):
    own = make_post(title="Sam's own", author=reviewer, is_approved=False)
    client.force_login(reviewer)

    response = client.post(
        "/admin/blog/post/",
        {"action": "approve_review", "_selected_action": [waiting.pk, own.pk]},
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert "1 article(s) approved." in messages
    assert any(m.startswith("“Sam's own” was not approved. You wrote") for m in messages)
    assert Post.objects.get(pk=waiting.pk).is_approved
    assert not Post.objects.get(pk=own.pk).is_approved


def test_a_reviewer_without_an_author_profile_is_asked_to_add_one(waiting):
    nameless = make_user(username="nameless")

    with pytest.raises(Exception, match="add yours under Blog → Authors"):
        review.approve(waiting, nameless)


def test_without_required_reviews_an_article_is_public_at_its_time(client, waiting, settings):
    settings.BLOG_REQUIRE_REVIEW = False

    assert client.get(waiting.get_absolute_url()).status_code == HTTPStatus.OK


def test_editing_an_approved_live_article_keeps_it_live_and_marks_it_changed(
    client, writer, reviewer
):
    with time_machine.travel(OCTOBER_3):
        post = make_post(author=writer, is_approved=False, published_at=timezone.now())
        review.approve(post, reviewer)
    client.force_login(writer)

    with time_machine.travel(datetime(2026, 11, 12, 10, 0, tzinfo=PACIFIC)):
        admin_post(client, post, body="## Part of the story\n\nBetter words now.")
        html = client.get(post.get_absolute_url()).content.decode()

    post.refresh_from_db()
    assert post.is_approved and post.changed_since_review
    assert list(Post.objects.changed_since_review()) == [post]
    assert re.search(
        r'Reviewed by <a href="/blog/author/dr/">Dr. Sam Okafor, MD</a> '
        r"on <time[^>]*>3 October 2026</time>",
        html,
    )
    assert 'Updated <time datetime="2026-11-12">12 November 2026</time>' in html


def test_the_review_queue_filters_and_the_admin_home_counts(client, writer, reviewer):
    make_post(title="Never reviewed", author=writer, is_approved=False)
    with time_machine.travel(timezone.now() - timedelta(days=400)):
        old = make_post(title="Reviewed long ago", author=writer)
        review.approve(old, reviewer)
    fresh = make_post(title="Reviewed, then edited", author=writer)
    review.approve(fresh, reviewer)
    fresh.body = "Changed after the review."
    fresh.save()
    client.force_login(reviewer)

    def titles(query):
        response = client.get("/admin/blog/post/", {"review": query})
        return {post.title for post in response.context["cl"].result_list}

    home = client.get("/admin/").content.decode()

    assert "Never reviewed" in titles("waiting")
    assert titles("changed") == {"Reviewed, then edited"}
    assert titles("due") == {"Reviewed long ago"}
    counts = review.queue_counts()
    assert (counts["changed"], counts["due"]) == (1, 1)
    assert f"<strong>{counts['waiting']}</strong> waiting for review" in home
    assert "<strong>1</strong> changed since review" in home
    assert "<strong>1</strong> review due" in home


def test_months_after_keeps_the_day_or_takes_the_months_last():
    assert review.months_after(date(2026, 10, 3), 12) == date(2027, 10, 3)
    assert review.months_after(date(2026, 8, 31), 6) == date(2027, 2, 28)


# --- What readers and search engines see --------------------------------------------------------


def test_the_byline_names_and_links_the_reviewer_and_the_structured_data_says_so(
    client, writer, reviewer
):
    with time_machine.travel(OCTOBER_3):
        post = make_post(author=writer, is_approved=False, published_at=timezone.now())
        review.approve(post, reviewer)

    response = client.get(post.get_absolute_url())

    html = response.content.decode()
    assert 'By <a href="/blog/author/dana/">Dana Reyes, LCSW</a>' in html
    assert 'Reviewed by <a href="/blog/author/dr/">Dr. Sam Okafor, MD</a>' in html
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(block)
    page = data["mainEntityOfPage"]
    assert (
        page["@type"] == "WebPage" and page["url"] == f"http://testserver{post.get_absolute_url()}"
    )
    assert page["reviewedBy"] == {
        "@type": "Person",
        "name": "Dr. Sam Okafor, MD",
        "url": "http://testserver/blog/author/dr/",
    }
    assert page["lastReviewed"] == "2026-10-03"


def test_the_references_are_a_numbered_list_and_the_structured_datas_citation(client):
    post = make_post(
        body="Relief can come within hours.[^1] It may fade within weeks.[^2]\n\n"
        "[^1]: A trial, <https://doi.org/10.1001/archpsyc.63.8.856>\n"
        "[^2]: [A review](https://example.org/review?a=1&b=2)\n"
    )

    html = client.get(post.get_absolute_url()).content.decode()

    assert "<h2>References</h2>" in html
    assert '<a href="#fn-1" id="fnref-1" aria-label="Reference 1"' in html
    assert '<li id="fn-2">' in html and 'href="#fnref-2"' in html
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert json.loads(block)["citation"] == [
        "https://doi.org/10.1001/archpsyc.63.8.856",
        "https://example.org/review?a=1&b=2",
    ]


def test_an_article_live_before_reviews_began_shows_no_review_line(client, writer):
    post = make_post(author=writer)  # approved for publication, never reviewed

    html = client.get(post.get_absolute_url()).content.decode()

    assert "Reviewed by" not in html
    assert "reviewedBy" not in html
    assert "citation" not in html  # it cites no sources


def test_the_author_page_shows_the_license(client, writer):
    Author.objects.filter(user=writer).update(
        license_type="Licensed Clinical Social Worker (LCSW)",
        license_number="C12345",
        licensed_states="Oregon, Washington",
    )

    html = client.get("/blog/author/dana/").content.decode()

    assert (
        "Licensed Clinical Social Worker (LCSW), license number C12345. Licensed in Oregon, "
        "Washington."
    ) in html


@pytest.mark.parametrize(
    ("note", "crisis_line"),
    [
        ("This article talks about suicide.", True),
        ("This article mentions self-harm.", True),
        ("This article describes a panic attack.", False),
    ],
)
def test_a_content_note_comes_before_the_text_with_the_crisis_line_when_needed(
    client, note, crisis_line
):
    post = make_post(content_note=note, body="The text itself.")

    html = client.get(post.get_absolute_url()).content.decode()

    assert html.index(note) < html.index("The text itself.")
    assert ('<a href="tel:988">988</a> (Suicide &amp; Crisis Lifeline) at any time' in html) is (
        crisis_line
    )


# --- Taking an article down on schedule ---------------------------------------------------------


@pytest.fixture
def notice(writer):
    series = make_series(title="Practice news")
    first = make_post(title="Fees from January", series=series, series_position=1)
    ending = make_post(
        title="Group starting soon",
        series=series,
        series_position=2,
        unpublish_at=timezone.now() + timedelta(hours=1),
    )
    return first, ending


def public_pages_mentioning(client, title):
    pages = ["/", "/blog/", "/blog/feed/", "/blog/feed/atom/", "/sitemap-posts.xml"]
    pages += ["/blog/series/practice-news/", "/blog/search/?q=Group"]
    return [url for url in pages if title in client.get(url).content.decode()]


@pytest.mark.parametrize("page_cache_seconds", [3600, 0], ids=["cached", "uncached"])
def test_at_its_take_down_time_an_article_leaves_everything_and_answers_410(
    client, notice, settings, page_cache_seconds
):
    settings.PAGE_CACHE_SECONDS = page_cache_seconds
    first, ending = notice
    assert public_pages_mentioning(client, "Group starting soon")  # and now cached
    assert "Group starting soon" in client.get(first.get_absolute_url()).content.decode()

    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        gone = client.get(ending.get_absolute_url())
        mentioned = public_pages_mentioning(client, "Group starting soon")
        next_link = client.get(first.get_absolute_url()).content.decode()

    assert gone.status_code == HTTPStatus.GONE
    assert "This article is no longer available" in gone.content.decode()
    assert 'href="/blog/series/practice-news/"' in gone.content.decode()
    assert mentioned == []
    assert "Group starting soon" not in next_link


def test_staff_still_see_a_taken_down_article_with_a_banner(client, notice, writer):
    _first, ending = notice
    client.force_login(writer)

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        html = client.get(ending.get_absolute_url()).content.decode()

    assert "Taken down preview — not public." in html
