"""Plain-language checks on what an editor wrote, made when they save.

They warn, never block: the editor may have a reason, and a warning teaches more than a refusal.
writing_warnings() gives them all, most urgent first: safe messaging and health claims
(editor/wording.py, with the rules in editor/safe_messaging.py), accessibility (below), and the
reading grade (editor/readability.py).
"""

import re
from html.parser import HTMLParser

from editor import readability, wording
from editor.readability import ReadingLevel, reading_level, reading_level_warnings
from editor.text import read
from editor.wording import safe_messaging_warnings

__all__ = [
    "ReadingLevel",
    "accessibility_warnings",
    "reading_level",
    "reading_level_warnings",
    "safe_messaging_warnings",
    "writing_warnings",
]

# Alt text the editor inserts with an uploaded image: visibly unfinished, so the clinician
# replaces it and these checks can find any left behind (empty alt would mean "decorative").
ALT_TEXT_PLACEHOLDER = "Describe this image"

VAGUE_LINK_TEXT = {
    "click here", "here", "read more", "more", "this link", "link", "this", "learn more",
    "click", "go", "this page",
}  # fmt: skip
URL_LIKE = re.compile(r"^(https?://|www\.)\S+$", re.IGNORECASE)


class _Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings = []  # levels, in order
        self.images_without_alt = 0
        self.images_with_placeholder = 0
        self.links = []  # (link text, whether it is in the References list)
        self._link_text = None
        self._in_references = False  # footnotes are the only <section> the renderer makes

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "img":
            alt = (attributes.get("alt") or "").strip()
            if not alt:
                self.images_without_alt += 1
            elif alt == ALT_TEXT_PLACEHOLDER:
                self.images_with_placeholder += 1
        elif tag == "a":
            self._link_text = []
        elif tag == "section":
            self._in_references = True

    def handle_data(self, data):
        if self._link_text is not None:
            self._link_text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._link_text is not None:
            self.links.append((" ".join("".join(self._link_text).split()), self._in_references))
            self._link_text = None
        elif tag == "section":
            self._in_references = False


def writing_warnings(html, summary=None):
    """Every save-time warning about rendered HTML, as plain sentences for the admin to show.

    Pass `summary` for articles, which need one on lists and in search results.
    """
    document = read(html)
    return (
        wording.warnings_for(document)
        + accessibility_warnings(html, summary=summary)
        + readability.warnings_for(document)
    )


def accessibility_warnings(html, summary=None):
    """What to tell the editor about rendered HTML that the page's title already heads (h1).

    Pass `summary` for articles, which need one on lists and in search results.
    """
    outline = _Outline()
    outline.feed(html)
    warnings = []
    if outline.images_without_alt:
        warnings.append(
            f"{_count(outline.images_without_alt, 'image has', 'images have')} no description "
            "(alt text). Write what each picture shows between the square brackets: "
            "![A quiet room with a reclining chair](…)."
        )
    if outline.images_with_placeholder:
        warnings.append(
            f"{_count(outline.images_with_placeholder, 'image still says', 'images still say')} "
            f"“{ALT_TEXT_PLACEHOLDER}”. Replace it with what the picture shows."
        )
    if 1 in outline.headings:
        warnings.append(
            "The text has a top-level heading (# …), but the title is already the page's main "
            "heading. Use ## for sections and ### inside them."
        )
    previous = 1
    for level in outline.headings:
        if level > previous + 1:
            warnings.append(
                f"A heading jumps from level {previous} to level {level}. Screen-reader users "
                f"move by headings: use {'#' * (previous + 1)} here, or add the missing level."
            )
            break
        previous = level
    for text, in_references in outline.links:
        if text.lower().strip(".!:") in VAGUE_LINK_TEXT:
            warnings.append(
                f"A link says only “{text}”. Link text should say where it goes, e.g. "
                "“our fees page”, because many people scan a page's links on their own."
            )
        elif URL_LIKE.match(text) and not in_references:  # a source's address is expected
            warnings.append(
                f"A link shows a bare web address ({text[:60]}). Screen readers spell it out; "
                "write [a few words about it](the address) instead."
            )
    warnings = list(dict.fromkeys(warnings))  # one of each is enough
    if summary is not None and not summary.strip():
        warnings.append(
            "The summary is empty. Lists, feeds and search engines show it: one or two "
            "sentences about what the article offers."
        )
    return warnings


def _count(number, one, many):
    return f"1 {one}" if number == 1 else f"{number} {many}"
