"""Footnotes: a numbered "References" list with links both ways, ids only in the footnotes' own
forms whatever the labels say, the cited addresses for structured data, and the same bounds as
any other text."""

import cmarkgfm
import pytest
from django.core.exceptions import ValidationError

from editor import footnotes
from editor.checks import accessibility_warnings
from editor.markdown import (
    EXTENSIONS,
    MAX_HTML_CHARACTERS,
    OPTIONS,
    _sanitized,
    reference_links,
    render,
    stored_html,
)
from tests.editor.footnote_ids import broken_footnote_links, id_problems, ids
from tests.support.html_checks import active_content

REL = ' rel="noopener noreferrer"'
BACK = "↩\ufe0e"


def test_a_footnote_becomes_a_numbered_reference_with_a_link_back():
    html = render("Sessions last about two hours[^1].\n\n[^1]: Smith, https://example.org/kap\n")

    assert html == (
        f'<p>Sessions last about two hours<a href="#fn-1" id="fnref-1" aria-label="Reference 1"'
        f"{REL}><sup>1</sup></a>.</p>\n"
        "<section>\n<h2>References</h2>\n<ol>\n"
        f'<li id="fn-1">\n<p>Smith, <a href="https://example.org/kap"{REL}>'
        "https://example.org/kap</a> "
        f'<a href="#fnref-1" aria-label="Back to reference 1 in the text"{REL}>{BACK}</a></p>\n'
        "</li>\n</ol>\n</section>\n"
    )


def test_notes_are_numbered_in_the_order_first_cited_and_each_citation_has_a_link_back():
    html = render("A[^second] b[^first] c[^second].\n\n[^first]: First.\n[^second]: Second.\n")

    assert ids(html) == [
        ("a", "fnref-1"), ("a", "fnref-2"), ("a", "fnref-1-2"), ("li", "fn-1"), ("li", "fn-2"),
    ]  # fmt: skip
    assert '<a href="#fn-1" id="fnref-1-2" aria-label="Reference 1"' in html
    assert '<li id="fn-1">\n<p>Second. <a href="#fnref-1"' in html
    assert (
        f'<a href="#fnref-1-2" aria-label="Back to reference 1 in the text, citation 2"{REL}>'
        f"{BACK}<sup>2</sup></a>"
    ) in html
    assert id_problems(html) == []


def test_a_note_never_cited_is_left_out_and_a_citation_without_a_note_stays_text():
    html = render("Cited[^a], not a note[^missing].\n\n[^a]: Here.\n\n[^unused]: Never cited.\n")

    assert "Never cited" not in html
    assert "not a note[^missing]." in html
    assert html.count("<li") == 1


@pytest.mark.parametrize(
    "label",
    [
        "1-2",  # cmark would give its id to the second citation of [^1] too
        "<b>x</b>",
        "x&amp;",
        "__proto__",
        "cookie",
        "location",
        "fn-1",
        "ü",
        "a" * 999,
    ],
)
def test_ids_come_from_the_numbers_never_from_the_labels(label):
    html = render(f"a[^1] b[^{label}] c[^1]\n\n[^1]: one\n[^{label}]: two\n")

    assert id_problems(html) == []
    assert [value for _tag, value in ids(html)] == [
        "fnref-1", "fnref-2", "fnref-1-2", "fn-1", "fn-2",
    ]  # fmt: skip
    assert active_content(html) == []


@pytest.mark.parametrize(
    "text",
    [
        "Cited[^b].\n\n[^a]: Never cited, but cites [^b].\n[^b]: A note.",
        "[^a]: Cites itself[^a].\n\nCited[^a].",
        "Cited[^a].\n\n[^a]: Cites [^b] twice[^b].\n[^b]: Only cited in a note.",
        "x\n\n[^1-2]: [^a]\n\n[^1]: [^c][^c]\n\n[^c]: text\n\n    **[^c][^[^a]",
    ],
)
def test_every_citation_and_back_link_leads_somewhere_on_the_page(text):
    html = render(text)

    assert broken_footnote_links(html) == []
    assert id_problems(html) == []


def test_the_reference_list_can_hold_what_any_text_can():
    html = render(
        "Cited[^1].\n\n"
        "[^1]: A quote:\n\n"
        "    > Calm *words*, [a source](https://example.org/) and `code`.\n\n"
        "    - a list\n"
    )

    assert "<blockquote>" in html and "<em>words</em>" in html and "<ul>" in html
    assert f'<a href="#fnref-1" aria-label="Back to reference 1 in the text"{REL}>' in html


def test_bare_addresses_become_links_in_the_references_only():
    html = render(
        "See https://example.org/body[^1].\n\n"
        "[^1]: Smith (https://a.test/x_(y)), https://b.test/?a=1&b=2. Also “https://c.test/”, "
        "`https://d.test/`, [named](https://e.test/) and http://f.test:8080/p; done.\n"
    )

    assert "See https://example.org/body<a" in html  # the article's own text is as it was
    assert f'(<a href="https://a.test/x_(y)"{REL}>https://a.test/x_(y)</a>),' in html
    assert f'<a href="https://b.test/?a=1&amp;b=2"{REL}>https://b.test/?a=1&amp;b=2</a>.' in html
    assert f'“<a href="https://c.test/"{REL}>https://c.test/</a>”' in html
    assert "<code>https://d.test/</code>" in html
    assert f'<a href="https://e.test/"{REL}>named</a>' in html
    assert f'<a href="http://f.test:8080/p"{REL}>http://f.test:8080/p</a>; done.' in html


def test_reference_links_lists_the_cited_addresses_in_order_once_each():
    html = stored_html(
        "Body [link](https://example.org/not-cited)[^b] and[^a] again[^b].\n\n"
        "[^a]: [Study](https://b.test/?x=1&y=2), also https://c.test/ and [mail](mailto:a@b.test)\n"
        "[^b]: https://a.test/one, [relative](/pages/fees/), [fragment](#top), "
        "[ftp](ftp://x.test/) and https://c.test/ again\n"
    )

    assert reference_links(html) == [
        "https://a.test/one",
        "https://c.test/",
        "https://b.test/?x=1&y=2",
    ]
    assert footnotes.reference_links is reference_links


def test_an_article_without_references_cites_nothing():
    assert reference_links(render("Just [a link](https://example.org/).")) == []
    assert reference_links("") == []


def test_the_references_heading_fits_the_articles_outline():
    html = render("## Before\n\n### Detail[^1]\n\n[^1]: A source.\n")

    assert "<h2>References</h2>" in html
    assert accessibility_warnings(html, summary="A summary.") == []


@pytest.mark.parametrize(
    "markup",
    [
        '<p id="fn-1">x</p>',
        '<li id="fnx-1">x</li>',
        '<li id="fn-1 fn-2">x</li>',
        '<li id="fn-01">x</li>',
        '<li id="fnref-1">x</li>',
        '<a id="fn-1" href="#x">x</a>',
        '<a id="fnref-1-" href="#x">x</a>',
        '<a id="cookie" href="#x">x</a>',
        '<a aria-label="Reference 1 <b>" href="#x">x</a>',
        '<a aria-label="Click me" href="#x">x</a>',
        '<li aria-label="Reference 1">x</li>',
        '<section id="fn-1" class="footnotes" data-footnotes>x</section>',
        '<sup id="fnref-1" class="footnote-ref" onclick="alert(1)">1</sup>',
        '<h2 id="references">References</h2>',
    ],
)
def test_the_sanitizer_keeps_no_id_or_label_but_the_footnotes_own(markup):
    html = _sanitized(markup)

    assert ids(html) == []
    assert "aria-label" not in html
    assert "class=" not in html and "data-" not in html and "onclick" not in html


def test_the_sanitizer_keeps_the_footnotes_own_ids_and_labels():
    markup = (
        '<a href="#fn-12" id="fnref-12-3" aria-label="Reference 12"><sup>12</sup></a>'
        '<section><h2>References</h2><ol><li id="fn-12"><a href="#fnref-12-3" '
        'aria-label="Back to reference 12 in the text, citation 3">x</a></li></ol></section>'
    )

    assert _sanitized(markup) == markup.replace("><sup>", f"{REL}><sup>").replace(
        '3">x', f'3"{REL}>x'
    )


def test_a_note_cited_over_and_over_is_refused_in_words():
    with pytest.raises(ValidationError) as refused:
        render("[^a]: a note\n\n" + "[^a]" * 60_000)

    assert refused.value.code == "too_large"
    assert "a note cited very many times" in refused.value.messages[0]


def test_addresses_turned_into_links_count_towards_the_html_bound():
    # A wide table's empty cells, and a note of addresses that become links: cmark's HTML is
    # within the bound, the HTML with the References list is not.
    table = "|a" * 1000 + "\n" + "|-" * 1000 + "\n" + "a\n" * 160
    text = table + "\n\nCited[^a].\n\n[^a]: " + "http://a " * 20_000
    cmark_html = cmarkgfm.markdown_to_html_with_extensions(
        text, options=OPTIONS, extensions=EXTENSIONS
    )
    assert len(cmark_html) < MAX_HTML_CHARACTERS < len(footnotes.references(cmark_html))

    with pytest.raises(ValidationError) as refused:
        render(text)

    assert refused.value.code == "too_large"
