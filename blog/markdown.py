"""The one place Markdown becomes HTML: articles, pages and the editor preview all call render()."""

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


@lru_cache(maxsize=256)
def render(text):
    """Render Markdown to sanitized HTML: what the preview shows is exactly what visitors get."""
    html = markdown.markdown(text or "", extensions=EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
