"""The ids in rendered HTML (only footnotes have them, only in editor/footnotes.py's forms), and
the footnotes' links to them."""

import re
from html.parser import HTMLParser

FOOTNOTE_ID = {
    "li": re.compile(r"fn-[1-9][0-9]*"),
    "a": re.compile(r"fnref-[1-9][0-9]*(-[1-9][0-9]*)?"),
}


class _Ids(HTMLParser):
    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.ids = []  # (tag, id), in document order
        self.footnote_links = []  # (aria-label, href) of the links between text and notes
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.ids += [(tag, value) for name, value in attrs if name == "id"]
        if tag == "a" and "aria-label" in attributes:
            self.footnote_links.append((attributes["aria-label"], attributes.get("href")))

    handle_startendtag = handle_starttag


def ids(markup):
    return _Ids(markup).ids


def id_problems(markup):
    """Every id that is not a footnote's, or that appears twice; an empty list means none."""
    found = ids(markup)
    problems = [
        f'<{tag} id="{value}"> is not a footnote id'
        for tag, value in found
        if tag not in FOOTNOTE_ID or not FOOTNOTE_ID[tag].fullmatch(value or "")
    ]
    values = [value for _tag, value in found]
    problems += [f'id="{value}" appears twice' for value in set(values) if values.count(value) > 1]
    return problems


def broken_footnote_links(markup):
    """Citations and back links whose target is not on the page."""
    parsed = _Ids(markup)
    targets = {value for _tag, value in parsed.ids}
    return [
        f"{label!r} leads to {href!r}"
        for label, href in parsed.footnote_links
        if not href or href.removeprefix("#") not in targets
    ]
