"""The Markdown editor in a real browser: the preview beside the text on a wide screen and under
it on a phone, following the part being edited; live counts that agree with the article's page;
images pasted or dropped into the text, with their upload shown and their alt text selected."""

import base64
import re

import pytest
from playwright.sync_api import expect

from editor.reading_time import word_count
from tests.support.browser import ARTIFACTS, sign_in
from tests.support.factories import make_clinician, make_post, png_bytes
from tests.support.page_checks import RUN_AXE, VIEWPORTS, axe_context, describe_violation

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

WIDE = VIEWPORTS["desktop"]["viewport"]  # 1280×800
PHONE = VIEWPORTS["phone"]["viewport"]  # 360×640
SCREENSHOTS = ARTIFACTS / "editor"
ADD_ARTICLE = "/admin/blog/post/add/"
UPLOADED_IMAGE_CODE = r"!\[Describe this image\]\(/media/uploads/\d{4}/\d{2}/[0-9a-f]{32}\.png\)"


def long_article(sections=8):
    """Sections, each a heading, two paragraphs and a list: far longer than the window."""
    paragraph = (
        "Ketamine-assisted psychotherapy pairs a medicine session with the talking that comes "
        "before and after it. Many people find the days after a session a good time to notice "
        "what has shifted, and to write a few lines about it."
    )
    return "\n\n".join(
        f"## Section {number}\n\n{paragraph}\n\n{paragraph}\n\n- one point\n- another point"
        for number in range(1, sections + 1)
    )


def box(locator):
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not on the page"
    return found


def open_editor(page, live_server, path=ADD_ARTICLE, viewport=WIDE):
    make_clinician(username="dana")
    page.set_viewport_size(viewport)
    sign_in(page, live_server, "dana")
    page.goto(f"{live_server.url}{path}")
    return page.locator("textarea[name=body]"), page.locator(".field-body .markdownx-preview")


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


# --- Beside the text, or under it ----------------------------------------------------------------


def test_on_a_wide_screen_the_preview_is_beside_the_text_and_shows_what_is_typed(
    live_server, page, csp_violations
):
    body, preview = open_editor(page, live_server)

    body.fill("## Winding down\n\nStart **an hour before bed**.")

    expect(preview.get_by_role("heading", level=2)).to_have_text("Winding down")
    expect(preview.locator("strong")).to_have_text("an hour before bed")
    text, shown = box(body), box(preview)
    assert shown["x"] >= text["x"] + text["width"]
    assert abs(shown["y"] - text["y"]) < 2  # side by side, tops aligned
    # Each about half the field's width.
    assert 0.8 < shown["width"] / text["width"] < 1.25
    assert text["width"] > 400
    body.press("End")
    body.press_sequentially("\n\nThen dim the lights.")
    expect(preview.locator("p").last).to_have_text("Then dim the lights.")
    screenshot(page, "editor-wide")
    assert csp_violations == []


def test_on_a_phone_the_preview_is_under_the_text(live_server, page, csp_violations):
    body, preview = open_editor(page, live_server, viewport=PHONE)

    body.fill("## Winding down\n\nStart **an hour before bed**.")

    expect(preview.get_by_role("heading", level=2)).to_have_text("Winding down")
    text, shown = box(body), box(preview)
    assert shown["y"] >= text["y"] + text["height"]
    assert shown["x"] + shown["width"] <= PHONE["width"]
    # Nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    body.scroll_into_view_if_needed()
    screenshot(page, "editor-phone")
    assert csp_violations == []


# Whether a heading of the preview shows whole inside the preview's visible box.
HEADING_IN_PREVIEW = """(name) => {
    const preview = document.querySelector(".field-body .markdownx-preview");
    const heading = [...preview.querySelectorAll("h2")].find((h) => h.textContent === name);
    const outer = preview.getBoundingClientRect();
    const inner = heading.getBoundingClientRect();
    return outer.top <= inner.top && inner.bottom <= outer.bottom;
}"""


def heading_in_preview(page, name):
    return page.evaluate(HEADING_IN_PREVIEW, name)


def wait_for_heading_in_preview(page, name):
    page.wait_for_function(HEADING_IN_PREVIEW, arg=name, timeout=5000)


def move_caret_to(body, text):
    """Put the caret at the start of `text` in the textarea, as a click there would."""
    body.evaluate(
        """(editor, text) => {
            editor.focus();
            const at = editor.value.indexOf(text);
            editor.setSelectionRange(at, at);
        }""",
        text,
    )


def test_the_preview_follows_the_caret_to_the_section_being_edited(
    live_server, page, csp_violations
):
    post = make_post(title="A long article", body=long_article())
    body, preview = open_editor(page, live_server, f"/admin/blog/post/{post.pk}/change/")
    expect(preview.get_by_role("heading", name="Section 8")).to_have_count(1)
    body.scroll_into_view_if_needed()
    window_scroll = page.evaluate("window.scrollY")
    assert not heading_in_preview(page, "Section 6")

    move_caret_to(body, "## Section 6")
    page.keyboard.press("ArrowDown")  # into the section's text, by the keyboard

    wait_for_heading_in_preview(page, "Section 6")
    assert not heading_in_preview(page, "Section 5")  # the section itself, at the top
    screenshot(page, "editor-wide-following")
    # Back to an earlier section: its heading comes back into view, the later one goes.
    move_caret_to(body, "## Section 2")
    page.keyboard.press("ArrowDown")
    wait_for_heading_in_preview(page, "Section 2")
    assert not heading_in_preview(page, "Section 6")
    # Only the preview scrolled, never the page under the clinician's eyes.
    assert page.evaluate("window.scrollY") == window_scroll
    assert csp_violations == []


def test_scrolling_the_text_scrolls_the_preview_alike(live_server, page):
    post = make_post(title="A long article", body=long_article())
    body, preview = open_editor(page, live_server, f"/admin/blog/post/{post.pk}/change/")
    expect(preview.get_by_role("heading", name="Section 8")).to_have_count(1)

    body.evaluate("(editor) => { editor.scrollTop = editor.scrollHeight; }")

    wait_for_heading_in_preview(page, "Section 8")


# --- Counts ------------------------------------------------------------------------------------

COUNTED_TEXTS = [
    "short",
    "word " * 200,  # exactly a minute
    "word " * 201,  # just over: two minutes, as the page rounds up
    # Apostrophes, hyphens, accents composed and not, digits, code and addresses.
    "It's a well-known café — cafe\u0301s too — open 24/7: see [our page](https://example.org/a_b)"
    "\n\n```\nprint('x_y')\n```\n\n" * 60,
    long_article(sections=12),
]


def test_the_counts_under_the_text_say_what_the_articles_page_says(live_server, page):
    posts = [make_post(title=f"Counted {n}", body=text) for n, text in enumerate(COUNTED_TEXTS)]
    make_clinician(username="dana")
    page.set_viewport_size(WIDE)
    shown = {}
    for post in posts:
        page.goto(f"{live_server.url}{post.get_absolute_url()}")
        meta = page.locator(".article__header .post-meta").first.inner_text()
        shown[post.pk] = int(re.search(r"(\d+) min read", meta).group(1))
    sign_in(page, live_server, "dana")
    page.goto(f"{live_server.url}{ADD_ARTICLE}")
    body = page.locator("textarea[name=body]")
    counts = page.locator(".field-body .editor-counts")
    expect(counts).to_have_text("0 words · 1 min read")
    expect(counts).to_have_attribute("aria-live", "polite")

    for post in posts:
        body.fill(post.body)
        words = word_count(post.body)
        noun = "word" if words == 1 else "words"
        expect(counts).to_have_text(f"{words:,} {noun} · {shown[post.pk]} min read")
        assert shown[post.pk] == post.reading_minutes

    assert [shown[post.pk] for post in posts[:3]] == [1, 1, 2]
    assert word_count(COUNTED_TEXTS[-1]) > 1000  # "1,234 words": thousands are grouped


def test_the_counts_follow_typing(live_server, page):
    body, _ = open_editor(page, live_server)
    counts = page.locator(".field-body .editor-counts")

    body.press_sequentially("One two three")

    expect(counts).to_have_text("3 words · 1 min read")


# --- Images pasted or dropped ----------------------------------------------------------------

SEND_FILE = """([how, encoded, name, mimeType]) => {
    const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, {type: mimeType}));
    const editor = document.querySelector("textarea[name=body]");
    if (how === "paste") {
        editor.dispatchEvent(
            new ClipboardEvent("paste", {clipboardData: transfer, bubbles: true, cancelable: true})
        );
    } else {
        for (const type of ["dragenter", "dragover", "drop"]) {
            editor.dispatchEvent(
                new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true})
            );
        }
    }
}"""


def send_file(page, how, data, name, mime_type):
    """Paste a file into the text (as from the clipboard) or drop it there (from the desktop)."""
    page.evaluate(SEND_FILE, [how, base64.b64encode(data).decode(), name, mime_type])


@pytest.mark.parametrize("how", ["paste", "drop"])
def test_an_image_pasted_or_dropped_is_uploaded_with_its_progress_shown_and_its_alt_text_selected(
    live_server, page, csp_violations, tmp_path, settings, how
):
    settings.MEDIA_ROOT = tmp_path
    body, preview = open_editor(page, live_server)
    body.fill("## Winding down\n\nStart early.\n\nThen dim the lights.")
    move_caret_to(body, "Then dim")  # between two paragraphs
    held = []  # the upload, held back until the test has seen its progress
    page.route("**/editor/upload/", lambda route: held.append(route))

    send_file(page, how, png_bytes(), "lamp.png", "image/png")

    status = page.locator(".field-body").get_by_role("status")
    expect(status).to_have_text(re.compile(r"^(Uploading|Preparing) lamp\.png…\s*$"))
    expect(status.get_by_role("progressbar", name=re.compile("lamp.png"))).to_be_visible()
    status.scroll_into_view_if_needed()
    screenshot(page, f"editor-uploading-{how}")
    held[0].continue_()
    expect(status).to_have_text("")
    expect(body).to_have_value(
        re.compile(rf"^## Winding down\n\nStart early\.\n\n{UPLOADED_IMAGE_CODE}Then dim")
    )
    selected = body.evaluate(
        "(e) => [document.activeElement === e, e.value.slice(e.selectionStart, e.selectionEnd)]"
    )
    assert selected == [True, "Describe this image"]

    page.keyboard.type("A lamp on a bedside table")

    expect(body).to_have_value(re.compile(r"!\[A lamp on a bedside table\]\(/media/uploads/"))
    expect(preview.get_by_role("img", name="A lamp on a bedside table")).to_have_count(1)
    assert csp_violations == []


def test_a_refused_file_is_explained_as_before_and_leaves_the_text_alone(
    live_server, page, csp_violations, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    body, _ = open_editor(page, live_server)
    body.fill("Some text.")

    send_file(page, "paste", b"Just some notes, not a picture.\n", "notes.png", "image/png")

    expect(page.get_by_role("alert")).to_contain_text("This file is not a JPEG, PNG or WebP image")
    expect(page.locator(".field-body").get_by_role("status")).to_have_text("")
    expect(body).to_have_value("Some text.")
    assert list(tmp_path.rglob("*.*")) == []
    screenshot(page, "editor-refused-upload")
    assert csp_violations == []


# --- Accessibility ---------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_axe_finds_no_violations_in_the_editor(live_server, browser, viewport, scheme):
    make_clinician(username="dana")
    context = axe_context(browser, viewport, scheme)
    page = context.new_page()
    try:
        sign_in(page, live_server, "dana")
        page.goto(f"{live_server.url}{ADD_ARTICLE}")
        body = page.locator("textarea[name=body]")
        body.fill(long_article() + "\n\n> A quote.\n\nSee [the practice](https://example.org/).")
        preview = page.locator(".field-body .markdownx-preview")
        expect(preview.get_by_role("link", name="the practice")).to_have_count(1)
        move_caret_to(body, "## Section 3")
        page.keyboard.press("ArrowDown")
        body.scroll_into_view_if_needed()
        screenshot(page, f"editor-{viewport}-{scheme}")
        violations = page.evaluate(RUN_AXE)
    finally:
        context.close()
    problems = [describe_violation(f"editor ({viewport}, {scheme})", v) for v in violations]
    assert not problems, f"axe found {len(problems)} problem(s):\n" + "\n".join(problems)
