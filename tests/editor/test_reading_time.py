from editor.reading_time import reading_minutes, word_count


def test_a_word_is_a_run_of_letters_digits_or_underscores_in_any_script():
    # The editor's live counts (static/editor/layout.js) count the same way; the browser test
    # in tests/end_to_end/test_editor_layout_browser.py compares the two.
    assert word_count("It's a well-known café, open 24/7") == 9
    assert word_count("cafe\u0301s") == 2  # a combining accent is not a word character
    assert word_count("snake_case Ψυχοθεραπεία 心理") == 3
    assert word_count("") == 0


def test_reading_time_rounds_up_and_is_never_under_a_minute():
    assert reading_minutes("") == 1
    assert reading_minutes("word " * 200) == 1
    assert reading_minutes("word " * 201) == 2
