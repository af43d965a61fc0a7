"""What a reader reads in rendered HTML (editor/markdown.py's render()), paragraph by paragraph.

The writing checks (editor/wording.py, editor/readability.py) work on this rather than on the
Markdown: emphasis, links and escapes are already resolved there, so "committed *suicide*" reads
as "committed suicide", and a link's address is never mistaken for words.

- A paragraph is the text between two block tags: a paragraph, a list item, a heading, a table
  cell, a quote. A line break (<br>) stays inside its paragraph.
- Code (`…` and ``` blocks) is left out of the text: it is kept apart, never checked for wording.
- A paragraph "has a reference" when it has a link or a footnote marker: [^1] as cmark-gfm's
  footnotes render it (<sup><a href="#fn-1">1</a></sup>), or the same marker left as typed.
- Footnote markers (the small number), the footnotes' "back" arrows and the footnotes section's
  paragraphs are marked, so the reading grade leaves them out; the wording checks still read the
  footnotes, which visitors see.
"""

import re
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser

BLOCK_TAGS = {
    "p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th", "tr",
    "table", "thead", "tbody", "ul", "ol", "hr", "section", "div", "dl", "dt", "dd",
    "figure", "figcaption", "details", "summary",
}  # fmt: skip
CODE_TAGS = {"code", "pre"}
# [^1] as typed, when the text has no such footnote (or footnotes are not rendered).
FOOTNOTE_MARKER = re.compile(r"\[\^[^\]\s]{1,40}\]")
SPACES = re.compile(r"\s+")


@dataclass
class Paragraph:
    text: str  # what a reader reads, code left out, spaces made single
    has_reference: bool = False  # a link or a footnote marker
    in_footnotes: bool = False  # a footnote's own text, at the end of the article

    @cached_property
    def sentences(self):
        return sentences(self.text)


@dataclass
class Document:
    paragraphs: list[Paragraph] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)  # every link's address
    code: list[str] = field(default_factory=list)  # the text of code spans and blocks


def read(html):
    """The Document of rendered HTML."""
    reader = _Reader()
    reader.feed(html or "")
    reader.close()
    reader.end_paragraph()
    return reader.document


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.document = Document()
        self._parts = []
        self._has_reference = False
        self._code_depth = 0
        self._code_parts = []
        self._hidden_depth = 0  # inside a footnote marker or a footnote's "back" arrow
        self._open = []  # open elements: (tag, is_footnotes)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in BLOCK_TAGS:
            self.end_paragraph()
        footnotes = (
            tag == "section"
            and ("data-footnotes" in attributes or "footnotes" in (attributes.get("class") or ""))
        ) or (tag == "li" and (attributes.get("id") or "").startswith("fn-"))
        if tag not in {"br", "hr", "img"}:  # void elements are never closed
            self._open.append((tag, footnotes))
        if tag in CODE_TAGS:
            self._code_depth += 1
        elif tag == "br":
            self._parts.append(" ")
        elif tag == "a":
            address = attributes.get("href") or ""
            if address:
                self.document.addresses.append(address)
                self._has_reference = True
            if address.startswith("#fn") or self._hidden_depth:  # a marker or a "back" arrow
                self._hidden_depth += 1
        elif tag == "sup":
            self._hidden_depth += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in {"br", "hr", "img"}:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if not any(open_tag == tag for open_tag, _ in self._open):
            return  # a stray end tag: render() never writes one
        while self._open:
            open_tag, _ = self._open.pop()
            self._close(open_tag)
            if open_tag == tag:
                break

    def _close(self, tag):
        if tag in CODE_TAGS:
            self._code_depth -= 1
            if not self._code_depth:
                self.document.code.append("".join(self._code_parts))
                self._code_parts = []
                self._parts.append(" ")  # `code` between words still separates them
        elif tag in {"a", "sup"} and self._hidden_depth:
            self._hidden_depth -= 1
        if tag in BLOCK_TAGS:
            self.end_paragraph()

    def handle_data(self, data):
        if self._code_depth:
            self._code_parts.append(data)
        elif not self._hidden_depth:
            self._parts.append(data)

    def end_paragraph(self):
        text = SPACES.sub(" ", "".join(self._parts)).strip()
        marked = bool(FOOTNOTE_MARKER.search(text))
        text = SPACES.sub(" ", FOOTNOTE_MARKER.sub("", text)).strip() if marked else text
        if text:
            self.document.paragraphs.append(
                Paragraph(
                    text=text,
                    has_reference=self._has_reference or marked,
                    in_footnotes=any(footnotes for _, footnotes in self._open),
                )
            )
        self._parts = []
        self._has_reference = False


# A sentence ends at . ! ? or … (and any closing quote or bracket), before a space and a capital
# letter, a digit or an opening quote: "e.g. this" and "3.5 mg" stay whole. Each run of these
# marks is read once, from its start, so even a page of dots takes linear time.
SENTENCE_END = re.compile(r"((?<![.!?…])[.!?…]++[”’\"')\]]*+)\s+(?=[“‘\"'(\[]?[A-Z0-9])")


def sentences(text):
    """The sentences of one paragraph's text."""
    return [sentence for sentence in SENTENCE_END.sub("\\1\n", text).split("\n") if sentence]
