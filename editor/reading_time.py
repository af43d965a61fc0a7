r"""How long a text takes to read: its words at WORDS_PER_MINUTE, rounded up, at least a minute.

An article's page shows it (Post.reading_minutes); the editor's live counts under the text
(static/editor/layout.js) count the same way, at the rate the widget gives them. A word is a run
of Python's Unicode word characters (letters, digits, underscore) in the Markdown as typed: the
script's /[\p{L}\p{N}_]+/u, which matches exactly the same characters.
"""

import math
import re

WORDS_PER_MINUTE = 200
WORD = re.compile(r"\w+")


def word_count(text):
    return len(WORD.findall(text))


def reading_minutes(text):
    return max(1, math.ceil(word_count(text) / WORDS_PER_MINUTE))
