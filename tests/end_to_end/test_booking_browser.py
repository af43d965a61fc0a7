"""Booking the call in a real browser on a phone (360×640): with the keyboard alone, then moving
and cancelling it through the link in the confirmation, "Show later days", and a time taken by
someone else a moment before. Screenshots of each page land in test-artifacts/."""

import re
from datetime import datetime
from email import message_from_bytes, policy

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from consultations import calls
from consultations.booking import book, free_times
from consultations.forms import NO_TIME, TIME_NOT_FREE, when
from consultations.models import ConsultationRequest, ContactMethod, RequestStatus
from tests.support.browser import answer_the_first_question, tab_to
from tests.support.factories import make_call_taker, make_request
from tests.support.mail import deliver_queued_mail

# serialized_rollback: the roles made by data migrations come back after each test.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

PHONE = {"width": 360, "height": 640}
THANKS_HEADING = "Thank you, we have your request"
CONSENT_LABEL = re.compile(r"^I agree that .* may keep these details")
CHANGE_LINK = re.compile(r"https?://\S+/consultation/call/[^/\s]+/")
NOT_FREE = TIME_NOT_FREE.split(".")[0]  # "That time is not free any more"


@pytest.fixture
def browser_context_args(browser_context_args):
    """A phone: 360×640, touch, the mobile viewport."""
    return {**browser_context_args, "viewport": PHONE, "is_mobile": True, "has_touch": True}


@pytest.fixture(autouse=True)
def _people_fill_forms_in_their_own_time(settings):
    # The form treats a submission within CONSULTATION_MIN_FILL_SECONDS as a bot's; a browser
    # driven by a test is that fast. Read at request time, so the live server sees this too.
    settings.CONSULTATION_MIN_FILL_SECONDS = 0


@pytest.fixture
def taker():
    """Someone who takes calls 9 to 5 every day, so the first two days always offer times."""
    return make_call_taker(hours=((9, 17),), weekdays=range(7))


def time_of(radio):
    return datetime.fromisoformat(radio.get_attribute("value"))


def booked_for(page, moment):
    """The thank-you page, naming the booked time."""
    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS_HEADING)
    expect(page.get_by_role("main")).to_contain_text(
        f"Your call is booked for {when(moment)} (Pacific time)"
    )


def days(page):
    return page.locator("fieldset.call-day")


def label_of(page, radio):
    return page.locator(f"label[for={radio.get_attribute('id')}]")


def mail_to(address):
    """The messages delivered to `address` so far (a delivery pass first), oldest first."""
    return [message for message in deliver_queued_mail() if message.to == [address]]


def calendar_event(message):
    """The event in a message's calendar file (call.ics)."""
    parsed = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    (ics,) = [part for part in parsed.iter_attachments() if part.get_filename() == "call.ics"]
    (event,) = Calendar.from_ical(ics.get_content()).walk("VEVENT")
    return event


def test_a_visitor_books_with_the_keyboard_alone_then_moves_and_cancels_the_call_by_the_link(
    live_server, page, taker, screenshot, csp_violations
):
    page.goto(f"{live_server.url}/consultation/")
    stops = []

    # The first question: where they will be (typing a name picks it from the list), and age.
    tab_to(page, "id_location", stops)
    page.keyboard.type("Oregon")
    expect(page.locator("#id_location")).to_have_value("OR")
    tab_to(page, "id_age_0", stops)
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name="I am 18 or older")).to_be_checked()
    tab_to(page, "id_name", stops)
    page.keyboard.type("Robin")
    tab_to(page, "id_phone", stops)
    page.keyboard.type("(555) 010-0123")
    tab_to(page, "id_email", stops)
    page.keyboard.type("robin@example.com")
    # The times are one radio group, so one Tab stop, on the choice checked: "No time suits me".
    tab_to(page, "id_call_time_0", stops)
    expect(page.get_by_role("radio", name=NO_TIME)).to_be_checked()
    for _ in range(3):
        page.keyboard.press("ArrowDown")  # the first, second and third times offered
    page.keyboard.press("Space")
    chosen = page.locator("#id_call_time_3")
    expect(chosen).to_be_focused()
    expect(chosen).to_be_checked()
    # The radio button itself is hidden under its label, so the label shows the focus.
    expect(label_of(page, chosen)).to_have_css("outline-style", "solid")
    screenshot("booking-keyboard-time-chosen-phone")
    moment = time_of(chosen)
    tab_to(page, "id_consent", stops)
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name=CONSENT_LABEL)).to_be_checked()
    tab_to(page, "Send my request", stops)

    # Every control is one stop, in reading order: the times (one group) after the voicemail
    # box, then "Show later days", and the message below them.
    assert stops[stops.index("id_location") :] == [
        "id_location",
        "id_age_0",
        "id_name",
        "id_phone",
        "id_email",
        "id_preferred_contact_0",
        *[f"id_best_times_{number}" for number in range(4)],
        "id_voicemail_ok",
        "id_call_time_0",
        "later_days",
        "id_message",
        "id_heard_about",
        "id_consent",
        "our privacy page",
        "Send my request",
    ]

    page.keyboard.press("Enter")

    booked_for(page, moment)
    screenshot("booking-thanks-phone")
    request = ConsultationRequest.objects.get(name="Robin")
    assert (request.call_at, request.assigned_to) == (moment, taker.user)
    assert (request.status, request.preferred_contact) == (RequestStatus.NEW, "phone")

    # The confirmation: the time in words, a calendar file, and the link to change or cancel.
    (confirmation,) = mail_to("robin@example.com")
    assert when(moment) in confirmation.body
    assert calendar_event(confirmation).decoded("dtstart") == moment
    link = CHANGE_LINK.search(confirmation.body).group()

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your call with us")
    expect(page.get_by_role("main")).to_contain_text(f"Your free call is booked for {when(moment)}")
    # The booked time is not offered again; nothing is chosen until the visitor chooses.
    offered = page.get_by_role("radio")
    assert moment.isoformat() not in [r.get_attribute("value") for r in offered.all()]
    expect(page.locator("input[name=call_time]:checked")).to_have_count(0)
    screenshot("booking-change-link-phone")

    new_time = days(page).nth(1).get_by_role("radio").first  # the next day's first time
    later = time_of(new_time)
    label_of(page, new_time).tap()
    expect(new_time).to_be_checked()
    page.get_by_role("button", name="Move my call to this time").click()

    booked_for(page, later)
    screenshot("booking-moved-thanks-phone")
    request.refresh_from_db()
    assert (request.call_at, request.call_sequence) == (later, 2)
    moved = mail_to("robin@example.com")[-1]
    assert when(later) in moved.body
    event = calendar_event(moved)
    assert (event.decoded("dtstart"), event["sequence"]) == (later, 2)

    page.goto(link)  # the same link still works, now for the new time
    expect(page.get_by_role("main")).to_contain_text(f"Your free call is booked for {when(later)}")
    page.get_by_role("button", name="Cancel my call").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your call is cancelled")
    screenshot("booking-cancelled-phone")
    request.refresh_from_db()
    assert (request.call_at, request.status) == (None, RequestStatus.CLOSED)
    cancelled = mail_to("robin@example.com")[-1]
    assert calendar_event(cancelled)["status"] == "CANCELLED"

    response = page.goto(link)  # once cancelled, the link says so kindly, and changes nothing
    assert response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
    expect(page.get_by_role("button")).to_have_count(0)
    screenshot("booking-link-no-longer-works-phone")
    assert csp_violations == []


def test_show_later_days_keeps_everything_typed_and_a_later_day_can_be_booked(
    live_server, page, taker, screenshot
):
    page.goto(f"{live_server.url}/consultation/")
    answer_the_first_question(page)
    name = page.get_by_label("What should we call you?")
    phone = page.get_by_label("Phone number")
    email = page.get_by_label("E-mail address")
    by_text = page.get_by_role("radio", name="Text message")
    evenings = page.get_by_role("checkbox", name=re.compile("^Weekday evenings"))
    voicemail = page.get_by_role("checkbox", name=re.compile("OK to leave a voicemail"))
    message = page.get_by_label("Anything you would like us to know before we call?")
    consent = page.get_by_role("checkbox", name=CONSENT_LABEL)
    name.fill("Sam Rivera")
    phone.fill("(555) 010-0177")
    email.fill("sam@example.com")
    by_text.check()
    evenings.check()
    voicemail.check()
    message.fill("Evenings are best.")
    consent.check()
    first_choice = days(page).first.get_by_role("radio").first
    label_of(page, first_choice).tap()
    expect(days(page)).to_have_count(2)

    page.get_by_role("button", name="Show later days").click()

    # Every day of the booking window, and everything as it was.
    expect(page.get_by_role("button", name="Show later days")).to_have_count(0)
    assert days(page).count() > 2
    expect(page.get_by_role("alert")).to_have_count(0)  # no mistakes pointed out
    expect(page.get_by_label("Where will you be during your sessions?")).to_have_value("OR")
    expect(page.get_by_role("radio", name="I am 18 or older")).to_be_checked()
    expect(name).to_have_value("Sam Rivera")
    expect(phone).to_have_value("(555) 010-0177")
    expect(email).to_have_value("sam@example.com")
    expect(by_text).to_be_checked()
    expect(evenings).to_be_checked()
    expect(voicemail).to_be_checked()
    expect(message).to_have_value("Evenings are best.")
    expect(consent).to_be_checked()
    expect(page.locator(f"input[value='{first_choice.get_attribute('value')}']")).to_be_checked()
    assert ConsultationRequest.objects.count() == 0
    screenshot("booking-later-days-phone")

    later_time = days(page).last.get_by_role("radio").last
    moment = time_of(later_time)
    label_of(page, later_time).tap()
    page.get_by_role("button", name="Send my request").click()

    booked_for(page, moment)
    request = ConsultationRequest.objects.get()
    assert (request.name, request.phone, request.email) == (
        "Sam Rivera",
        "(555) 010-0177",
        "sam@example.com",
    )
    assert (request.preferred_contact, request.best_times) == (ContactMethod.TEXT, ["evening"])
    assert (request.voicemail_ok, request.message) == (True, "Evenings are best.")
    assert request.call_at == moment


def test_a_time_booked_by_someone_else_meanwhile_shows_the_form_again_with_everything_kept(
    live_server, page, taker, screenshot
):
    page.goto(f"{live_server.url}/consultation/")
    answer_the_first_question(page)
    page.get_by_label("What should we call you?").fill("Alex")
    page.get_by_label("Phone number").fill("(555) 010-0199")
    page.get_by_role("checkbox", name=CONSENT_LABEL).check()
    wanted = days(page).first.get_by_role("radio").first
    label_of(page, wanted).tap()
    taken = wanted.get_attribute("value")
    # Someone else books that very time a moment before Alex presses Send.
    make_request(name="Quicker", assigned_to=taker.user, call_at=datetime.fromisoformat(taken))

    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send my request").click()

    assert navigation.value.status == 409
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(NOT_FREE)
    expect(page.get_by_role("group", name=re.compile("^Pick a time for our call"))).to_contain_text(
        NOT_FREE
    )
    expect(page.get_by_label("What should we call you?")).to_have_value("Alex")
    expect(page.get_by_label("Phone number")).to_have_value("(555) 010-0199")
    expect(page.get_by_role("checkbox", name=CONSENT_LABEL)).to_be_checked()
    expect(page.locator(f"input[value='{taken}']")).to_have_count(0)  # no longer offered
    assert list(ConsultationRequest.objects.values_list("name", flat=True)) == ["Quicker"]
    screenshot("booking-time-not-free-phone")

    # Another time, and it is booked.
    other = days(page).first.get_by_role("radio").first
    moment = time_of(other)
    label_of(page, other).tap()
    page.get_by_role("button", name="Send my request").click()

    booked_for(page, moment)
    assert ConsultationRequest.objects.get(name="Alex").call_at == moment


# The error summary's links take the visitor to the field to correct (see
# test_consultations_browser.py); for the times, its link is href="#", the top of the page.


def focus_is_in_the_times(page):
    return page.evaluate("() => Boolean(document.activeElement.closest('.call-times'))")


def test_on_the_form_the_summary_link_for_a_time_no_longer_free_goes_to_the_times(
    live_server, page, taker
):
    page.goto(f"{live_server.url}/consultation/")
    answer_the_first_question(page)
    page.get_by_label("What should we call you?").fill("Alex")
    page.get_by_label("Phone number").fill("(555) 010-0199")
    page.get_by_role("checkbox", name=CONSENT_LABEL).check()
    wanted = days(page).first.get_by_role("radio").first
    taken = datetime.fromisoformat(wanted.get_attribute("value"))
    label_of(page, wanted).tap()
    make_request(name="Quicker", assigned_to=taker.user, call_at=taken)
    page.get_by_role("button", name="Send my request").click()
    link = page.get_by_role("alert").get_by_role("link", name=re.compile(NOT_FREE))

    link.click()

    assert focus_is_in_the_times(page), f'href="{link.get_attribute("href")}"'


def test_on_the_change_link_page_the_summary_link_for_a_missing_time_goes_to_the_times(
    live_server, page, taker
):
    request = make_request(name="Robin", assigned_to=taker.user)
    book(request, free_times()[0])
    page.goto(live_server.url + calls.change_url(request, "/"))
    page.get_by_role("button", name="Move my call to this time").click()  # no time chosen
    link = page.get_by_role("alert").get_by_role("link", name="Please choose one of the times.")

    link.click()

    assert focus_is_in_the_times(page), f'href="{link.get_attribute("href")}"'


# Enter in a text field (a phone keyboard's "Go") presses the form's default button: the first
# submit button in it, which with times offered is "Show later days", not "Send my request".


def test_enter_in_a_text_field_sends_the_form_as_it_did_before_times_were_offered(
    live_server, page, taker
):
    page.goto(f"{live_server.url}/consultation/")
    answer_the_first_question(page)
    page.get_by_label("What should we call you?").fill("Alex")
    page.get_by_role("checkbox", name=CONSENT_LABEL).check()
    wanted = days(page).first.get_by_role("radio").first
    moment = time_of(wanted)
    label_of(page, wanted).tap()
    phone = page.get_by_label("Phone number")
    phone.fill("(555) 010-0199")

    phone.press("Enter")

    booked_for(page, moment)
