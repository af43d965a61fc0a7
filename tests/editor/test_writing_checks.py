"""Editors are warned (never blocked) about inaccessible writing, unsafe wording and hard reading,
and images get their sizes."""

import io
import re
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from blog.models import Post
from editor.checks import accessibility_warnings
from editor.markdown import render
from images.sizes import COLUMN_SIZES
from images.uploads import store_editor_image
from tests.support.factories import make_clinician, make_page, make_post, post_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<p><img src="/m/a.png" alt=""></p>', "no description (alt text)"),
        ('<p><img src="/m/a.png" alt="Describe this image"></p>', "still says “Describe this"),
        ("<h1>Again</h1>", "top-level heading"),
        ("<h2>A</h2><h4>B</h4>", "jumps from level 2 to level 4"),
        ("<h3>B</h3>", "jumps from level 1 to level 3"),
        ('<p><a href="/fees/">click here</a></p>', "A link says only “click here”"),
        ('<p><a href="/x/">Read more.</a></p>', "A link says only “Read more.”"),
        ('<p><a href="https://e.test/a">https://e.test/a</a></p>', "bare web address"),
    ],
)
def test_each_problem_gets_a_plain_warning(html, expected):
    warnings = accessibility_warnings(html)

    assert any(expected in warning for warning in warnings), warnings


def test_good_writing_gets_no_warnings():
    html = (
        "<h2>Before</h2><h3>Sleep</h3><h2>After</h2>"
        '<p><img src="/m/a.png" alt="A quiet room"> <a href="/pages/fees/">our fees</a></p>'
    )

    assert accessibility_warnings(html, summary="A short summary.") == []


def test_a_sources_address_in_the_references_is_no_bare_address_warning():
    html = render("Sessions last two hours.[^1]\n\n[^1]: A study, https://example.org/kap")

    assert accessibility_warnings(html) == []
    assert any(
        "bare web address" in w for w in accessibility_warnings(render("<https://e.test/a>"))
    )


def test_an_empty_summary_is_mentioned_for_articles():
    assert any("summary is empty" in w for w in accessibility_warnings("<p>x</p>", summary=""))


def test_saving_an_article_warns_but_still_saves(client):
    clinician = make_clinician()
    client.force_login(clinician)
    now = timezone.localtime()

    response = client.post(
        "/admin/blog/post/add/",
        {
            "title": "Sleep",
            "slug": "sleep",
            "summary": "",
            "body": "# Sleep\n\n[click here](/pages/fees/)",
            "author": clinician.pk,
            "published_at_0": now.strftime("%Y-%m-%d"),
            "published_at_1": now.strftime("%H:%M:%S"),
            "related_choices-TOTAL_FORMS": "0",  # no related reading chosen
            "related_choices-INITIAL_FORMS": "0",
        },
        follow=True,
    )

    assert response.status_code == HTTPStatus.OK
    assert Post.objects.filter(slug="sleep").exists()
    texts = [str(m) for m in response.context["messages"]]
    assert any("top-level heading" in t for t in texts)
    assert any("click here" in t for t in texts)
    assert any("summary is empty" in t for t in texts)


def test_saving_a_page_warns_too(client):
    page = make_page(body="Hello")
    client.force_login(make_clinician())

    response = client.post(
        f"/admin/pages/page/{page.pk}/change/",
        {
            "address": "about",
            "title": "About us",
            "body": "#### Deep\n\nhttps://x.test",
            "opened_version": page.edit_version,
        },
        follow=True,
    )

    texts = [str(m) for m in response.context["messages"]]
    assert any("jumps from level 1 to level 4" in t for t in texts)


def test_uploaded_images_in_an_article_get_width_height_and_lazy_loading():
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), "#5f7f7a").save(buffer, format="PNG")
    url = store_editor_image(SimpleUploadedFile("a.png", buffer.getvalue(), "image/png"))

    post = make_post(body=f"![A green wall]({url})\n\n![Elsewhere](https://example.com/b.png)")

    stem = url.removesuffix(".png")
    assert (
        f'<img src="{url}" srcset="{stem}-480w.png 480w, {url} 640w" sizes="{COLUMN_SIZES}" '
        'alt="A green wall" width="640" height="360" loading="lazy" decoding="async"></picture>'
    ) in post.body_html
    assert '<img src="https://example.com/b.png" alt="Elsewhere">' in post.body_html


def test_saving_an_article_warns_about_unsafe_wording_naming_the_words_and_the_source(client):
    clinician = make_clinician()
    client.force_login(clinician)
    body = (
        "## Hope\n\nHer brother committed suicide two years ago. Ketamine is FDA-approved "
        "and cures depression."
    )

    response = client.post(
        "/admin/blog/post/add/",
        post_form(author=clinician.pk, body=body, slug="hope"),
        follow=True,
    )

    assert Post.objects.filter(slug="hope").exists()  # a warning never stops the save
    texts = [str(m) for m in response.context["messages"]]
    (suicide,) = [t for t in texts if "“committed suicide”" in t]
    assert "died by suicide" in suicide and "reportingonsuicide.org" in suicide
    assert any("988" in t for t in texts)
    assert any("FDA" in t and "esketamine" in t.lower() for t in texts)
    assert any("“cures”" in t for t in texts)


def test_died_by_suicide_with_the_crisis_line_gets_no_safe_messaging_warning(client):
    clinician = make_clinician()
    client.force_login(clinician)
    body = "## Hope\n\nHer brother died by suicide. If you are struggling, call or text 988."

    response = client.post(
        "/admin/blog/post/add/", post_form(author=clinician.pk, body=body), follow=True
    )

    texts = [str(m) for m in response.context["messages"]]
    assert not [t for t in texts if "suicide" in t or "988" in t]


def test_the_article_page_shows_its_reading_grade_and_longest_sentences_above_grade_9(client):
    client.force_login(make_clinician())
    easy = make_post(body="We sit with you. You rest. We talk first.")
    hard = make_post(
        body="Notwithstanding considerable methodological heterogeneity, contemporary "
        "randomized evidence consistently indicates that subanesthetic ketamine administration "
        "precipitates clinically meaningful amelioration of treatment-resistant symptomatology."
    )

    easy_page = client.get(f"/admin/blog/post/{easy.pk}/change/").content.decode()
    hard_page = client.get(f"/admin/blog/post/{hard.pk}/change/").content.decode()

    assert "Reading grade" in easy_page and "easy for most readers" in easy_page
    assert re.search(r"\d+\.\d \(Flesch–Kincaid\): above grade 9", hard_page)
    assert "<li>Notwithstanding considerable methodological heterogeneity" in hard_page


def test_saving_a_page_warns_about_health_claims(client):
    page = make_page(body="Hello")
    client.force_login(make_clinician())

    response = client.post(
        f"/admin/pages/page/{page.pk}/change/",
        {
            "address": "about",
            "title": "About us",
            "body": "Our care is guaranteed to work.",
            "opened_version": page.edit_version,
        },
        follow=True,
    )

    texts = [str(m) for m in response.context["messages"]]
    assert any("“guaranteed”" in t for t in texts)
