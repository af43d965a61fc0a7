"""The one place Markdown becomes HTML: articles, pages and the editor preview all call render().

cmark-gfm (GitHub's CommonMark parser, written in C) reads any text in time proportional to its
length, however its brackets, emphasis, lists or tables are arranged. HTML typed into the text
is dropped, so every tag in its output is one it wrote, properly closed. That lets a simple count
bound how deeply the output nests, which keeps the sanitizer (nh3), whose work grows with
nesting depth, fast too. Nothing is cached: every caller renders once and stores the result.
Footnotes become a numbered "References" list at the end (editor/footnotes.py), whose addresses
reference_links() gives back.
"""

import re

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from django.core.exceptions import ValidationError

from images.uploads import with_image_sizes

from .footnotes import ATTRIBUTE_VALUES, references
from .footnotes import reference_links as reference_links  # for pages that cite their sources

# About 50,000 words: far longer than any article, and rendered in well under a second.
MAX_CHARACTERS = 300_000
# Quotes in lists in quotes…: an article needs a handful of levels, never this many.
MAX_NESTING = 40
# An article's HTML is about 1.1 times its Markdown; tables of empty cells can make it far more.
MAX_HTML_CHARACTERS = 2_000_000

# Smart quotes and dashes; raw HTML is left out (cmark's default without CMARK_OPT_UNSAFE);
# footnotes, which editor/footnotes.py turns into a numbered "References" list.
OPTIONS = Options.CMARK_OPT_SMART | Options.CMARK_OPT_VALIDATE_UTF8 | Options.CMARK_OPT_FOOTNOTES
EXTENSIONS = ["table", "strikethrough"]

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "del", "a", "img", "ul", "ol", "li", "blockquote", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td", "section", "sup",
}  # fmt: skip
# An id (and the links' aria-label) only in the forms of editor/footnotes.py: ATTRIBUTE_VALUES.
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "aria-label"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "li": {"id"},
}
# Absolute links may only use these; relative links and #fragments pass through.
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# nh3 reads a scheme as the URL standard does, where "jav   ascript:" is a relative path. We
# judge it with every space and control character removed instead: older or sloppier URL
# parsers skip whitespace inside a scheme.
IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f-\x9f\s]+")
SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
# cmark escapes <, > and quotes in text and attributes, so each match is a real tag.
TAG = re.compile(r"<(/?)[a-z][a-z0-9]*[^>]*?(/?)>")


def _only_safe_values(tag, attribute, value):
    if attribute in {"href", "src"}:
        scheme = SCHEME.match(IGNORED_IN_SCHEME.sub("", value).lower())
        if scheme and scheme.group(1) not in URL_SCHEMES:
            return None
    elif attribute in {"id", "aria-label"}:
        form = ATTRIBUTE_VALUES.get((tag, attribute))
        if form is None or not form.fullmatch(value):
            return None
    return value


def validate_markdown(text):
    """Refuse, in an editor's words, text longer or more deeply nested than render() takes."""
    _commonmark_html(text or "")


def stored_html(text):
    """What an article or page keeps for its Markdown: render()'s HTML, with the width and height
    of our own uploaded images, so the page does not jump while they load."""
    return with_image_sizes(render(text))


def render(text):
    """Render Markdown to sanitized HTML: what the preview shows is exactly what visitors get.

    Raises ValidationError for text that validate_markdown() refuses.
    """
    return _sanitized(_commonmark_html(text or ""))


def _sanitized(html):
    """The allowlist, with links and images only to safe addresses and ids only in
    editor/footnotes.py's forms, applied to HTML that _commonmark_html() wrote and bounded."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_only_safe_values,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _commonmark_html(text):
    if len(text) > MAX_CHARACTERS:
        raise ValidationError(
            f"This text is {len(text):,} characters long; the most an article or page may have "
            f"is {MAX_CHARACTERS:,}. Please split it into parts (a series works well).",
            code="too_long",
        )
    html = cmarkgfm.markdown_to_html_with_extensions(text, options=OPTIONS, extensions=EXTENSIONS)
    _check_size(html)
    html = references(html)
    _check_size(html)  # the References list's addresses, once links, take more room
    if _nesting(html) > MAX_NESTING:
        raise ValidationError(
            f"This text puts quotes, lists or emphasis inside each other more than "
            f"{MAX_NESTING} levels deep, which no page can show. Please simplify it.",
            code="too_deep",
        )
    return html


def _check_size(html):
    if len(html) > MAX_HTML_CHARACTERS:
        raise ValidationError(
            "This text would make a page too large to show (a table with very many empty "
            "cells, or a note cited very many times, can do that). Please shorten it.",
            code="too_large",
        )


def _nesting(html):
    depth = deepest = 0
    for closing, self_closing in TAG.findall(html):
        if closing:
            depth -= 1
        elif not self_closing:
            depth += 1
            deepest = max(deepest, depth)
    return deepest
