"""How hard an article is to read: its Flesch–Kincaid grade and its longest sentences.

The grade is textstat's, computed on what a visitor reads (editor/text.py): no Markdown syntax,
no code, no link addresses, no footnote markers or footnotes. The Flesch–Kincaid grade comes from
the length of sentences and of words (in syllables): the school grade a reader needs to follow the
text easily. Health information for the public is usually written for grade 8 or below; the
editor warns above grade 9.
"""

import re
from dataclasses import dataclass

from editor.text import read

GRADE_AIM = 9  # a warning above this
LONGEST_SHOWN = 3
WORDS_QUOTED = 20  # of each long sentence, in the warning
SENTENCE_STOP = re.compile(r"[.!?…][”’\"')\]]*$")


@dataclass(frozen=True)
class ReadingLevel:
    grade: float  # Flesch–Kincaid, to one decimal; 0.0 for no text
    longest_sentences: list[str]  # the three longest, longest first


def reading_level(html):
    """The ReadingLevel of rendered HTML."""
    return level_of(read(html))


def level_of(document):
    """reading_level() for an editor.text.Document."""
    found = [
        sentence
        for paragraph in document.paragraphs
        if not paragraph.in_footnotes
        for sentence in paragraph.sentences
    ]
    if not found:
        return ReadingLevel(grade=0.0, longest_sentences=[])
    # A heading, a list item or a table cell is a sentence of its own, even without a full stop.
    text = " ".join(s if SENTENCE_STOP.search(s) else f"{s}." for s in found)
    longest = sorted(found, key=lambda sentence: len(sentence.split()), reverse=True)
    return ReadingLevel(
        grade=max(0.0, round(_flesch_kincaid_grade(text), 1)),
        longest_sentences=longest[:LONGEST_SHOWN],
    )


def reading_level_warnings(html):
    """One warning, with the longest sentences, when the grade is above GRADE_AIM; else none."""
    return warnings_for(read(html))


def warnings_for(document):
    """reading_level_warnings() for an editor.text.Document."""
    level = level_of(document)
    if level.grade <= GRADE_AIM:
        return []
    quoted = "; ".join(
        f"“{_shortened(sentence)}” ({len(sentence.split())} words)"
        for sentence in level.longest_sentences
    )
    return [
        f"Reading grade {level.grade:.1f}: above grade {GRADE_AIM}, which most health writing "
        "aims to stay within. Shorter sentences and everyday words bring it down. The longest "
        f"sentences are: {quoted}."
    ]


def _shortened(sentence):
    words = sentence.split()
    return sentence if len(words) <= WORDS_QUOTED else " ".join(words[:WORDS_QUOTED]) + " …"


def _flesch_kincaid_grade(text):
    # Imported here: textstat and its pronouncing dictionary (about 75 MB once loaded) are
    # needed only by a server process that saves an article, never by one serving visitors.
    import textstat

    try:
        return textstat.flesch_kincaid_grade(text)
    finally:
        _forget_texts()


def _forget_texts():
    """Empty textstat's caches of texts (up to 128 per counting function, each with its list of
    words), so a long-running server does not keep every article it has checked. Its caches of
    dictionaries (the pronouncing dictionary, the hyphenation rules) stay."""
    from textstat import backend

    for part in (backend.counts, backend.metrics, backend.selections, backend.transformations):
        for name in getattr(part, "__all__", dir(part)):
            function = getattr(part, name, None)
            if hasattr(function, "cache_clear"):
                function.cache_clear()
