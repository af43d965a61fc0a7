"""Editable pages (About, Services, FAQ…): Markdown, sanitized, in the site's shell."""

from http import HTTPStatus

import pytest

from tests.support.factories import make_page

pytestmark = pytest.mark.django_db


def test_page_renders_its_markdown(client):
    make_page(
        body=(
            "## Our approach\n\nWe go at **your** pace.\n\n"
            "| Service | Fee |\n|---|---|\n| Call | Free |"
        )
    )

    response = client.get("/pages/about/")

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<h2>Our approach</h2>" in html
    assert "<strong>your</strong>" in html
    assert "<td>Free</td>" in html


def test_page_content_is_sanitized(client):
    make_page(
        body=(
            "Hello <script>alert(1)</script>\n\n"
            '<img src="x" onerror="alert(2)">\n\n'
            "[trap](javascript:alert(3))\n\n"
            '<iframe src="https://example.com"></iframe>\n\n'
            "[site](https://example.com)"
        )
    )

    html = client.get("/pages/about/").content.decode()

    assert "<script>alert(1)" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert "<iframe" not in html
    assert '<a href="https://example.com" rel="noopener noreferrer">site</a>' in html


def test_page_title_is_escaped(client):
    make_page(title="Fees <b>& insurance</b>")

    html = client.get("/pages/about/").content.decode()

    assert "<h1>Fees &lt;b&gt;&amp; insurance&lt;/b&gt;</h1>" in html


def test_pages_share_the_site_shell(client):
    make_page()

    html = client.get("/pages/about/").content.decode()

    assert 'class="skip-link" href="#main"' in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert '<main id="main"' in html
    assert "If you are in crisis, call or text" in html
    assert "<script" not in html
