"""Choosing an article's related reading in the admin in a real browser, from the keyboard:
type to find an article (the autocomplete), type its number, save; then reorder by dragging.
Under the site's strict Content-Security-Policy."""

import re

import pytest
from playwright.sync_api import expect

from blog.models import RelatedReading
from tests.support.browser import sign_in
from tests.support.factories import make_clinician, make_post

# serialized_rollback: the roles made by data migrations come back after each test.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]


def related_on_site(page, live_server, post):
    page.goto(live_server.url + post.get_absolute_url())
    return [t.strip() for t in page.locator(".related-reading li > a").all_inner_texts()]


def test_a_keyboard_user_finds_two_articles_by_title_and_orders_them(
    live_server, page, screenshot, csp_violations
):
    dana = make_clinician(username="dana")
    post = make_post(title="Preparing for a session", author=dana)
    make_post(title="Three grounding skills")
    make_post(title="Integration afterwards")
    sign_in(page, live_server, "dana")
    page.goto(f"{live_server.url}/admin/blog/post/{post.pk}/change/")
    table = page.locator("#related_choices-group")
    expect(table.get_by_role("heading")).to_contain_text("Related reading")

    # The autocomplete: focus it, open it with Enter, type part of a title, and once the list
    # shows only that article, Enter to choose it.
    table.locator("#related_choices-0 .select2-selection").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("grounding")
    expect(page.locator(".select2-results").get_by_role("option")).to_have_text(
        ["Three grounding skills"]
    )
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    table.get_by_text(re.compile("add another related article", re.IGNORECASE)).click()
    table.locator("#related_choices-1 .select2-selection").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("integration")
    expect(page.locator(".select2-results").get_by_role("option")).to_have_text(
        ["Integration afterwards"]
    )
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("1")
    screenshot("related-reading-admin")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    assert [str(r) for r in RelatedReading.objects.filter(post=post)] == [
        "Integration afterwards",
        "Three grounding skills",
    ]
    assert related_on_site(page, live_server, post) == [
        "Integration afterwards",
        "Three grounding skills",
    ]
    assert csp_violations == []


def test_choosing_the_article_itself_is_refused_in_words(live_server, page, csp_violations):
    dana = make_clinician(username="dana")
    post = make_post(title="Preparing for a session", author=dana)
    sign_in(page, live_server, "dana")
    page.goto(f"{live_server.url}/admin/blog/post/{post.pk}/change/")

    page.locator("#related_choices-0 .select2-selection").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("preparing")
    expect(page.locator(".select2-results").get_by_role("option")).to_have_text(
        ["Preparing for a session"]
    )
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.get_by_text("An article cannot be its own related reading")).to_be_visible()
    assert not RelatedReading.objects.exists()
    assert csp_violations == []
