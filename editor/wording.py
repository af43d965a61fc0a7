"""Safe-messaging and health-claim warnings: editor/safe_messaging.py's rules applied to what a
visitor reads in an article or page (editor/text.py)."""

import re

from editor.safe_messaging import RULES
from editor.text import read

# Words that turn a claim around when they come just before it: "not a cure", "no miracle".
NEGATION = re.compile(r"^(?:no|not|never|without|cannot|nor|neither|none|nothing|\w+n[’']t)$")
NEGATION_REACH = 3  # words before the match (looked for in the 80 characters before it)
CLAUSE_END = re.compile(r"[.!?;:…]")
QUESTION = re.compile(r"\?[”’\"')\]]*$")
MOST_WORDS_NAMED = 5


def safe_messaging_warnings(html, rules=RULES):
    """A plain-language warning for each rule the rendered HTML breaks: the words found, why
    they matter, what to write instead, and the rule's source."""
    return warnings_for(read(html), rules)


def warnings_for(document, rules=RULES):
    """safe_messaging_warnings() for an editor.text.Document."""
    warnings = []
    for rule in rules:
        if rule.whole_article:
            found = _found_in_article(rule, document)
        else:
            found = _found_in_paragraphs(rule, document)
        if found:
            warnings.append(_warning(rule, found))
    return warnings


def _found_in_article(rule, document):
    everything = "\n".join(
        [paragraph.text for paragraph in document.paragraphs] + document.code + document.addresses
    )
    if rule.unless and rule.unless.search(everything):
        return []
    return [
        (match.group(), None)
        for paragraph in document.paragraphs
        for match in rule.find.finditer(paragraph.text)
    ]


def _found_in_paragraphs(rule, document):
    found = []
    for paragraph in document.paragraphs:
        if rule.unless and rule.unless.search(paragraph.text):
            continue
        if rule.unless_referenced and paragraph.has_reference:
            continue
        near = rule.near.search(paragraph.text) if rule.near else None
        if rule.near and not near:
            continue
        for sentence in paragraph.sentences:
            if rule.near and rule.near_in == "sentence":
                near = rule.near.search(sentence)
                if not near:
                    continue
            if rule.negatable and QUESTION.search(sentence):
                continue
            for match in rule.find.finditer(sentence):
                if rule.negatable and _negated(
                    sentence[max(0, match.start() - 80) : match.start()]
                ):
                    continue
                beside = near.group() if near and not _within(near.group(), match.group()) else None
                found.append((match.group(), beside))
    return found


def _negated(before):
    """True when one of the last few words before a match, in its clause, is a negation."""
    clause = CLAUSE_END.split(before)[-1]
    return any(NEGATION.match(word) for word in clause.lower().split()[-NEGATION_REACH:])


def _within(one, other):
    """True when one phrase is part of the other ("suicide" in "failed suicide attempt")."""
    return one.lower() in other.lower() or other.lower() in one.lower()


def _warning(rule, found):
    named = _distinct(words for words, _ in found)
    beside = _distinct(words for _, words in found if words)
    shown = ", ".join(f"“{words}”" for words in named[:MOST_WORDS_NAMED])
    if len(named) > MOST_WORDS_NAMED:
        shown += f" and {len(named) - MOST_WORDS_NAMED} more"
    if rule.whole_article:
        where = f", but never {rule.missing}"
    elif beside:
        where = f" (in a {rule.near_in} with “{beside[0]}”)"
    elif rule.unless_referenced:
        where = " with no link or footnote in its paragraph"
    else:
        where = ""
    stop = "" if rule.instead.endswith((".", ".”")) else "."
    return (
        f"The text says {shown}{where}. {rule.why} Better: {rule.instead}{stop} "
        f"Source: {rule.source.name}, {rule.source.url}"
    )


def _distinct(phrases):
    """Each phrase once, as first written, whatever its case and spacing."""
    seen = {}
    for phrase in phrases:
        phrase = " ".join(phrase.split())
        seen.setdefault(phrase.lower(), phrase)
    return list(seen.values())
