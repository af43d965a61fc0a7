"""The blog in a real browser: reading a series, writing an article, previewing unpublished
ones, and following a link to the old website to an imported article."""

import base64
import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from blog.models import Post
from tests.support.browser import sign_in
from tests.support.factories import make_clinician, make_post, make_series, png_bytes
from tests.support.wordpress import WORDPRESS, make_old_uploads, run_import

# serialized_rollback: each transactional test starts from the migrated data again, so the
# Clinicians group (made by a data migration) is still there after an earlier test's flush.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

PHONE = {"width": 360, "height": 640}
NEXT_LINK = re.compile(r"^Next:")
UPLOADED_IMAGE_URL = r"/media/uploads/\d{4}/\d{2}/[0-9a-f]{32}\.png"


def drop_file_on(page, selector, data, name, mime_type):
    """Drop a file on an element, as when a file is dragged from the desktop onto it."""
    page.evaluate(
        """([selector, encoded, name, mimeType]) => {
            const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: mimeType}));
            const target = document.querySelector(selector);
            for (const type of ["dragenter", "dragover", "drop"]) {
                target.dispatchEvent(
                    new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true})
                );
            }
        }""",
        [selector, base64.b64encode(data).decode(), name, mime_type],
    )


def test_visitor_reads_a_series_to_the_end_by_following_next_links_skipping_unpublished_parts(
    live_server, page, screenshot, csp_violations
):
    author = make_clinician(username="dana")
    series = make_series(title="Sleep and mood", description="Read them in order.")
    part_1 = make_post(title="Why sleep matters", author=author, series=series, series_position=1)
    part_2 = make_post(
        title="A steady evening routine", author=author, series=series, series_position=2
    )
    draft = make_post(
        title="Notes on dreams", author=author, published_at=None, series=series, series_position=3
    )
    part_4 = make_post(
        title="When nights are hard", author=author, series=series, series_position=4
    )
    scheduled = make_post(
        title="Sleep after a session",
        author=author,
        published_at=timezone.now() + timedelta(days=3),
        series=series,
        series_position=5,
    )
    page.set_viewport_size(PHONE)
    visited = []

    page.goto(f"{live_server.url}{part_1.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(part_1.title)
    expect(page.get_by_text("Part 1 of 3")).to_be_visible()
    visited.append(page.url)
    for number, expected in enumerate([part_2, part_4], start=2):
        page.get_by_role("link", name=f"Next: {expected.title}").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(expected.title)
        expect(page.get_by_text(f"Part {number} of 3")).to_be_visible()
        visited.append(page.url)
        # The unpublished parts appear nowhere: not as Next, not in the series contents.
        expect(page.get_by_text(draft.title)).to_have_count(0)
        expect(page.get_by_text(scheduled.title)).to_have_count(0)

    assert visited == [
        f"{live_server.url}{post.get_absolute_url()}" for post in (part_1, part_2, part_4)
    ]
    expect(page.get_by_role("link", name=NEXT_LINK)).to_have_count(0)
    expect(page.get_by_text(f"You have reached the end of “{series.title}”")).to_be_visible()
    contents_link = page.get_by_role("link", name="See all parts of the series")
    expect(contents_link).to_be_visible()
    screenshot("blog-series-last-part-phone")

    contents_link.click()
    expect(page).to_have_url(f"{live_server.url}{series.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text(series.title)
    expect(page.locator("ol.series-toc").get_by_role("link")).to_have_text(
        [part_1.title, part_2.title, part_4.title]
    )
    assert csp_violations == []


def test_clinician_writes_an_article_with_an_image_and_adds_it_to_a_series(
    live_server, page, screenshot, csp_violations, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    make_clinician(username="dana")
    author = make_clinician(username="sam")
    series = make_series(title="Sleep and mood", description="Read them in order.")
    part_1 = make_post(title="Why sleep matters", author=author, series=series, series_position=1)
    part_3 = make_post(
        title="When nights are hard", author=author, series=series, series_position=3
    )
    title = "A steady evening routine"

    sign_in(page, live_server, "dana")
    page.goto(f"{live_server.url}/admin/blog/post/add/")
    page.get_by_label("Title:", exact=True).press_sequentially(title)
    expect(page.get_by_label("Slug:", exact=True)).to_have_value("a-steady-evening-routine")
    page.get_by_label("Summary:", exact=True).fill("Small habits that help you wind down.")

    body = page.locator("textarea[name=body]")
    body.fill("## Winding down\n\nStart **an hour before bed**.\n\n")
    preview = page.locator(".markdownx-preview")
    expect(preview.get_by_role("heading", level=2)).to_have_text("Winding down")
    expect(preview.locator("strong")).to_have_text("an hour before bed")

    body.evaluate("(editor) => { editor.focus(); editor.selectionStart = editor.value.length; }")
    drop_file_on(page, "textarea[name=body]", png_bytes(), "lamp.png", "image/png")
    image_code = rf"!\[Describe this image\]\({UPLOADED_IMAGE_URL}\)"
    expect(body).to_have_value(re.compile(rf"before bed\*\*\.\n\n{image_code}$"))
    image_url = re.search(UPLOADED_IMAGE_URL, body.input_value()).group()
    assert (tmp_path / image_url.removeprefix("/media/")).is_file()
    preview_image = preview.get_by_role("img", name="Describe this image")
    expect(preview_image).to_have_attribute("src", image_url)
    # The preview keeps what was written before the image.
    expect(preview.locator("strong")).to_have_text("an hour before bed")

    publication = page.locator(".field-published_at")
    publication.get_by_role("link", name="Today").click()
    publication.get_by_role("link", name="Now").click()
    page.get_by_label("Series:", exact=True).select_option(label=series.title)
    page.get_by_label("Part:", exact=True).fill("2")
    screenshot("blog-admin-add-article-with-preview")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text(f"The article “{title}” was added successfully.")).to_be_visible()
    post = Post.objects.get(slug="a-steady-evening-routine")
    assert (post.series, post.series_position, post.state) == (series, 2, "Waiting for review")
    page.get_by_role("button", name="Log out").click()

    # Not public until another clinician approves it: Sam does, on the article's page.
    page.goto(f"{live_server.url}/blog/")
    expect(page.get_by_role("link", name=title)).to_have_count(0)
    sign_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/admin/blog/post/{post.pk}/change/")
    page.get_by_label("I have reviewed this article and approve it").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Approved: readers will see your review.")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    # A visitor now finds it on the public site.
    page.goto(f"{live_server.url}/blog/")
    expect(page.get_by_role("link", name=title)).to_be_visible()
    page.goto(f"{live_server.url}{series.get_absolute_url()}")
    expect(page.locator("ol.series-toc").get_by_role("link")).to_have_text(
        [part_1.title, title, part_3.title]
    )
    page.goto(f"{live_server.url}{part_1.get_absolute_url()}")
    page.get_by_role("link", name=f"Next: {title}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Part 2 of 3")).to_be_visible()
    article = page.get_by_role("article")
    expect(article.get_by_role("heading", level=2)).to_have_text("Winding down")
    expect(article.get_by_role("img", name="Describe this image")).to_have_attribute(
        "src", image_url
    )
    expect(page.get_by_role("link", name=f"Next: {part_3.title}")).to_be_visible()
    assert csp_violations == []


@pytest.mark.parametrize(
    ("published_at", "banner"),
    [
        (None, "Draft preview — not public."),
        (timezone.now() + timedelta(days=7), "Scheduled preview — not public."),
    ],
    ids=["draft", "scheduled"],
)
def test_unpublished_article_is_not_found_by_visitors_but_clinicians_preview_it(
    live_server, page, csp_violations, published_at, banner
):
    make_clinician(username="dana")
    author = make_clinician(username="sam")
    post = make_post(title="What our room looks like", author=author, published_at=published_at)
    url = f"{live_server.url}{post.get_absolute_url()}"

    response = page.goto(url)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We couldn’t find that page")
    expect(page.get_by_text(post.title)).to_have_count(0)

    sign_in(page, live_server, "dana")
    response = page.goto(url)
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text(post.title)
    expect(page.get_by_role("status")).to_contain_text(banner)
    assert csp_violations == []


def test_a_refused_image_upload_is_explained_to_the_clinician(
    live_server, page, settings, tmp_path, csp_violations
):
    settings.MEDIA_ROOT = tmp_path
    make_clinician(username="dana")
    sign_in(page, live_server, "dana")
    page.goto(f"{live_server.url}/admin/blog/post/add/")
    body = page.locator("textarea[name=body]")
    body.fill("Some text.")

    drop_file_on(
        page, "textarea[name=body]", b"<html><script>x</script></html>", "a.jpg", "image/jpeg"
    )

    expect(page.get_by_role("alert")).to_contain_text("This file is not a JPEG, PNG or WebP image")
    expect(body).not_to_have_value(re.compile("Invalid response"))
    expect(body).to_have_value(re.compile("Some text."))
    assert list(tmp_path.rglob("*.*")) == []
    assert csp_violations == []


# --- In a real browser ---------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reader_following_an_old_link_lands_on_the_imported_article(
    live_server, page, tmp_path, screenshot, csp_violations
):
    make_clinician("dana", email="dana@oldpractice.example")
    make_clinician("samira", email="sam@clearwater.example")
    run_import(WORDPRESS, media_dir=make_old_uploads(tmp_path / "old-uploads"))

    # A bookmark or a search result from the old site, trailing slash and all.
    response = page.goto(f"{live_server.url}/2024/05/03/calmer-mornings/")

    assert response.status == HTTPStatus.OK
    assert response.request.redirected_from.url.endswith("/2024/05/03/calmer-mornings/")
    expect(page).to_have_url(f"{live_server.url}/blog/calmer-mornings/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Five small steps toward calmer mornings"
    )
    photo = page.get_by_role("img", name="A path along a quiet lake at sunrise")
    expect(photo).to_be_visible()
    # The image is lazy: it loads once scrolled near, which may be after the page's load event.
    photo.scroll_into_view_if_needed()
    # It has sized copies: the browser picks the one for a 37rem column (592 px) and decodes it.
    chosen, width = photo.evaluate(
        """async (image) => {
            await image.decode();
            const copy = new Image();
            copy.src = image.currentSrc;
            await copy.decode();
            return [image.currentSrc, copy.naturalWidth];
        }"""
    )
    assert "-640w." in chosen
    assert width == 640
    expect(page.get_by_role("link", name="Embedded content from www.youtube.com")).to_be_visible()
    expect(page.locator(".prose iframe, .prose script, .prose [style]")).to_have_count(0)
    screenshot("import-old-link-to-article")

    # WordPress's short link leads to the same article.
    page.goto(f"{live_server.url}/?p=101")
    expect(page).to_have_url(f"{live_server.url}/blog/calmer-mornings/")
    assert csp_violations == []
