"""An article on paper, printed from Debian's chromium: its text, byline, review and references
in black on white (even when the screen is dark), without the site around it, and each web
link's address written out. A PDF and a screenshot of each land in test-artifacts/print/."""

import pytest
from playwright.sync_api import expect

from blog import review
from blog.models import RelatedReading
from tests.support.browser import ARTIFACTS
from tests.support.factories import make_clinician, make_post, make_topic

# serialized_rollback: the roles made by data migrations come back after each test.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

FDA = "https://www.fda.gov/news-events/press-announcements/fda-approves-new-nasal-spray-medication-for-treatment-resistant-depression-available-only-at-a-certified-doctors-office"
DOI = "https://doi.org/10.1001/archpsyc.63.8.856"
BODY = f"""## Before a session

Eat lightly, and read [the FDA's notice about esketamine]({FDA}) if you wonder how it differs.
Some studies suggest short-term relief for some people.[^trial]

## Getting home

Someone you trust drives you home, or we call a taxi for you. See [our fees](/pages/fees/).

[^trial]: Zarate CA Jr and others, "A randomized trial of an N-methyl-D-aspartate antagonist in
    treatment-resistant major depression", 2006. <{DOI}>
"""
BLACK, WHITE = "rgb(0, 0, 0)", "rgb(255, 255, 255)"
FOLDER = ARTIFACTS / "print"


@pytest.fixture
def article():
    dana = make_clinician(username="dana", byline="Dana Reyes, LCSW")
    sam = make_clinician(username="sam", byline="Dr. Sam Okafor, MD")
    topic = make_topic(name="Safety")
    post = make_post(
        title="Preparing for a session",
        slug="preparing",
        author=dana,
        body=BODY,
        content_note="This article talks about medicines and their side effects.",
        topics=[topic],
    )
    review.approve(post, sam)
    RelatedReading.objects.create(
        post=post, related_post=make_post(title="Integration"), position=1
    )
    return post


def after(page, selector):
    """The CSS content of the ::after of the first element `selector` matches."""
    return page.locator(selector).first.evaluate(
        "(element) => getComputedStyle(element, '::after').content"
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_article_prints_as_its_text_with_addresses_and_without_the_site(
    live_server, browser, article, scheme
):
    context = browser.new_context(viewport={"width": 800, "height": 1000}, color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(live_server.url + article.get_absolute_url())
        expect(page.locator(".related-reading")).to_be_visible()  # on screen, as usual
        expect(page.locator(".print-only")).to_be_hidden()

        page.emulate_media(media="print", color_scheme=scheme)

        expect(page.locator(".subscribe-link")).to_have_count(1)  # there, but not on paper
        for left_off in [
            ".site-header",  # the crisis bar, the brand and the navigation
            ".site-footer",
            ".skip-link",
            ".reading-nav",  # Next / Previous
            ".related-reading",
            ".topics",
            ".invite",  # the consultation band
            ".subscribe-link",  # "E-mail me when the next part is out"
            'a[aria-label="Back to reference 1 in the text"]',
        ]:
            expect(page.locator(left_off).first).to_be_hidden()
        expect(page.get_by_role("heading", level=1)).to_have_text("Preparing for a session")
        expect(page.get_by_text("By Dana Reyes, LCSW")).to_be_visible()
        expect(page.get_by_text("Reviewed by Dr. Sam Okafor, MD")).to_be_visible()
        expect(page.get_by_text("This article talks about medicines")).to_be_visible()
        expect(page.get_by_role("heading", name="References")).to_be_visible()
        expect(page.get_by_text(live_server.url + article.get_absolute_url())).to_be_visible()

        # A web link's address follows it; not a bare address (already its own text), not a
        # link within the article (a reference number) or within the site.
        assert FDA in after(page, f'.prose a[href="{FDA}"]')
        assert after(page, f'.prose a[href="{DOI}"]') == "none"
        assert after(page, '.prose a[href="#fn-1"]') == "none"
        assert after(page, '.prose a[href="/pages/fees/"]') == "none"

        # Black on white, whatever the screen's colours; the long address wraps.
        colours = page.evaluate(
            """() => [document.body, document.querySelector(".prose a")].map((element) => {
                const style = getComputedStyle(element);
                return [style.color, style.backgroundColor];
            })"""
        )
        assert colours[0] == [BLACK, WHITE]
        assert colours[1][0] == BLACK
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

        FOLDER.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(FOLDER / f"article-{scheme}.png"), full_page=True)
        pdf = page.pdf(path=str(FOLDER / f"article-{scheme}.pdf"), format="Letter")
        assert pdf.startswith(b"%PDF")
    finally:
        context.close()
