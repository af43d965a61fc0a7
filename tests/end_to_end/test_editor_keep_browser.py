"""Writing is never lost, in a real browser: unsaved text comes back after a reload or an
expired session, and a second clinician's save over the first is refused with both texts kept."""

import time

import pytest
from playwright.sync_api import expect

from editor.models import Autosave
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.factories import make_clinician, make_post
from tests.support.page_checks import RUN_AXE, axe_context, describe_violation

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

SCREENSHOTS = ARTIFACTS / "editor-keep"
KEPT = "() => Object.keys(localStorage).some((key) => key.startsWith('editor-keep:'))"


@pytest.fixture
def clinician():
    return make_clinician(username="dana", first_name="Dana", last_name="Reyes")


@pytest.fixture
def article(clinician):
    return make_post(title="Sleep and mood", body="The saved text.", author=clinician)


def open_article(page, live_server, article):
    page.goto(f"{live_server.url}/admin/blog/post/{article.pk}/change/")
    return page.locator("textarea[name=body]")


def type_unsaved(page, body, text):
    body.fill(text)
    page.wait_for_function(KEPT)  # kept once typing pauses


def test_text_typed_and_not_saved_comes_back_after_a_reload(page, live_server, clinician, article):
    sign_in(page, live_server, clinician.username)
    body = open_article(page, live_server, article)
    type_unsaved(page, body, "An hour of writing, not saved.")

    page.reload()

    notice = page.locator(".editor-keep")  # the upload status beside the text is a status too
    expect(notice).to_contain_text("You have unsaved changes from")
    expect(body).to_have_value("The saved text.")
    page.get_by_role("button", name="Restore").click()
    expect(body).to_have_value("An hour of writing, not saved.")
    expect(page.locator(".markdownx-preview")).to_contain_text("An hour of writing, not saved.")
    expect(notice).to_contain_text("are back in the form. Save to keep them.")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "restored.png"), full_page=True)

    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    page.reload()
    expect(page.get_by_text("You have unsaved changes")).to_have_count(0)  # saved: forgotten
    article.refresh_from_db()
    assert article.body == "An hour of writing, not saved."


def test_discard_drops_the_kept_text(page, live_server, clinician, article):
    sign_in(page, live_server, clinician.username)
    body = open_article(page, live_server, article)
    type_unsaved(page, body, "A false start.")
    page.reload()

    page.get_by_role("button", name="Discard").click()

    expect(page.get_by_text("You have unsaved changes")).to_have_count(0)
    expect(body).to_have_value("The saved text.")
    page.reload()
    expect(page.get_by_text("You have unsaved changes")).to_have_count(0)


def test_text_saved_after_the_session_ended_is_offered_back_after_signing_in(
    context, live_server, clinician, article
):
    page, other_tab = context.new_page(), context.new_page()
    sign_in(page, live_server, clinician.username)
    body = open_article(page, live_server, article)
    type_unsaved(page, body, "Written while the session ran out.")

    other_tab.goto(f"{live_server.url}/admin/")
    other_tab.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.get_by_label("Username")).to_be_visible()  # the sign-in page
    article.refresh_from_db()
    assert article.body == "The saved text."
    sign_in(page, live_server, clinician.username)
    body = open_article(page, live_server, article)
    expect(page.get_by_text("You have unsaved changes from")).to_be_visible()
    page.get_by_role("button", name="Restore").click()
    expect(body).to_have_value("Written while the session ran out.")


def test_a_second_clinicians_save_is_refused_and_both_texts_are_shown(
    browser, live_server, clinician, article
):
    make_clinician(username="sam", first_name="Sam", last_name="Okafor")
    dana_context, sam_context = browser.new_context(), browser.new_context()
    try:
        dana, sam = dana_context.new_page(), sam_context.new_page()
        sign_in(dana, live_server, "dana")
        sign_in(sam, live_server, "sam")
        dana_body = open_article(dana, live_server, article)
        sam_body = open_article(sam, live_server, article)

        dana_body.fill("Dana's paragraph.")
        dana.get_by_role("button", name="Save and continue editing").click()
        expect(dana.locator(".messagelist .success")).to_be_visible()
        sam_body.fill("Sam's rewrite.")
        sam.get_by_role("button", name="Save and continue editing").click()

        expect(sam.get_by_text("Not saved: Dana Reyes saved this article at")).to_be_visible()
        expect(sam.locator("textarea[name=body]")).to_have_value("Sam's rewrite.")
        expect(sam.get_by_label("What Dana Reyes saved")).to_have_value("Dana's paragraph.")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        sam.screenshot(path=str(SCREENSHOTS / "refused.png"), full_page=True)
        article.refresh_from_db()
        assert article.body == "Dana's paragraph."
    finally:
        dana_context.close()
        sam_context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_axe_finds_no_violations_with_the_notice_showing(
    browser, live_server, clinician, article, viewport, scheme
):
    context = axe_context(browser, viewport, scheme)
    try:
        page = context.new_page()
        sign_in(page, live_server, clinician.username)
        body = open_article(page, live_server, article)
        type_unsaved(page, body, "Unsaved words.")
        page.reload()
        expect(page.get_by_text("You have unsaved changes from")).to_be_visible()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"notice-{viewport}-{scheme}.png"), full_page=True)
        problems = [describe_violation("notice", v) for v in page.evaluate(RUN_AXE)]
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_the_editor_sends_a_server_copy_each_minute_and_says_when_signed_out(
    context, live_server, clinician, article
):
    page, other_tab = context.new_page(), context.new_page()
    page.clock.install()
    sign_in(page, live_server, clinician.username)
    body = open_article(page, live_server, article)
    type_unsaved(page, body, "Kept on the server too.")

    page.clock.fast_forward(61_000)

    key = f"/admin/blog/post/{article.pk}/change/"
    copy = wait_for(lambda: Autosave.objects.filter(key=key).first())
    assert copy.fields["body"] == "Kept on the server too."
    article.refresh_from_db()
    assert article.body == "The saved text."  # a copy, never the article

    other_tab.goto(f"{live_server.url}/admin/")
    other_tab.get_by_role("button", name="Log out").click()
    type_unsaved(page, body, "Typed after the session ended.")
    page.clock.fast_forward(61_000)

    expect(page.get_by_role("alert")).to_contain_text(
        "Not signed in: your text is kept in this browser."
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "signed-out.png"))


def wait_for(find, seconds=5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = find()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("not found in time")
