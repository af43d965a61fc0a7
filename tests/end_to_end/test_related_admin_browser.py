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


def choose(page, row, typed, title):
    """From the keyboard: focus row `row`'s type-to-find box, open it with Enter, type `typed`,
    and once the list shows only `title`, press Enter to choose it."""
    page.locator(f"#related_choices-{row} .select2-selection").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".select2-container--open .select2-search__field")).to_be_focused()
    page.keyboard.type(typed)
    options = page.locator(".select2-container--open .select2-results__option")
    expect(options).to_have_text([title])
    page.keyboard.press("Enter")


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

    choose(page, 0, "grounding", "Three grounding skills")
    page.keyboard.press("Tab")
    page.keyboard.type("2")
    table.get_by_text(re.compile("add another related article", re.IGNORECASE)).click()
    choose(page, 1, "integration", "Integration afterwards")
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

    choose(page, 0, "preparing", "Preparing for a session")
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.get_by_text("An article cannot be its own related reading")).to_be_visible()
    assert not RelatedReading.objects.exists()
    assert csp_violations == []
