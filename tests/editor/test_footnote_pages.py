"""An article with references, checked the way visitors and their tools meet it: the same
checks as every visitor page (tests/end_to_end/test_page_checks.py) — axe-core with every rule
at a phone and a desktop size, light and dark; 44px tap targets and no sideways scrolling on a
phone; the Nu HTML Checker — and the links between the text and the References list in
Debian's chromium."""

from http import HTTPStatus

import pytest
from playwright.sync_api import expect

from tests.end_to_end.test_page_checks import PHONE_LAYOUT, STYLESHEET
from tests.support.factories import make_post, make_series
from tests.support.page_checks import (
    RUN_AXE,
    VIEWPORTS,
    axe_context,
    describe_violation,
    nu_problems,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

# A long address, to wrap on a phone.
DOSING = (
    "https://example.org/research/ketamine-assisted-psychotherapy/"
    "dosing-and-monitoring-in-outpatient-settings-2024"
)
BODY = f"""\
Ketamine-assisted psychotherapy pairs a medicine session with talking before and after it[^dose].
Most people feel the effects for about an hour[^dose], and the session lasts about two.

## What the research says

Early trials are encouraging[^trial], and guidelines ask for careful screening[^guide].

[^dose]: Dosing guidance, {DOSING}.
[^trial]: Smith and Lee (2023), [a randomised trial](https://example.org/trial), page 4.
[^guide]: The practice's own guidelines, in [our safety page](/pages/safety/).

    > Screening comes first.
"""


@pytest.fixture
def article():
    series = make_series(description="Read these in order.[^1]\n\n[^1]: https://example.org/series")
    return make_post(title="What a session is like", body=BODY, series=series, series_position=1)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_axe_finds_no_violations_in_an_article_with_references(
    article, live_server, browser, viewport, scheme
):
    context = axe_context(browser, viewport, scheme)
    page = context.new_page()
    problems = []
    try:
        for path in (article.get_absolute_url(), article.series.get_absolute_url()):
            page.goto(live_server.url + path)
            expect(page.get_by_role("heading", level=2, name="References")).to_be_visible()
            for violation in page.evaluate(RUN_AXE):
                problems.append(describe_violation(f"{path} ({viewport}, {scheme})", violation))
            if viewport == "phone":
                problems += [f"{path}: {problem}" for problem in page.evaluate(PHONE_LAYOUT)]
    finally:
        context.close()
    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)


def test_reference_numbers_lead_to_the_references_and_back(
    article, live_server, page, screenshot, csp_violations
):
    page.set_viewport_size(VIEWPORTS["phone"]["viewport"])
    page.goto(live_server.url + article.get_absolute_url())

    references = page.get_by_role("heading", level=2, name="References")
    expect(references).to_be_visible()
    expect(page.locator("section ol > li")).to_have_count(3)
    cited = page.get_by_role("link", name="Reference 1", exact=True)
    expect(cited).to_have_count(2)  # the same source, cited twice
    cited.nth(1).click()
    expect(page).to_have_url(live_server.url + article.get_absolute_url() + "#fn-1")
    expect(page.locator("#fn-1")).to_be_in_viewport()
    expect(page.locator("#fn-1")).to_contain_text("Dosing guidance")
    screenshot("footnotes-references")

    page.get_by_role("link", name="Back to reference 1 in the text, citation 2").click()
    expect(page).to_have_url(live_server.url + article.get_absolute_url() + "#fnref-1-2")
    expect(page.locator("#fnref-1-2")).to_be_in_viewport()
    page.get_by_role("link", name="Reference 3", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.locator("#fn-3")).to_be_in_viewport()
    page.get_by_role("link", name="Back to reference 3 in the text").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#fnref-3")).to_be_in_viewport()
    expect(page.get_by_role("link", name=DOSING)).to_have_attribute("href", DOSING)
    assert csp_violations == []


def test_nu_html_checker_finds_no_errors_or_warnings_in_an_article_with_references(
    article, client, tmp_path
):
    html = {}
    for name, path in [
        ("article", article.get_absolute_url()),
        ("series", article.series.get_absolute_url()),
    ]:
        response = client.get(path)
        assert response.status_code == HTTPStatus.OK
        html[name] = response.content.decode()
        assert "<h2>References</h2>" in html[name]
    problems = nu_problems(html, [STYLESHEET], tmp_path)
    assert not problems, f"The Nu HTML Checker found {len(problems)}:\n" + "\n".join(problems)
