"""The one place Markdown becomes HTML: articles, pages and the editor preview all call render()."""

import re
from functools import lru_cache

import markdown
import nh3

EXTENSIONS = ["tables", "fenced_code", "smarty", "sane_lists"]

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
    "strong", "em", "b", "i", "del", "sup", "sub", "abbr",
    "a", "img", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "code", "pre",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
# Absolute links may only use these; relative links and #fragments pass through.
URL_SCHEMES = {"http", "https", "mailto", "tel"}
# nh3 reads a scheme as the URL standard does, where "jav   ascript:" is a relative path. We
# judge it with every space and control character removed instead: Python-Markdown turns a tab
# in a URL into spaces, and older or sloppier URL parsers skip whitespace inside a scheme.
IGNORED_IN_SCHEME = re.compile(r"[\x00-\x20\x7f-\x9f\s]+")
SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")


def _without_disguised_schemes(tag, attribute, value):
    if attribute in {"href", "src"}:
        scheme = SCHEME.match(IGNORED_IN_SCHEME.sub("", value).lower())
        if scheme and scheme.group(1) not in URL_SCHEMES:
            return None
    return value


@lru_cache(maxsize=256)
def render(text):
    """Render Markdown to sanitized HTML: what the preview shows is exactly what visitors get."""
    html = markdown.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_without_disguised_schemes,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
