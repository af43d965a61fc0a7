"""Footnotes (`text[^1]` and `[^1]: Source, https://…`) as a numbered "References" list.

cmark-gfm writes footnotes with ids made from the labels writers type: `[^smith]` gives
id="fn-smith", so a label can put anything into an id, and two labels can give one id (the
second citation of `[^1]` and the first of `[^1-2]` are both "fnref-1-2"). references() rewrites
cmark's footnote HTML before the sanitizer sees it: every id is rebuilt from the numbers readers
see, the links get names that say where they go, and bare web addresses in the list become
links. render() (editor/markdown.py) then keeps ids of exactly these forms and no others:

    <p>Sessions last about two hours<a href="#fn-1" id="fnref-1" aria-label="Reference 1">
    <sup>1</sup></a>.</p>
    <section>
    <h2>References</h2>
    <ol>
    <li id="fn-1">
    <p>Smith, <a href="https://example.org/kap">https://example.org/kap</a>
    <a href="#fnref-1" aria-label="Back to reference 1 in the text">↩︎</a></p>
    </li>
    </ol>
    </section>

A footnote cited a second time gets id="fnref-1-2" there, and a second back link,
"↩︎<sup>2</sup>" ("Back to reference 1 in the text, citation 2").

Only cmark's own tags are matched: raw HTML typed into the text never reaches its output, and
it escapes <, > and quotes in text and attributes.
"""

import html
import itertools
import re

HEADING = "References"
BACK = "↩\ufe0e"  # the arrow of the back links; U+FE0E: as text, never as an emoji picture

# cmark-gfm's footnote HTML (with CMARK_OPT_FOOTNOTES), as it writes it.
_SECTION = '<section class="footnotes" data-footnotes>\n'
_CITATION = re.compile(
    r'<sup class="footnote-ref"><a href="#fn-([^"]*)" id="fnref-\1(?:-([0-9]+))?" '
    r"data-footnote-ref>([0-9]+)</a></sup>"
)
_BACK_LINK = re.compile(
    r'<a href="#fnref-[^"]*" class="footnote-backref" data-footnote-backref '
    r'data-footnote-backref-idx="([0-9]+)(?:-([0-9]+))?" aria-label="[^"]*">'
    r'↩(?:<sup class="footnote-ref">[0-9]+</sup>)?</a>'
)
_NOTE = re.compile(r'<li id="fn-[^"]*">')

# What the sanitizer lets through: (tag, attribute) -> the whole value, and nothing else.
_NUMBER = "[1-9][0-9]{0,5}"
ATTRIBUTE_VALUES = {
    ("li", "id"): re.compile(f"fn-{_NUMBER}"),
    ("a", "id"): re.compile(f"fnref-{_NUMBER}(?:-{_NUMBER})?"),
    ("a", "aria-label"): re.compile(
        f"Reference {_NUMBER}|Back to reference {_NUMBER} in the text(?:, citation {_NUMBER})?"
    ),
}

# A web address typed as text: up to a space, a tag, a quote or a smart quote. cmark writes a
# typed & as &amp; and a typed " as &quot;, so "&" starts nothing else in an address.
_ADDRESS = re.compile(r"\bhttps?://(?:[^\s&<>“”‘’«»]+|&amp;)+", re.IGNORECASE)
# Punctuation after an address ends the sentence rather than the address (as GitHub reads it).
_TRAILING = set(".,:;!?*_~'")
_TAG = re.compile(r"(<[^>]*>)")
_LINK_IN_REFERENCES = re.compile(r'<a href="([^"]*)"')


def references(cmark_html):
    """cmark's HTML with its footnotes as our References list (unchanged if it has none)."""
    start = cmark_html.find(_SECTION)
    if start == -1:
        return cmark_html
    cited = set()  # the citations' ids

    def citation(match):
        html, anchor = _citation(match)
        cited.add(anchor)
        return html

    text = _CITATION.sub(citation, cmark_html[:start])
    notes = itertools.count(1)
    listed = cmark_html[start + len(_SECTION) :]
    listed = _NOTE.sub(lambda _match: f'<li id="fn-{next(notes)}">', listed)
    listed = _CITATION.sub(citation, listed)
    # cmark also links back to citations inside notes it leaves out (never cited themselves).
    listed = _BACK_LINK.sub(lambda match: _back_link(match, cited), listed)
    return f"{text}<section>\n<h2>{HEADING}</h2>\n{_with_linked_addresses(listed)}"


def reference_links(html_text):
    """The http and https addresses linked in the References list of render()'s HTML, in
    order, each once: the sources an article cites."""
    start = html_text.find(f"<section>\n<h2>{HEADING}</h2>")
    if start == -1:
        return []
    end = html_text.find("</section>", start)
    found = []
    for match in _LINK_IN_REFERENCES.finditer(html_text, start, end):
        address = html.unescape(match[1])
        if address.lower().startswith(("http://", "https://")):
            found.append(address)
    return list(dict.fromkeys(found))


def _citation(match):
    """(the citation's link, its id)"""
    time, number = match[2], match[3]
    anchor = f"fnref-{number}-{time}" if time else f"fnref-{number}"
    html = (
        f'<a href="#fn-{number}" id="{anchor}" aria-label="Reference {number}">'
        f"<sup>{number}</sup></a>"
    )
    return html, anchor


def _back_link(match, cited):
    number, time = match[1], match[2]
    anchor = f"fnref-{number}-{time}" if time else f"fnref-{number}"
    if anchor not in cited:
        return ""
    if time:
        label = f"Back to reference {number} in the text, citation {time}"
        return f'<a href="#{anchor}" aria-label="{label}">{BACK}<sup>{time}</sup></a>'
    return f'<a href="#{anchor}" aria-label="Back to reference {number} in the text">{BACK}</a>'


def _with_linked_addresses(listed):
    """Bare http and https addresses in text, outside links and code, become links."""
    parts = _TAG.split(listed)
    inside = 0  # how many <a>, <code> or <pre> elements the text is in
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            name = part[1:].split(" ", 1)[0].rstrip(">")
            if name in {"a", "code", "pre"}:
                inside += 1
            elif name in {"/a", "/code", "/pre"}:
                inside -= 1
        elif inside == 0 and "://" in part:
            parts[index] = _ADDRESS.sub(_linked, part)
    return "".join(parts)


def _linked(match):
    address = match[0]
    host = address.index("://") + 3
    opened, closed = address.count("("), address.count(")")
    end = len(address)
    while end > host:
        last = address[end - 1]
        if last in _TRAILING:
            end -= 1
        elif last == ")" and closed > opened:
            closed -= 1
            end -= 1
        else:
            break
    if end == host:  # "https://" and nothing after it
        return address
    address, rest = address[:end], address[end:]
    return f'<a href="{address}">{address}</a>{rest}'
