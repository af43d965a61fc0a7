"""What browser tests share: where their screenshots go, and staff signing in through the
admin's login form in Debian's chromium (Playwright)."""

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
