import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.support.factories import PASSWORD, make_clinician, make_page

# serialized_rollback: the roles made by data migrations come back after each test.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]


def test_visitor_opens_home_and_follows_navigation_to_a_page(
    live_server, page, screenshot, csp_violations
):
    call_command("load_demo")
    page.set_viewport_size({"width": 360, "height": 640})

    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Therapy that goes at your pace")
    screenshot("home-phone")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="About").click()

    expect(page).to_have_url(re.compile(r"/pages/about/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("About us")
    screenshot("about-phone")
    assert csp_violations == []


def test_keyboard_user_can_skip_to_the_content(live_server, page):
    page.goto(live_server.url)

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()


def test_clinician_previews_a_page_in_the_admin_editor(live_server, page, csp_violations):
    make_clinician(username="dana")
    about = make_page(body="We are a small practice.")

    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/pages/page/{about.pk}/change/")
    page.locator("textarea[name=body]").fill("## Our rooms\n\nQuiet and **warm**.")

    preview = page.locator(".markdownx-preview")
    expect(preview.locator("h2")).to_have_text("Our rooms")
    expect(preview.locator("strong")).to_have_text("warm")
    assert csp_violations == []
