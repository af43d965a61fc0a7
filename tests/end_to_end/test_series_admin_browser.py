"""Reordering a series in the admin in a real browser: dragging a part with the mouse
(adminsortable2), or typing the part numbers with the keyboard, under the site's strict
Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in
from tests.support.factories import make_clinician, make_post, make_series

# serialized_rollback: each transactional test starts from the migrated data again, so the
# Clinicians group (made by a data migration) is still there after an earlier test's flush.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

TITLES = ["Preparing", "The session", "Integration"]


@pytest.fixture
def series():
    series = make_series(title="Sleep and mood")
    for number, title in enumerate(TITLES, start=1):
        make_post(title=title, series=series, series_position=number)
    return series


def rows(page):
    return page.locator("#posts-group tbody tr.has_original")


def part_numbers(page):
    """{title: the number in its row's field}, in the order the rows are shown."""
    numbers = {}
    for index in range(rows(page).count()):
        row = rows(page).nth(index)
        title = row.locator("td.field-title").inner_text().strip()
        numbers[title] = row.get_by_role("spinbutton").input_value()
    return numbers


def public_order(page, live_server, series):
    page.goto(live_server.url + series.get_absolute_url())
    return [title.strip() for title in page.locator("main ol li a").all_inner_texts()]


def drag(page, source, target, until):
    """Press the mouse on `source`, move it slowly over the top of `target`, and release it
    once `until()` says the row has moved there (sortable rows animate for a moment, and a
    busy machine is slower still)."""
    source.scroll_into_view_if_needed()  # the mouse only reaches what is on the screen
    start, end = source.bounding_box(), target.bounding_box()
    x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    top = end["y"] + 2
    for step in range(1, 11):
        page.mouse.move(x, y + (top - y) * step / 10)
        page.wait_for_timeout(30)
    for attempt in range(50):
        if until():
            break
        page.mouse.move(x, top + attempt % 2)  # a small move keeps the drag going
        page.wait_for_timeout(100)
    page.mouse.up()


def test_a_clinician_drags_the_last_part_to_the_top_and_saves(
    live_server, page, series, screenshot, csp_violations
):
    make_clinician(username="dana")
    sign_in(page, live_server, "dana")
    page.goto(f"{live_server.url}/admin/blog/series/{series.pk}/change/")
    expect(rows(page)).to_have_count(3)
    assert part_numbers(page) == {"Preparing": "1", "The session": "2", "Integration": "3"}

    # The handle is the row's first cell: the part's title, on the drag pattern. The mouse
    # works within the window: bring the parts into it (the description's editor is above).
    page.locator("#posts-group").scroll_into_view_if_needed()
    drag(
        page,
        rows(page).nth(2).locator("td.original p"),
        rows(page).nth(0),
        until=lambda: (
            rows(page).nth(0).locator("td.field-title").inner_text().strip() == "Integration"
        ),
    )

    expect(rows(page).nth(0).locator("td.field-title")).to_have_text("Integration")
    assert part_numbers(page) == {"Integration": "1", "Preparing": "2", "The session": "3"}
    screenshot("series-admin-dragged")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    assert public_order(page, live_server, series) == ["Integration", "Preparing", "The session"]
    page.get_by_role("link", name="Integration", exact=True).click()
    expect(page.get_by_role("link", name="Next: Preparing")).to_be_visible()
    assert csp_violations == []


def test_a_keyboard_user_types_the_part_numbers_instead(live_server, page, series, csp_violations):
    make_clinician(username="dana")
    sign_in(page, live_server, "dana")
    page.goto(f"{live_server.url}/admin/blog/series/{series.pk}/change/")
    first_number = rows(page).nth(0).get_by_role("spinbutton")
    first_number.focus()

    # Swap the first and the last part: tab from one number field to the next.
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    for _ in range(10):
        page.keyboard.press("Tab")
        if (
            rows(page)
            .nth(2)
            .get_by_role("spinbutton")
            .evaluate("e => e === document.activeElement")
        ):
            break
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    expect(page.get_by_text("was changed successfully")).to_be_visible()

    assert public_order(page, live_server, series) == ["Integration", "The session", "Preparing"]
    assert csp_violations == []
