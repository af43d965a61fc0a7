"""Safe messaging and health claims: each rule warns on its words, names them exactly, and says
why, what to write instead and where the rule comes from; nearby wording that is fine, and
anything in code, gets no warning."""

import re

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from editor.checks import safe_messaging_warnings, writing_warnings
from editor.markdown import render
from editor.safe_messaging import RULES
from tests.support.hypothesis_setup import ANY_TEXT, PROPERTY

RULE = {rule.name: rule for rule in RULES}
LANGUAGE = "“committed suicide”"
SUCCESS_OR_FAILURE = "suicide described as a success or a failure"
METHOD = "how a suicide happened"
CRISIS_LINE = "suicide or self-harm without the crisis line"
CURE = "a promise of a cure"
GUARANTEE = "a guaranteed result"
MIRACLE = "“miracle”"
SAFETY = "a promise of safety"
PERMANENT = "a promise of permanent relief"
FDA = "ketamine called FDA-approved"
NO_SOURCE = "a number or finding without a source"


def warnings(markdown, rule_name=None):
    rules = [RULE[rule_name]] if rule_name else RULES
    return safe_messaging_warnings(render(markdown), rules=rules)


# (rule, Markdown, the words the warning names)
FOUND = [
    (LANGUAGE, "He committed suicide in 2019.", "committed suicide"),
    (LANGUAGE, "Why do people commit suicide?", "commit suicide"),
    (LANGUAGE, "She had **committed** *suicide*.", "committed suicide"),
    (SUCCESS_OR_FAILURE, "It was her second failed suicide attempt.", "failed suicide attempt"),
    (SUCCESS_OR_FAILURE, "A successful suicide is rare.", "successful suicide"),
    (
        SUCCESS_OR_FAILURE,
        "An unsuccessful suicide attempt left him hurt.",
        "unsuccessful suicide attempt",
    ),
    (SUCCESS_OR_FAILURE, "After a failed attempt, suicide felt certain.", "failed attempt"),
    (METHOD, "He hanged himself after years of depression.", "hanged himself"),
    (METHOD, "In her suicide attempt she jumped off the bridge.", "jumped off the bridge"),
    (METHOD, "The suicide note mentioned a noose.", "noose"),
    (METHOD, "He took 40 pills in an overdose.", "took 40 pills"),
    (METHOD, "She tried to kill herself with carbon monoxide.", "carbon monoxide"),
    (CRISIS_LINE, "Thoughts of suicide are common in depression.", "suicide"),
    (CRISIS_LINE, "Some clients have a history of self-harm.", "self-harm"),
    (CRISIS_LINE, "Some clients have a history of self harm.", "self harm"),
    (CRISIS_LINE, "“I want to kill myself,” she said.", "kill myself"),
    (CRISIS_LINE, "Suicidal thoughts can ease.", "Suicidal"),
    (CURE, "Ketamine cures depression.", "cures"),
    (CURE, "Ketamine is a cure for boredom.", "cure"),
    (CURE, "Many clients are cured in weeks.", "cured"),
    (GUARANTEE, "Results are guaranteed.", "guaranteed"),
    (GUARANTEE, "KAP is 100% effective.", "100% effective"),
    (GUARANTEE, "It is 100 percent effective.", "100 percent effective"),
    (MIRACLE, "A miracle for the mind.", "miracle"),
    (SAFETY, "Ketamine has no side effects.", "no side effects"),
    (SAFETY, "It is completely safe.", "completely safe"),
    (PERMANENT, "Enjoy permanent relief.", "permanent relief"),
    (FDA, "Ketamine is FDA-approved for depression.", "FDA-approved"),
    (FDA, "Our ketamine therapy is FDA approved.", "FDA approved"),
    (FDA, "Ketamine was approved by the FDA.", "approved by the FDA"),
    (NO_SOURCE, "About 40% of clients feel better.", "40%"),
    (NO_SOURCE, "About 40 percent of clients feel better.", "40 percent"),
    (NO_SOURCE, "About 12.5 % of clients feel worse.", "12.5 %"),
    (NO_SOURCE, "Studies show that ketamine helps.", "Studies show"),
    (NO_SOURCE, "Research shows it helps.", "Research shows"),
    (NO_SOURCE, "Research suggests it helps.", "Research suggests"),
]


@pytest.mark.parametrize(("rule_name", "markdown", "words"), FOUND)
def test_each_rule_warns_and_names_the_exact_words(rule_name, markdown, words):
    found = warnings(markdown, rule_name)

    assert len(found) == 1, found
    assert found[0].startswith(f"The text says “{words}”"), found[0]


@pytest.mark.parametrize(
    ("rule_name", "markdown"),
    [
        (LANGUAGE, "He died by suicide in 2019. Call or text 988."),
        (LANGUAGE, "She took her own life."),
        (SUCCESS_OR_FAILURE, "She survived a suicide attempt."),
        (SUCCESS_OR_FAILURE, "My first failed attempt at baking bread was a brick."),
        (METHOD, "Ketamine shots can ease suicidal thoughts."),
        (METHOD, "Hanging out with friends lowers suicide risk."),
        (METHOD, "If someone is thinking about suicide, lock firearms and medicines away."),
        (METHOD, "He hanged the painting. Later we talked about suicide."),
        (METHOD, "Take 2 tablets with food; an overdose is dangerous."),
        (CRISIS_LINE, "Thoughts of suicide are common. Call or text 988, any time."),
        (CRISIS_LINE, "Thoughts of suicide are common.\n\n`988` answers day and night."),
        (CRISIS_LINE, "Thoughts of suicide are common. [Call the crisis line](tel:988)."),
        (CRISIS_LINE, "Self-care matters. We harm no one."),
        (CURE, "Our site is secure, and we are curious about you."),
        (CURE, "We procured a new chair. Security matters. A curator chose the art."),
        (CURE, "Ketamine is not a cure."),
        (CURE, "There is no cure for grief, but there is company."),
        (CURE, "Ketamine doesn’t cure depression for everyone."),
        (CURE, "### Will KAP cure my depression?"),
        (GUARANTEE, "We can't guarantee results, and no one can."),
        (GUARANTEE, "Results are not guaranteed."),
        (GUARANTEE, "We are 100% committed to your privacy."),
        (MIRACLE, "There is no miracle here: just steady work."),
        (SAFETY, "Ketamine is not completely safe for everyone."),
        (SAFETY, "Common side effects are nausea and dizziness."),
        (PERMANENT, "Relief may be lasting for some people."),
        (FDA, "Esketamine, a form of ketamine, is FDA-approved."),
        (FDA, "Spravato is FDA approved; ketamine is used off-label."),
        (FDA, "Ketamine is not FDA-approved for depression."),
        (FDA, "Ketamine helps some people.\n\nWe use an FDA-approved blood pressure cuff."),
        (NO_SOURCE, "About 40% of clients feel better ([Smith, 2020](https://example.org/s))."),
        (NO_SOURCE, "Studies show that ketamine helps.[^1]\n\n[^1]: Smith, 2020."),
        (NO_SOURCE, "Studies show that ketamine helps.[^1]"),
        (NO_SOURCE, "Call 555-0100 at 9 a.m. Sessions last 3 hours."),
    ],
)
def test_wording_that_is_fine_gets_no_warning(rule_name, markdown):
    assert warnings(markdown, rule_name) == []


def test_died_by_suicide_with_the_crisis_line_gets_no_warning_at_all():
    markdown = (
        "Her brother died by suicide. If you are thinking about suicide, call or text 988 "
        "(the 988 Suicide & Crisis Lifeline), or call 911."
    )

    assert warnings(markdown) == []


def test_a_footnote_marker_as_rendered_counts_as_a_reference():
    html = (
        '<p>About 40% of clients feel better.<sup class="footnote-ref">'
        '<a href="#fn-1" id="fnref-1" data-footnote-ref>1</a></sup></p>'
    )

    assert safe_messaging_warnings(html, rules=[RULE[NO_SOURCE]]) == []


def test_a_reference_counts_only_in_its_own_paragraph():
    markdown = "About 40% of clients feel better.\n\n[Our sources](https://example.org/s)."

    assert warnings(markdown, NO_SOURCE) != []


def test_list_items_and_table_cells_are_paragraphs_of_their_own():
    in_a_list = "- About 40% of clients feel better.\n- [Our sources](https://example.org/s)"
    in_a_table = "| finding | source |\n|---|---|\n| 40% feel better | [Smith](https://e.org) |"
    in_one_cell = "| finding |\n|---|\n| 40% feel better ([Smith](https://e.org)) |"

    assert warnings(in_a_list, NO_SOURCE) != []
    assert warnings(in_a_table, NO_SOURCE) != []
    assert warnings(in_one_cell, NO_SOURCE) == []


def test_the_fda_rule_looks_for_ketamine_in_the_same_paragraph():
    found = warnings("Ketamine is FDA-approved.", FDA)

    assert "(in a paragraph with “Ketamine”)" in found[0]


def test_a_method_is_named_with_the_suicide_word_beside_it():
    found = warnings("The suicide note mentioned a noose.", METHOD)

    assert "“noose” (in a sentence with “suicide”)" in found[0]


def test_the_crisis_line_warning_says_what_is_missing():
    found = warnings("Thoughts of suicide are common.", CRISIS_LINE)

    assert found[0].startswith("The text says “suicide”, but never gives the crisis line, 988.")


def test_each_rule_gives_one_warning_naming_each_phrase_once():
    found = warnings("A cure. The CURE. Cured! Another cure.", CURE)

    assert len(found) == 1
    assert found[0].startswith("The text says “cure”, “Cured”.")


def test_a_warning_says_why_what_instead_and_the_source():
    rule = RULE[LANGUAGE]

    (warning,) = warnings("He committed suicide.", LANGUAGE)

    assert rule.why in warning
    assert f"Better: {rule.instead}" in warning
    assert warning.endswith(f"Source: {rule.source.name}, {rule.source.url}")


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_every_rule_has_a_reason_a_better_choice_and_a_public_source(rule):
    assert rule.why.strip() and rule.instead.strip()
    assert rule.source.name.strip()
    assert re.fullmatch(r"https://[a-z0-9.-]+\.[a-z]+/\S*", rule.source.url), rule.source.url


def test_rule_names_are_distinct():
    assert len(RULE) == len(RULES)


def test_words_in_code_never_trigger_a_rule():
    examples = [markdown for _, markdown, _ in FOUND]
    inline = "\n\n".join(f"Say `{example}` here." for example in examples)
    block = "```\n" + "\n".join(examples) + "\n```"
    indented = "\n".join(f"    {example}" for example in examples)

    for markdown in (inline, block, indented):
        assert warnings(markdown) == [], markdown


def test_writing_warnings_gives_safe_messaging_accessibility_and_reading_level_in_that_order():
    dense = (
        "Notwithstanding considerable methodological heterogeneity, contemporary "
        "investigations consistently demonstrate that subanesthetic ketamine administration "
        "precipitates rapid, clinically meaningful amelioration of treatment-resistant "
        "depressive symptomatology. "
    )
    html = render(f"# Title\n\nKetamine is a miracle.\n\n{dense * 3}")

    found = writing_warnings(html, summary="")

    assert found[0].startswith("The text says “miracle”")
    assert "top-level heading" in found[1]
    assert "summary is empty" in found[2]
    assert found[3].startswith("Reading grade ")
    assert len(found) == 4


def test_writing_warnings_is_empty_for_careful_plain_writing():
    html = render(
        "## After a session\n\nMost people rest for an hour. Some feel calm; some feel "
        "tired. We will call you the next day to ask how you are."
    )

    assert writing_warnings(html, summary="What happens after a session.") == []


FRAGMENTS = [
    "suicide", "committed suicide", "988", "cure", "not ", "no ", "?", ".", "…", "!", " ",
    "\n", "\n\n", "- ", "# ", "`", "```\n", "[^1]", "[x](https://a.test)", "40%", "percent",
    "studies show", "FDA-approved", "ketamine", "esketamine", "hanged himself", "*", "**",
    "| a |\n|---|\n| ", "> ", "’", "”", "“", "(", ")",
]  # fmt: skip


@hypothesis.settings(**PROPERTY, max_examples=150)
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), ANY_TEXT), max_size=30))
def test_any_text_gets_plain_warnings_and_never_an_error(parts):
    found = writing_warnings(render("".join(parts)), summary="A summary.")

    assert all(isinstance(warning, str) and warning.strip() for warning in found)
