"""The checker the sanitizer tests rely on must itself catch what it claims to."""

import pytest

from tests.support.html_checks import active_content


@pytest.mark.parametrize(
    "markup",
    [
        pytest.param("<script>alert(1)</script>", id="script"),
        pytest.param("<p onclick=x>", id="event-handler"),
        pytest.param('<p style="color:red">', id="style-attribute"),
        pytest.param('<a href="java&#x09;script:alert(1)">', id="entity-tab-in-scheme"),
        pytest.param('<a href="\x01JAVA\nSCRIPT:alert(1)">', id="controls-in-scheme"),
        pytest.param('<img src=" data:image/png;base64,AA">', id="data-src"),
        pytest.param('<a href="x" target="_blank">', id="attribute-off-the-allowlist"),
        pytest.param("<!-- hi -->", id="comment"),
    ],
)
def test_the_checker_itself_catches_active_content(markup):
    assert active_content(markup) != []


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="https://a.test/" rel="noopener noreferrer">x</a>',
        '<a href="/notes/10:30/?at=a:b">x</a>',
        '<a href="mailto:a@b.test">x</a> <a href="TEL:+1555">y</a> <a href="#top">z</a>',
        '<img src="/media/a.jpg" alt="A room" width="10">',
    ],
)
def test_the_checker_itself_lets_safe_markup_through(markup):
    assert active_content(markup) == []
