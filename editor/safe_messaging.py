"""The wording rules the editor warns about after a save: safe messaging about suicide, and
health claims. Data only: editor/wording.py applies them to an article's text.

Each rule names the words it looks for, why they matter, what to write instead, and the public
guideline it comes from. The warnings never block a save: a clinician may quote a phrase to
explain why it hurts, or have a source the check cannot see.

How a rule reads the text:
- It looks at what visitors read, paragraph by paragraph; code (`…` and ``` blocks) is never
  checked.
- `words(...)` matches whole words in any case: "cure" finds "Cure" and "cured" only if listed,
  never "secure", "curious" or "procured". A space in a phrase also matches a hyphen or a line
  break ("FDA approved" finds "FDA-approved"), and ' matches the curly ’ that the renderer
  writes.
- `near`: the rule applies only when these words are in the same sentence (or paragraph) too.
- `unless`: the paragraph is fine when it has these words (or, for a whole-article rule, when
  the article has them anywhere, links' addresses included).
- `unless_referenced`: the paragraph is fine when it has a link or a footnote marker ([^1]).
- `negatable`: the words are fine right after "not", "no", "never", "without" or "…n't"
  (within three words), and in a question: "ketamine is not a cure" and "Will KAP cure my
  depression?" pass, "ketamine is a cure" does not.
"""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    name: str
    url: str


@dataclass(frozen=True)
class Rule:
    name: str  # what the warning is about, in a few words
    find: re.Pattern
    why: str
    instead: str
    source: Source
    near: re.Pattern | None = None
    near_in: str = "paragraph"  # or "sentence"
    unless: re.Pattern | None = None
    unless_referenced: bool = False
    negatable: bool = False
    whole_article: bool = False  # `find` anywhere in the article and `unless` nowhere in it
    missing: str = ""  # for a whole-article rule: what `unless` looks for, in words


def words(*phrases):
    """Any of these words or phrases, whole words only, in any case."""
    alternatives = []
    for phrase in sorted(phrases, key=len, reverse=True):  # the longest phrase found is named
        escaped = re.escape(phrase).replace("'", "['’]")
        alternatives.append(re.sub(r"(?:\\ |\\-)+", r"[\\s\\-‐‑]+", escaped))
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)


def pattern(expression):
    """A regular expression, in any case, for what a list of words cannot say."""
    return re.compile(expression, re.IGNORECASE)


REPORTING_ON_SUICIDE = Source(
    "Recommendations for Reporting on Suicide, written by suicide-prevention organizations "
    "with journalists",
    "https://reportingonsuicide.org/",
)
FDA_ESKETAMINE = Source(
    "U.S. Food and Drug Administration, news release of March 5, 2019: the approval of "
    "esketamine (Spravato) nasal spray for treatment-resistant depression",
    "https://www.fda.gov/news-events/press-announcements/"
    "fda-approves-new-nasal-spray-medication-treatment-resistant-depression-available-only-certified",
)
FTC_HEALTH_CLAIMS = Source(
    "Federal Trade Commission, Health Products Compliance Guidance (December 2022)",
    "https://www.ftc.gov/business-guidance/resources/health-products-compliance-guidance",
)

# Someone, I, you…: who a suicide or self-harm word can be about.
_SELF = r"(?:(?:my|your|him|her|them|our|one)sel(?:f|ves)|themself)"
_THEIR = r"(?:my|your|his|her|their|our)"
# "hanged himself", "shot herself": a method and a suicide in two words.
_ACT_ON_ONESELF = (
    r"\b(?:hanged|hanging|hung|shot|shooting|shoot|poisoned|drowned|stabbed|suffocated|"
    rf"strangled|electrocuted|gassed)\s+{_SELF}\b"
)

SUICIDE_MENTION = pattern(
    r"\bsuicid\w*|\bself[\s\-‐‑]*(?:harm\w*|injur\w*)"
    rf"|\bkill(?:s|ed|ing)?\s+(?:{_SELF})\b"
    rf"|\b(?:end|ends|ended|ending|take|takes|took|taking)\s+{_THEIR}\s+(?:own\s+)?li(?:fe|ves)\b"
    r"|\bwant(?:s|ed|ing)?\s+to\s+die\b"
)


RULES = (
    Rule(
        name="“committed suicide”",
        find=words(
            "commit suicide", "commits suicide", "committed suicide", "committing suicide",
        ),
        why=(
            "“Committed” is the word for crimes and sins. It blames the person who died and "
            "hurts the people who lost them. If you are quoting the phrase to explain this, "
            "leave it."
        ),
        instead="“died by suicide” or “took their own life”",
        source=REPORTING_ON_SUICIDE,
    ),
    Rule(
        name="suicide described as a success or a failure",
        find=words(
            "successful suicide", "unsuccessful suicide", "failed suicide",
            "successful suicide attempt", "unsuccessful suicide attempt",
            "failed suicide attempt", "failed attempt", "unsuccessful attempt",
            "successful attempt",
        ),
        near=SUICIDE_MENTION,
        near_in="sentence",
        why=(
            "Calling a death a “success”, or surviving a “failure”, makes death sound like the "
            "goal. Someone who survived an attempt may read it about themselves."
        ),
        instead="“died by suicide”, or “survived a suicide attempt”",
        source=REPORTING_ON_SUICIDE,
    ),
    Rule(
        # Kept narrow on purpose: it looks only for words that describe how a death happened,
        # in the same sentence as suicide, so it never fires on a sentence that has them for
        # another reason ("ketamine shots", "hanging out with friends"). Lethal-means safety
        # ("lock firearms and medicines away") is encouraged, so firearms, medicines, doses and
        # overdose alone are not on the list.
        name="how a suicide happened",
        find=pattern(
            _ACT_ON_ONESELF + r"|\bhanged\b|\bnooses?\b|\bgunshot\b|\bcarbon\s+monoxide\b"
            rf"|\b(?:slit|slitting|cut|cutting|slashed)\s+{_THEIR}\s+(?:wrists?|throat)\b"
            r"|\b(?:bottle|handful|fistful)s?\s+of\s+(?:pills|tablets|capsules)\b"
            r"|\b(?:took|swallowed)\s+(?:\d+|dozens\s+of|all\s+(?:of\s+)?(?:the|his|her|their|my))"
            r"\s+(?:pills|tablets|capsules)\b"
            r"|\bjump(?:s|ed|ing)?\s+(?:off|from)\s+(?:a|an|the|his|her|their|my)\s+"
            r"(?:bridge|building|roof|rooftop|cliff|balcony|window|ledge|overpass|tower|platform)\b"
        ),
        near=pattern(SUICIDE_MENTION.pattern + "|" + _ACT_ON_ONESELF + r"|\boverdos\w*"),
        near_in="sentence",
        why=(
            "Details of how someone died by suicide can lead people at risk to copy it. This "
            "check looks only for a few words that describe a method, in a sentence about "
            "suicide or an overdose, so it misses much and rarely fires in error."
        ),
        instead=(
            "say that the person died by suicide, without the method or the place; speak of "
            "what helps and how to reach help"
        ),
        source=REPORTING_ON_SUICIDE,
    ),
    Rule(
        name="suicide or self-harm without the crisis line",
        find=SUICIDE_MENTION,
        unless=pattern(r"(?<!\d)988(?!\d)"),
        whole_article=True,
        missing="gives the crisis line, 988",
        why=(
            "Someone reading about suicide or self-harm may be in crisis right now. The site's "
            "crisis bar is not in the article's feed or in copies people share, so the article "
            "should say where to turn itself."
        ),
        instead=(
            "add a sentence such as “If you are thinking about suicide or harming yourself, "
            "call or text 988 (the 988 Suicide & Crisis Lifeline, 988lifeline.org), or call "
            "911.”"
        ),
        source=REPORTING_ON_SUICIDE,
    ),
    Rule(
        # "a cure for boredom" is flagged too: telling figures of speech apart is not worth the
        # missed claims, and the warning is easy to ignore.
        name="a promise of a cure",
        find=words("cure", "cures", "cured", "curing", "cure-all"),
        negatable=True,
        why=(
            "Depression, trauma and anxiety can ease, but no treatment cures everyone. A "
            "promised cure sets up people for whom it does not work to blame themselves, and "
            "health claims must be backed by good evidence."
        ),
        instead="“can ease”, “may help”, or “many people feel better after…”",
        source=FTC_HEALTH_CLAIMS,
    ),
    Rule(
        name="a guaranteed result",
        find=pattern(
            words("guarantee", "guarantees", "guaranteed", "guaranteeing").pattern
            + r"|\b100\s*(?:%|percent\b|per\s+cent\b)\s*(?:effective|success\w*)\b"
        ),
        negatable=True,
        why=(
            "No treatment works for everyone, so a guaranteed result is a promise no clinic can "
            "keep, and health claims must be backed by good evidence."
        ),
        instead="what studies found and for whom, with the source, e.g. “in one study, about…”",
        source=FTC_HEALTH_CLAIMS,
    ),
    Rule(
        name="“miracle”",
        find=words("miracle", "miracles", "miraculous", "miraculously"),
        negatable=True,
        why=(
            "“Miracle” promises more than any treatment can, and leaves people who do not "
            "improve feeling they failed."
        ),
        instead="what the treatment does and how it feels, in plain words",
        source=FTC_HEALTH_CLAIMS,
    ),
    Rule(
        name="a promise of safety",
        find=pattern(
            words("no side effects", "no side effect", "completely safe", "totally safe",
                  "perfectly safe", "100% safe", "risk free").pattern
        ),
        negatable=True,
        why=(
            "Ketamine has side effects (such as nausea, dizziness, raised blood pressure and "
            "feeling detached) and is not right for everyone. Saying otherwise hides what "
            "people need to decide."
        ),
        instead=(
            "“generally safe with medical screening and monitoring”, and the common side effects"
        ),
        source=FTC_HEALTH_CLAIMS,
    ),
    Rule(
        name="a promise of permanent relief",
        find=words("permanent relief", "permanent results", "permanent remission",
                   "relief forever"),
        negatable=True,
        why=(
            "Relief after ketamine often fades over weeks or months, and many people need "
            "further sessions or other support. “Permanent” promises what studies have not "
            "shown."
        ),
        instead="“lasting relief for some people”, or how long relief lasted in studies",
        source=FTC_HEALTH_CLAIMS,
    ),
    Rule(
        name="ketamine called FDA-approved",
        find=pattern(
            words("FDA approved", "FDA approval", "FDA cleared").pattern
            + r"|\bapproved\s+by\s+the\s+(?:FDA|Food\s+and\s+Drug\s+Administration)\b"
        ),
        near=words("ketamine"),
        near_in="paragraph",
        unless=words("esketamine", "Spravato"),
        negatable=True,
        why=(
            "For depression, only esketamine (Spravato), a nasal spray, is FDA-approved (first "
            "in 2019, for treatment-resistant depression), and only given in certified clinics "
            "that monitor the patient afterwards. Ketamine itself is approved as an anesthetic; "
            "using it for depression is off-label."
        ),
        instead=(
            "“ketamine is used off-label for depression”, or name esketamine (Spravato) if "
            "that is what you mean"
        ),
        source=FDA_ESKETAMINE,
    ),
    Rule(
        name="a number or finding without a source",
        find=pattern(
            r"(?<![\w.,])\d+(?:[.,]\d+)?\s*(?:%|percent\b|per\s+cent\b)"
            r"|\b(?:stud(?:y|ies)|research|science|evidence|trials?|data)\s+"
            r"(?:(?:has|have|also|now|clearly)\s+)*"
            r"(?:shows?|shown|showed|suggests?|suggested|proves?|proven|proved|finds?|found|"
            r"indicates?|indicated|demonstrates?|demonstrated)\b"
        ),
        unless_referenced=True,
        why=(
            "A percentage or “studies show” asks readers to trust a finding they cannot check. "
            "If the number is not a research finding (a fee discount, say), ignore this."
        ),
        instead=(
            "link the study in the same paragraph, or add a footnote ([^1]) that names it"
        ),
        source=FTC_HEALTH_CLAIMS,
    ),
)  # fmt: skip
