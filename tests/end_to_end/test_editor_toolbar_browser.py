"""The Markdown editor's formatting toolbar (static/editor/toolbar.js) in a real browser: what
each button writes, with and without a selection; the keyboard alone; the shortcuts; undo; the
live preview; uploading an image; the help; and axe on the page at desktop and phone sizes."""

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import ARTIFACTS, focused, sign_in, tab_to
from tests.support.factories import make_clinician, png_bytes
from tests.support.page_checks import RUN_AXE, axe_context, describe_violation

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

ADD_ARTICLE = "/admin/blog/post/add/"
SCREENSHOTS = ARTIFACTS / "editor-toolbar"

# What the text area holds and what is selected in it, as one string: « and » mark the
# selection, | a cursor with nothing selected.
SHOW = """(editor) => {
  const {value, selectionStart: start, selectionEnd: end} = editor;
  const marks = start === end ? "|" : "«" + value.slice(start, end) + "»";
  return value.slice(0, start) + marks + value.slice(end);
}"""

SET = """(editor, text) => {
  const start = text.search(/[«|]/);
  const plain = text.replace(/[«»|]/g, "");
  const end = text.includes("|") ? start : text.indexOf("»") - 1;
  editor.value = plain;
  editor.focus();
  editor.setSelectionRange(start, end);
}"""


@pytest.fixture
def editor(live_server, page):
    make_clinician(username="dana")
    sign_in(page, live_server, "dana")
    page.goto(live_server.url + ADD_ARTICLE)
    return page.locator("textarea[name=body]")


def write(editor, text):
    """Put `text` in the editor, with the selection marked as SHOW shows it."""
    editor.evaluate(SET, text)


def shown(editor):
    return editor.evaluate(SHOW)


def toolbar(page):
    return page.get_by_role("toolbar", name="Formatting")


# (button, before, after) in SHOW's notation.
ON_A_SELECTION = [
    ("Bold (Ctrl+B)", "Take «a breath »now", "Take **«a breath»** now"),
    ("Bold (Ctrl+B)", "Take **«a breath»** now", "Take «a breath» now"),
    ("Italic (Ctrl+I)", "Take «a breath» now", "Take _«a breath»_ now"),
    ("Heading (level 2)", "Intro\n\nWhat «to» expect", "Intro\n\n«## What to expect»"),
    ("Heading (level 2)", "### What to| expect", "## What to expect|"),
    ("Subheading (level 3)", "## What to| expect", "### What to expect|"),
    ("Heading (level 2)", "## What to| expect", "What to expect|"),
    ("Bulleted list", "«Rest\nDrink water»", "«- Rest\n- Drink water»"),
    ("Bulleted list", "«- Rest\n- Drink water»", "«Rest\nDrink water»"),
    ("Numbered list", "«Rest\n\nDrink water\n- Sleep»", "«1. Rest\n\n2. Drink water\n3. Sleep»"),
    ("Quote", "«It helped.\nA lot.»", "«> It helped.\n> A lot.»"),
    ("Link (Ctrl+K)", "Call «the lifeline» today", "Call [the lifeline](«https://») today"),
    (
        "Link (Ctrl+K)",
        "See «https://988lifeline.org»",
        "See [«link text»](https://988lifeline.org)",
    ),
    (
        "Footnote: cite a source",
        "Most «people» improve.[^1]\n\n[^1]: Smith, 2020.\n",
        "Most people[^2] improve.[^1]\n\n[^1]: Smith, 2020.\n\n[^2]: |",
    ),
]

WITH_NOTHING_SELECTED = [
    ("Bold (Ctrl+B)", "Take | now", "Take **«bold text»** now"),
    ("Italic (Ctrl+I)", "Take |", "Take _«italic text»_"),
    ("Heading (level 2)", "Intro\n\n|", "Intro\n\n## «Heading»"),
    ("Subheading (level 3)", "|", "### «Subheading»"),
    ("Bulleted list", "Steps:\n|", "Steps:\n- «List item»"),
    ("Numbered list", "|", "1. «List item»"),
    ("Quote", "|", "> «Quoted text»"),
    ("Link (Ctrl+K)", "Read |", "Read [link text](«https://»)"),
    ("Footnote: cite a source", "Most people improve.|", "Most people improve.[^1]\n\n[^1]: |"),
]


def check_buttons(page, editor, cases):
    wrong = []
    for name, before, after in cases:
        write(editor, before)
        toolbar(page).get_by_role("button", name=name).click()
        if shown(editor) != after:
            wrong.append(f"{name} on {before!r}: {shown(editor)!r}, expected {after!r}")
        expect(editor).to_be_focused()
    assert not wrong, "\n".join(wrong)


def test_each_button_formats_the_selected_text_and_selects_the_result(page, editor):
    check_buttons(page, editor, ON_A_SELECTION)


def test_each_button_with_nothing_selected_writes_a_placeholder_and_selects_it(page, editor):
    check_buttons(page, editor, WITH_NOTHING_SELECTED)


def test_a_heading_a_list_and_a_link_from_the_keyboard_alone(page, editor, csp_violations):
    preview = page.locator(".markdownx-preview")
    stops = []
    page.get_by_label("Summary:", exact=True).focus()

    # The toolbar is one Tab stop, before the text.
    tab_to(page, "Bold", stops)
    page.keyboard.press("End")
    assert focused(page) == "Markdown help"
    page.keyboard.press("Home")
    assert focused(page) == "Bold"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert focused(page) == "Heading"
    page.keyboard.press("Enter")
    expect(editor).to_be_focused()
    page.keyboard.type("Winding down")
    expect(preview.get_by_role("heading", level=2)).to_have_text("Winding down")

    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Alt+F10")  # back to the toolbar, on the button last used
    assert focused(page) == "Heading"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert focused(page) == "List"
    page.keyboard.press("Space")
    page.keyboard.type("Dim the lights")
    page.keyboard.press("Enter")
    page.keyboard.type("- Put the phone away")
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")

    page.keyboard.type("Read ")
    page.keyboard.press("Control+k")
    page.keyboard.type("https://988lifeline.org/")
    page.keyboard.press("End")
    page.keyboard.press("Shift+Home")
    page.keyboard.press("Alt+F10")
    page.keyboard.press("Escape")  # and back to the text, with nothing changed
    expect(editor).to_be_focused()

    assert editor.input_value() == (
        "## Winding down\n\n- Dim the lights\n- Put the phone away\n\n"
        "Read [link text](https://988lifeline.org/)"
    )
    expect(preview.get_by_role("listitem")).to_have_text(["Dim the lights", "Put the phone away"])
    expect(preview.get_by_role("link", name="link text")).to_have_attribute(
        "href", "https://988lifeline.org/"
    )
    # The Tab stop went straight from the summary's neighbours to the toolbar, no button twice.
    assert stops.count("Bold") == 1
    assert "Italic" not in stops
    assert csp_violations == []


def test_tab_leaves_the_text_as_it_leaves_any_field(page, editor):
    # markdownx would indent instead, and a keyboard alone could never get out of the text.
    write(editor, "Breathe in")
    editor.focus()
    expect(editor).to_be_focused()
    page.keyboard.press("Tab")
    expect(editor).not_to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(editor).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(editor).not_to_be_focused()
    assert editor.input_value() == "Breathe in"  # no tab typed, nothing taken away


def test_the_shortcuts_format_and_leave_other_keys_to_the_browser(page, editor):
    write(editor, "Take «a breath» now")
    page.keyboard.press("Control+b")
    assert shown(editor) == "Take **«a breath»** now"
    page.keyboard.press("Control+i")
    assert shown(editor) == "Take **_«a breath»_** now"
    page.keyboard.press("Control+k")
    assert shown(editor) == "Take **_[a breath](«https://»)_** now"
    page.keyboard.press("Control+a")  # not ours: still selects everything
    assert shown(editor) == "«Take **_[a breath](https://)_** now»"


def test_ctrl_z_undoes_a_toolbar_change(page, editor):
    write(editor, "Take «a breath» now")
    toolbar(page).get_by_role("button", name="Bold (Ctrl+B)").click()
    toolbar(page).get_by_role("button", name="Numbered list").click()
    assert editor.input_value() == "1. Take **a breath** now"

    page.keyboard.press("Control+z")
    assert editor.input_value() == "Take **a breath** now"
    page.keyboard.press("Control+z")
    assert editor.input_value() == "Take a breath now"


def test_image_opens_the_file_picker_and_uploads_through_the_editor(
    page, editor, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    write(editor, "Our room:\n\n|")
    with page.expect_file_chooser() as chooser:
        toolbar(page).get_by_role("button", name="Image: upload a picture").click()
    chooser.value.set_files(
        files=[{"name": "room.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )

    code = r"!\[Describe this image\]\(/media/uploads/\d{4}/\d{2}/[0-9a-f]{32}\.png\)"
    expect(editor).to_have_value(re.compile(rf"^Our room:\n\n{code}$"))
    expect(
        page.locator(".markdownx-preview").get_by_role("img", name="Describe this image")
    ).to_be_visible()


def test_markdown_help_opens_and_closes_under_the_toolbar(page, editor):
    button = toolbar(page).get_by_role("button", name="Markdown help")
    help_text = page.locator(".editor-help")
    expect(help_text).to_be_hidden()

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(help_text).to_be_visible()
    expect(help_text).to_contain_text("Replace “Describe this image” with what the picture shows")
    expect(help_text).to_contain_text("[^1]: Author, title, year.")

    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(help_text).to_be_hidden()


@pytest.mark.parametrize(
    ("path", "field"),
    [("/admin/pages/page/add/", "body"), ("/admin/blog/series/add/", "description")],
    ids=["page", "series"],
)
def test_pages_and_series_descriptions_get_the_toolbar_too(live_server, page, path, field):
    make_clinician(username="dana")
    sign_in(page, live_server, "dana")
    page.goto(live_server.url + path)
    editor = page.locator(f"textarea[name={field}]")
    write(editor, "Read «this» first")

    toolbar(page).get_by_role("button", name="Italic (Ctrl+I)").click()

    assert shown(editor) == "Read _«this»_ first"
    expect(page.locator(".markdownx-preview em")).to_have_text("this")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_axe_finds_no_violations_on_the_editor_with_its_toolbar_and_help(
    live_server, browser, viewport, scheme
):
    make_clinician(username="dana")
    context = axe_context(browser, viewport, scheme)
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        sign_in(page, live_server, "dana")
        page.goto(live_server.url + ADD_ARTICLE)
        editor = page.locator("textarea[name=body]")
        write(editor, "## Winding down\n\nStart **an hour before bed**.[^1]\n\n[^1]: Smith, 2020.")
        toolbar(page).get_by_role("button", name="Markdown help").click()
        expect(page.locator(".markdownx-preview h2").first).to_have_text("Winding down")
        toolbar(page).get_by_role("button", name="Bold (Ctrl+B)").focus()
        field = page.locator(".field-body")
        field.scroll_into_view_if_needed()
        page.mouse.move(0, 0)  # no button under the mouse in the screenshot
        field.screenshot(path=str(SCREENSHOTS / f"{viewport}-{scheme}.png"))
        violations = page.evaluate(RUN_AXE)
    finally:
        context.close()
    problems = [describe_violation(f"{viewport} ({scheme})", v) for v in violations]
    assert not problems, f"axe found {len(problems)} problem(s):\n" + "\n".join(problems)
