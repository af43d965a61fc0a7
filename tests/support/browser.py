"""What browser tests share: where their screenshots go, staff signing in through the admin's
login form in Debian's chromium (Playwright), a visitor answering the consultation form's first
question, and following the keyboard focus."""

from pathlib import Path

from playwright.sync_api import expect

from tests.support.factories import PASSWORD

# Screenshots for people to look at (the `screenshot` fixture, the page checks).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


AGE_LABELS = {"adult": "I am 18 or older", "under_18": "I am under 18"}


def answer_the_first_question(page, location="OR", age="adult"):
    """Where the visitor will be (a postal code, or "outside") and their age, on the
    consultation form. Oregon and 18 or older: someone the practice sees (or, with no states
    set, where nobody is turned away for their place)."""
    page.get_by_label("Where will you be during your sessions?").select_option(location)
    page.get_by_label(AGE_LABELS[age]).check()


def focused(page):
    """What has the keyboard focus: a form control's id, otherwise its name or its text."""
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            return element.id || element.getAttribute("name") || element.textContent.trim();
        }"""
    )


def tab_to(page, target, stops, limit=60):
    """Press Tab until `target` (an id, a name or a text) has the focus, noting every stop on
    the way in `stops`; fails the test when it never comes."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(focused(page))
        if stops[-1] == target:
            return
    raise AssertionError(f"Tab never reached {target!r}; it went through {stops}")
