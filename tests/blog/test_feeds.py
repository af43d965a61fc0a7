"""Feeds, sitemap, robots.txt and what search engines and link previews read."""

import html
import io
import json
import re
from html.parser import HTMLParser
from http import HTTPStatus
from xml.etree import ElementTree

import feedparser
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from blog.models import Post
from images.uploads import store_editor_image
from pages.models import Page
from tests.images.test_uploads import image_bytes
from tests.support.factories import make_clinician, make_page, make_post, make_series, make_topic
from tests.support.sitemaps import sitemap_urls
from tests.support.wordpress import WORDPRESS

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return make_post(
        title="What is KAP?",
        slug="what-is-kap",
        summary="A gentle introduction.",
        body="Read [the FAQ](/pages/faq/).\n\n![A quiet room](/media/uploads/room.png)",
        series=make_series(),
        series_position=1,
        topics=[make_topic()],
    )


@pytest.mark.parametrize("url", ["/blog/feed/", "/blog/feed/atom/"])
def test_feeds_carry_the_full_text_with_absolute_links(client, article, url):
    response = client.get(url)

    assert response.status_code == HTTPStatus.OK
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    entry = feed.entries[0]
    assert entry.title == "What is KAP?"
    assert entry.link == "http://testserver/blog/what-is-kap/"
    content = entry.content[0].value
    assert 'href="http://testserver/pages/faq/"' in content
    assert 'src="http://testserver/media/uploads/room.png"' in content
    assert "A gentle introduction." in entry.summary
    assert [tag.term for tag in entry.tags] == ["Getting started"]


def test_a_feed_gives_every_size_of_an_uploaded_image_an_absolute_address(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    url = store_editor_image(
        SimpleUploadedFile("room.jpg", image_bytes("JPEG", size=(1000, 600)), "image/jpeg")
    )
    make_post(body=f"![A quiet room]({url})")

    content = html.unescape(client.get("/blog/feed/").content.decode())

    stem = f"http://testserver{url.removesuffix('.jpg')}"
    assert f'srcset="{stem}-480w.avif 480w, {stem}-800w.avif 800w, {stem}-1000w.avif 1000w"' in (
        content
    )
    assert 'srcset="/' not in content and ", /media/" not in content


HOSTILE_SUMMARY = '<img src=x onerror=alert(1)> See <a href="javascript:alert(2)">this</a> & more'
ATOM = "{http://www.w3.org/2005/Atom}"


def elements_in(html):
    """The HTML elements a feed reader would build from `html`."""
    found = []
    parser = HTMLParser()
    parser.handle_starttag = lambda tag, attrs: found.append(tag)
    parser.feed(html)
    parser.close()
    return found


def feed_summaries(client):
    rss = ElementTree.fromstring(client.get("/blog/feed/").content)
    atom = ElementTree.fromstring(client.get("/blog/feed/atom/").content)
    return [
        rss.find("channel/item/description").text,
        atom.find(f"{ATOM}entry/{ATOM}summary").text,
    ]


def test_feed_summaries_are_plain_text_to_feed_readers(client):
    make_post(summary=HOSTILE_SUMMARY)

    for summary in feed_summaries(client):
        # Readers treat these as HTML: escaped once, they show the words and build nothing.
        assert elements_in(summary) == []
        assert html.unescape(summary) == HOSTILE_SUMMARY


def test_an_imported_excerpt_becomes_plain_text_everywhere(client, tmp_path):
    make_clinician("dana", email="dana@oldpractice.example")
    export = tmp_path / "export.xml"
    excerpt = "&lt;script&gt;alert(1)&lt;/script&gt; Mornings, <b>gently</b>."
    export.write_text(
        WORDPRESS.read_text().replace(
            "<p>A gentle <em>five-minute</em> routine for anxious mornings.</p>", excerpt
        )
    )
    call_command("import_wordpress", str(export), author="dana", stdout=io.StringIO())
    post = Post.objects.get(slug="calmer-mornings")

    page = client.get(post.get_absolute_url()).content.decode()

    assert post.summary == "<script>alert(1)</script> Mornings, gently ."
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Mornings" in page  # shown as the words they are
    for summary in feed_summaries(client):
        assert elements_in(summary) == []


def test_rss_is_rss_2_and_atom_is_atom(client, article):
    assert feedparser.parse(client.get("/blog/feed/").content).version == "rss20"
    assert feedparser.parse(client.get("/blog/feed/atom/").content).version == "atom10"


def test_sitemap_is_valid_xml_listing_public_pages_with_lastmod(client, article):
    make_page(address="about")

    entries = dict(sitemap_urls(client))

    for path in [
        "/",
        "/blog/",
        "/blog/what-is-kap/",
        "/blog/series/understanding-kap/",
        "/blog/topic/getting-started/",
        "/pages/about/",
    ]:
        assert entries[f"http://testserver{path}"] is not None, path


def test_sitemap_leaves_out_pages_that_need_a_sign_in(client):
    make_page(address="staff-only", staff_only=True)

    assert "http://testserver/pages/staff-only/" not in dict(sitemap_urls(client))
    assert Page.objects.filter(address="staff-only").exists()


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()


def test_article_page_has_canonical_description_open_graph_and_json_ld(client, article):
    html = client.get("/blog/what-is-kap/?utm_source=newsletter").content.decode()

    assert '<link rel="canonical" href="http://testserver/blog/what-is-kap/">' in html
    assert '<meta name="description" content="A gentle introduction.">' in html
    assert '<meta property="og:title" content="What is KAP?">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(block)
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "What is KAP?"
    assert data["url"] == "http://testserver/blog/what-is-kap/"
    assert data["isPartOf"]["name"] == "Understanding KAP"


def test_seo_fields_override_title_and_description(client):
    post = make_post(seo_title="KAP explained", seo_description="Short and clear.")

    html = client.get(post.get_absolute_url()).content.decode()

    assert "<title>KAP explained · Clearwater Psychotherapy</title>" in html
    assert '<meta name="description" content="Short and clear.">' in html


def test_json_ld_cannot_break_out_of_its_script_block(client):
    post = make_post(title="</script><script>alert(1)</script>")

    html = client.get(post.get_absolute_url()).content.decode()

    assert "<script>alert(1)" not in html
    assert html.count("</script>") == 1


def test_the_sitemap_is_djangos_own_with_its_paging_and_headers(client):
    make_post(slug="what-is-kap")

    index = client.get("/sitemap.xml")
    first = client.get("/sitemap-posts.xml")
    past_the_end = client.get("/sitemap-posts.xml?p=2")

    assert index["X-Robots-Tag"] == first["X-Robots-Tag"] == "noindex, noodp, noarchive"
    assert b"<loc>http://testserver/sitemap-posts.xml</loc>" in index.content
    assert b"<loc>http://testserver/blog/what-is-kap/</loc>" in first.content
    assert past_the_end.status_code == HTTPStatus.NOT_FOUND
