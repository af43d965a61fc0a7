"""The reading grade (Flesch–Kincaid, by textstat) of what visitors read, its three longest
sentences, and the warning above grade 9."""

import textstat

from editor.checks import ReadingLevel, reading_level, reading_level_warnings
from editor.markdown import render
from tests.support.subprocess_django import PRODUCTION, run_django

SIMPLE = (
    "We sit with you. You rest in a soft chair. The room is quiet and warm. We talk first. "
    "Then you take the medicine. We stay with you the whole time. You can stop at any point."
)
DENSE = (
    "Notwithstanding considerable methodological heterogeneity across published "
    "investigations, contemporary randomized evidence consistently indicates that "
    "subanesthetic ketamine administration precipitates rapid and clinically meaningful "
    "amelioration of treatment-resistant depressive symptomatology in a substantial "
    "proportion of participants. Psychotherapeutic integration subsequently facilitates "
    "consolidation of emergent insights, although the durability of therapeutic "
    "improvements remains incompletely characterized. Comprehensive psychiatric evaluation, "
    "cardiovascular screening and individualized preparation are prerequisites."
)


def level(markdown):
    return reading_level(render(markdown))


def test_simple_text_reads_at_a_low_grade_and_gets_no_warning():
    found = level(SIMPLE)

    assert found.grade < 4
    assert reading_level_warnings(render(SIMPLE)) == []


def test_dense_text_reads_at_a_high_grade_and_gets_a_warning():
    found = level(DENSE)

    assert found.grade > 16
    (warning,) = reading_level_warnings(render(DENSE))
    assert warning.startswith(f"Reading grade {found.grade:.1f}: above grade 9")


def test_the_grade_is_textstats_flesch_kincaid_to_one_decimal():
    text = (
        "Ketamine-assisted therapy pairs a low dose of ketamine with talk therapy. Most sessions "
        "last about three hours, and you rest afterwards. We check your health first, because "
        "ketamine raises blood pressure for a while."
    )

    assert level(text).grade == round(textstat.flesch_kincaid_grade(text), 1) > 5


def test_a_grade_below_zero_is_shown_as_zero():
    assert textstat.flesch_kincaid_grade(SIMPLE) < 0
    assert level(SIMPLE).grade == 0.0


def test_the_three_longest_sentences_longest_first():
    markdown = (
        "One two three. One two three four five six seven. One two three four five.\n\n"
        "- One two three four five six seven eight nine\n"
        "- One two\n"
    )

    assert level(markdown).longest_sentences == [
        "One two three four five six seven eight nine",
        "One two three four five six seven.",
        "One two three four five.",
    ]


def test_the_warning_quotes_the_longest_sentences_shortened_with_their_lengths():
    first, second, third = level(DENSE).longest_sentences
    first_words = first.split()

    (warning,) = reading_level_warnings(render(DENSE))

    assert len(first_words) > 20
    assert (
        f"The longest sentences are: “{' '.join(first_words[:20])} …” ({len(first_words)} words); "
        f"“{second}” ({len(second.split())} words); “{third}” ({len(third.split())} words)."
    ) in warning


def test_markdown_syntax_code_and_link_addresses_do_not_count():
    plain = level(SIMPLE)
    marked_up = level(
        "## We sit with you\n\n"
        "We sit with you. You rest in a **soft** chair. The room is quiet and "
        "[warm](https://example.org/an-extraordinarily-complicated-incomprehensible-address). "
        "We talk first. Then you take the *medicine*. We stay with you the whole time. "
        "You can stop at any point.\n\n"
        "```\nincomprehensibilities notwithstanding_characteristically_unquestionably\n```\n\n"
        "Use `incomprehensibilities.notwithstanding()` here."
    )

    assert marked_up.grade <= plain.grade + 1
    assert not any("incomprehensib" in s for s in marked_up.longest_sentences)


def test_headings_and_list_items_are_sentences_of_their_own():
    found = level("## Before\n\n- Eat lightly\n- Rest well\n- Bring water\n\nWe will call.")

    assert all(len(sentence.split()) <= 3 for sentence in found.longest_sentences)


def test_footnotes_are_left_out_of_the_grade():
    with_footnotes = (
        f"<p>{SIMPLE}<sup><a href='#fn-1'>1</a></sup></p>"
        '<section class="footnotes" data-footnotes><ol><li id="fn-1"><p>Zarate, Carlos A., '
        "et al. A randomized trial of an N-methyl-D-aspartate antagonist in "
        "treatment-resistant major depression. Archives of General Psychiatry, 2006. "
        '<a href="#fnref-1">↩</a></p></li></ol></section>'
    )

    assert reading_level(with_footnotes) == level(SIMPLE)


def test_no_text_is_grade_zero():
    assert reading_level("") == ReadingLevel(grade=0.0, longest_sentences=[])
    assert reading_level("<pre><code>only code</code></pre>").grade == 0.0


def test_textstat_keeps_no_article_in_memory_afterwards():
    reading_level(render(DENSE))

    for function in (
        textstat.backend.selections.list_words,
        textstat.backend.transformations.remove_punctuation,
        textstat.backend.counts.count_syllables,
        textstat.backend.metrics.flesch_kincaid_grade,
    ):
        assert function.cache_info().currsize == 0, function


def test_serving_visitors_never_loads_textstat_and_saving_works_offline():
    """A server process imports the admin (and editor.checks) at start; textstat and its
    pronouncing dictionary load only when a save is checked, from the installed package."""
    result = run_django(
        "import sys\n"
        "import practice.urls\n"
        "loaded_at_start = 'textstat' in sys.modules\n"
        "from editor.checks import reading_level\n"
        "result = [loaded_at_start, reading_level('<p>We sit with you. You rest.</p>').grade]",
        **PRODUCTION,
    )

    assert result == [False, level("We sit with you. You rest.").grade]
