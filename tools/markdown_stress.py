"""The worst Markdown we know of, at the renderer's size limit: how long each takes to render.

Each case repeats one pattern known to make Markdown parsers or HTML sanitizers slow (unmatched
brackets, emphasis, deep nesting, wide tables, HTML tags, footnotes) up to
editor.markdown.MAX_CHARACTERS.
editor.markdown.render must give HTML or refuse with a ValidationError, promptly, for each.
tests/editor/test_markdown.py runs every case; `make bench` prints their times, slowest first:

    .venv/bin/python tools/markdown_stress.py
"""

import sys
import time
from pathlib import Path


def _fill(pattern, size):
    return (pattern * (size // len(pattern) + 1))[:size]


def _after(prefix, pattern, size):
    return prefix + _fill(pattern, size - len(prefix))


NOTE = "[^a]: a note\n\n"  # a footnote for the cases that cite it


def _footnotes(size):
    """As many footnotes as fit, each cited once, then each defined."""
    count = size // 16
    cited = "".join(f"[^{number}]" for number in range(count))
    notes = "".join(f"[^{number}]: n\n" for number in range(count))
    return (cited + "\n\n" + notes)[:size]


def _table(columns, size):
    head = "|a" * columns + "\n" + "|-" * columns + "\n"
    return head + _fill("a\n", size - len(head))


# name -> text of `size` characters (or a little less).
CASES = {
    "unmatched [": lambda size: _fill("[", size),
    "unmatched ![": lambda size: _fill("![", size),
    "unclosed links [a](": lambda size: _fill("[a](", size),
    "nested brackets": lambda size: _fill("[", size // 2) + _fill("](b)", size // 2),
    "images in links": lambda size: _fill("[![a](b)", size),
    "reference links [a]": lambda size: _fill("[a]", size),
    "emphasis *a": lambda size: _fill("*a", size),
    "emphasis **_": lambda size: _fill("**_", size),
    "emphasis *_": lambda size: _fill("*_", size),
    "emphasis runs a**": lambda size: _fill("a**", size),
    "underscores _a": lambda size: _fill("_a", size),
    "backticks": lambda size: _fill("`a``", size),
    "backslashes": lambda size: _fill("\\", size),
    "entities &#": lambda size: _fill("&#", size),
    "smart quotes": lambda size: _fill("'\"", size),
    "quotes and entities '&#": lambda size: _fill("'&#", size),
    "entities in a code block": lambda size: "```\n" + _fill("&#", size - 4),
    "angle brackets <a": lambda size: _fill("<a", size),
    "autolinks <http://": lambda size: _fill("<http://", size),
    "HTML tags <div>": lambda size: _fill("<div>", size),
    "HTML quotes <blockquote>": lambda size: _fill("<blockquote>", size),
    "nested quotes >": lambda size: _fill(">", size),
    "quotes 39 deep": lambda size: _fill("> " * 39 + "a\n\n", size),
    "nested lists": lambda size: _fill("".join("  " * i + "- a\n" for i in range(60)), size),
    "lists in quotes": lambda size: _fill("> 1. ", size),
    "list markers 1.": lambda size: _fill("1. ", size),
    "table, many rows": lambda size: _fill("|a|b|\n", size),
    "table, 5,000 columns": lambda size: _table(5000, size),
    "table of pipes": lambda size: _fill("|", size // 2) + "\n" + _fill("|-", size - size // 2 - 1),
    "setext headings": lambda size: _fill("a\n=\n", size),
    "code fences": lambda size: _fill("```\n", size),
    "footnote cited throughout [^a]": lambda size: _after(NOTE, "[^a]", size),
    "footnote cited every 200 chars": lambda size: _after(NOTE, "Some words. " * 16 + "[^a]", size),
    "footnotes, each cited once": _footnotes,
    "unclosed footnotes [^": lambda size: _fill("[^", size),
    "footnotes in footnotes [^a]: ": lambda size: _fill("[^a]: ", size),
    "footnotes in lists - [^a]: ": lambda size: _fill("- [^a]: ", size),
    "footnotes cited in links": lambda size: _after(NOTE, "[[^a]](b)", size),
    "long footnote labels": lambda size: _after(
        f"[^{'a' * 999}]: a note\n\n", f"[^{'a' * 999}]", size
    ),
    "addresses in a footnote": lambda size: _after("a[^a]\n\n[^a]: ", "https://a.test ", size),
    "ordinary article": lambda size: _fill(
        "## A heading\n\nSome *words* with a [link](https://example.com) and **more**.\n\n"
        "- one\n- two\n\n> a quote\n\n",
        size,
    ),
}


def run(size):
    """[(case, characters, seconds, outcome)] for every case at `size` characters, where
    outcome is "rendered" or the refusal's code."""
    from django.core.exceptions import ValidationError

    from editor.markdown import render

    results = []
    for name, make in CASES.items():
        text = make(size)
        started = time.perf_counter()
        try:
            render(text)
            outcome = "rendered"
        except ValidationError as error:
            outcome = f"refused ({error.code})"
        results.append((name, len(text), time.perf_counter() - started, outcome))
    return results


def main():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from editor.markdown import MAX_CHARACTERS

    results = sorted(run(MAX_CHARACTERS), key=lambda result: -result[2])
    print(f"Markdown at the limit of {MAX_CHARACTERS:,} characters, slowest first:")
    for name, characters, seconds, outcome in results:
        print(f"  {name:32} {characters:>9,} chars {seconds * 1000:8.1f} ms  {outcome}")


if __name__ == "__main__":
    main()
