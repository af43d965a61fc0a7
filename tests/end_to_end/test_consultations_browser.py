"""Consultation requests in a real browser: a visitor asks for a call, front desk answers it."""

import re
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from playwright.sync_api import expect

from consultations.forms import CONSENT_VERSION, ConsultationForm
from consultations.models import (
    BestTime,
    ConsultationRequest,
    ContactKind,
    ContactMethod,
    RequestStatus,
)
from tests.support.browser import answer_the_first_question, sign_in
from tests.support.factories import make_front_desk, make_post

# serialized_rollback: the roles made by data migrations come back after each test.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.browser,
]

PHONE = {"width": 360, "height": 640}
EMAIL_INVALID = ConsultationForm.Meta.error_messages["email"]["invalid"]
CONSENT_REQUIRED = ConsultationForm.base_fields["consent"].error_messages["required"]
CONSENT_LABEL = re.compile(r"^I agree that .* may keep these details")
THANKS_HEADING = "Thank you, we have your request"


@pytest.fixture(autouse=True)
def _people_fill_forms_in_their_own_time(settings):
    # The form treats a submission within CONSULTATION_MIN_FILL_SECONDS as a bot's; a browser
    # driven by a test is that fast. Read at request time, so the live server sees this too.
    settings.CONSULTATION_MIN_FILL_SECONDS = 0


def crisis_notice(page):
    return page.get_by_role("main").get_by_role("note").filter(has_text="is not for emergencies")


def expect_crisis_notice(page):
    notice = crisis_notice(page)
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("988")
    expect(notice).to_contain_text("911")
    return notice


def make_request(**fields):
    """A request as the public form stores it; override any field by keyword."""
    now = timezone.now()
    values = {
        "name": "Riley",
        "phone": "(555) 010-0177",
        "consent_version": CONSENT_VERSION,
        "consented_at": fields.get("submitted_at", now),
        "submission_token": uuid.uuid4(),
        "client_key": "browser-test",
    }
    values.update(fields)
    return ConsultationRequest.objects.create(**values)


def test_visitor_coming_from_an_article_corrects_mistakes_and_sends_a_request(
    live_server, page, screenshot, csp_violations
):
    post = make_post(title="Why sleep matters", slug="why-sleep-matters")
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}{post.get_absolute_url()}")
    page.get_by_role("link", name="Request a free consultation", exact=True).click()

    expect(page).to_have_url(f"{live_server.url}/consultation/?from={post.slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Request a free 15-minute consultation"
    )
    # Someone in crisis sees where to turn before reading anything else.
    notice = expect_crisis_notice(page)
    assert page.evaluate("window.scrollY") == 0
    box = notice.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]

    name = page.get_by_label("What should we call you?")
    phone = page.get_by_label("Phone number")
    email = page.get_by_label("E-mail address")
    message = page.get_by_label("Anything you would like us to know before we call?")
    consent = page.get_by_role("checkbox", name=CONSENT_LABEL)
    by_email = page.get_by_role("radio", name="E-mail", exact=True)
    evenings = page.get_by_role("checkbox", name=BestTime.EVENING.label)
    saturdays = page.get_by_role("checkbox", name=BestTime.SATURDAY.label)
    answer_the_first_question(page, location="WA")
    name.fill("Sam Rivera")
    email.fill("sam@example,com")
    by_email.check()
    evenings.check()
    saturdays.check()
    message.fill("I would like to know about evening appointments.")
    page.get_by_role("button", name="Send my request").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("Please check 2 things below")
    summary_links = summary.get_by_role("link")
    expect(summary_links).to_have_text(
        [re.compile(re.escape(EMAIL_INVALID)), re.compile(re.escape(CONSENT_REQUIRED))]
    )
    # Each message sits in its field's label, so a screen reader announces it with the field.
    expect(email).to_have_accessible_name(
        re.compile(rf"^E-mail address.*{re.escape(EMAIL_INVALID)}")
    )
    expect(consent).to_have_accessible_name(re.compile(rf"{re.escape(CONSENT_REQUIRED)}$"))
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(name).not_to_have_attribute("aria-invalid", "true")
    expect(phone).not_to_have_attribute("aria-invalid", "true")
    # The field in error is outlined in the colour of its message; the others are not.
    error_colour = page.locator(".field__error").first.evaluate("e => getComputedStyle(e).color")
    expect(email).to_have_css("border-top-color", error_colour)
    expect(name).not_to_have_css("border-top-color", error_colour)
    # Everything typed is still there.
    expect(name).to_have_value("Sam Rivera")
    expect(email).to_have_value("sam@example,com")
    expect(phone).to_have_value("")
    expect(message).to_have_value("I would like to know about evening appointments.")
    expect(by_email).to_be_checked()
    expect(evenings).to_be_checked()
    expect(saturdays).to_be_checked()
    expect(page.get_by_role("checkbox", name=BestTime.MORNING.label)).not_to_be_checked()
    expect(consent).not_to_be_checked()
    expect(page.get_by_label("Where will you be during your sessions?")).to_have_value("WA")
    expect(page.get_by_role("radio", name="I am 18 or older")).to_be_checked()
    assert ConsultationRequest.objects.count() == 0
    screenshot("consultation-form-errors-phone")
    # A link in the summary takes the visitor to the field to correct.
    summary_links.first.click()
    expect(email).to_be_focused()

    email.fill("sam@example.com")
    consent.check()
    page.get_by_role("button", name="Send my request").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS_HEADING)
    assert page.url == f"{live_server.url}/consultation/thanks/"
    expect_crisis_notice(page)
    main = page.get_by_role("main")
    expect(main).to_contain_text("within 24 business hours")
    expect(main.get_by_role("link", name=django_settings.PRACTICE_PHONE)).to_be_visible()
    screenshot("consultation-thanks-phone")

    request = ConsultationRequest.objects.get(name="Sam Rivera")
    assert request.source == post.slug
    assert request.consent_version == CONSENT_VERSION
    assert request.consented_at is not None
    assert (request.email, request.phone) == ("sam@example.com", "")
    assert request.location == "WA"
    assert request.preferred_contact == ContactMethod.EMAIL
    assert request.best_times == [BestTime.EVENING, BestTime.SATURDAY]
    assert request.message == "I would like to know about evening appointments."
    assert csp_violations == []


def focused(page):
    """What has the keyboard focus: a form control's id, otherwise its text."""
    return page.evaluate(
        """() => {
            const element = document.activeElement;
            return element.id || element.getAttribute("name") || element.textContent.trim();
        }"""
    )


def tab_to(page, target, stops, limit=40):
    """Press Tab until `target` (an id or a text) has the focus, noting every stop on the way."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        stops.append(focused(page))
        if stops[-1] == target:
            return
    pytest.fail(f"Tab never reached {target!r}; it went through {stops}")


def test_keyboard_user_fills_in_and_sends_the_form_without_a_mouse(live_server, page):
    page.goto(f"{live_server.url}/consultation/")
    stops = []

    # Where they will be: typing a name picks it from the list.
    tab_to(page, "id_location", stops)
    page.keyboard.type("Washington")
    expect(page.locator("#id_location")).to_have_value("WA")
    tab_to(page, "id_age_0", stops)
    page.keyboard.press("Space")
    tab_to(page, "id_name", stops)
    page.keyboard.type("Alex")
    tab_to(page, "id_phone", stops)
    page.keyboard.type("(555) 010-0199")
    # The radio group is one stop, on the checked choice; arrows move the choice.
    tab_to(page, "id_preferred_contact_0", stops)
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("radio", name="Text message")).to_be_checked()
    tab_to(page, "id_best_times_2", stops)
    page.keyboard.press("Space")
    tab_to(page, "id_consent", stops)
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name=CONSENT_LABEL)).to_be_checked()
    tab_to(page, "Send my request", stops)

    # Every control gets a stop, in reading order; the hidden honeypot never does.
    assert stops[stops.index("id_location") :] == [
        "id_location",
        "id_age_0",
        "id_name",
        "id_phone",
        "id_email",
        "id_preferred_contact_0",
        *[f"id_best_times_{number}" for number in range(4)],
        "id_voicemail_ok",
        "id_message",
        "id_heard_about",
        "id_consent",
        "our privacy page",
        "Send my request",
    ]
    assert "id_website" not in stops
    expect(page.locator("input[name=website]")).to_have_value("")

    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(THANKS_HEADING)
    request = ConsultationRequest.objects.get(name="Alex")
    assert request.phone == "(555) 010-0199"
    assert request.preferred_contact == ContactMethod.TEXT
    assert request.best_times == [BestTime.EVENING]


def test_front_desk_assigns_a_new_request_logs_a_call_and_schedules_it(
    live_server, page, screenshot, csp_violations
):
    front_desk = make_front_desk(username="frontdesk")
    # Four days back is overdue whatever today is: at most two of those days are a weekend.
    waiting = make_request(
        name="Jordan Waiting",
        submitted_at=timezone.now() - timedelta(days=4),
        best_times=[BestTime.MORNING, BestTime.EVENING],
    )
    fresh = make_request(
        name="Riley Fresh", message="Do you see couples?", best_times=[BestTime.SATURDAY]
    )

    sign_in(page, live_server, "frontdesk")
    page.goto(f"{live_server.url}/admin/consultations/consultationrequest/")

    rows = page.locator("#result_list tbody").get_by_role("row")
    expect(rows).to_have_count(2)
    # The overdue request comes first, though it is older.
    expect(rows.nth(0)).to_contain_text("Jordan Waiting")
    expect(rows.nth(0).get_by_role("cell", name="Overdue", exact=True)).to_be_visible()
    expect(rows.nth(0).get_by_role("cell", name="4 days", exact=True)).to_be_visible()
    expect(rows.nth(1)).to_contain_text("Riley Fresh")
    expect(rows.nth(1).get_by_role("cell", name=re.compile(r"^[01] min$"))).to_be_visible()
    expect(rows.nth(1).get_by_role("cell", name="Overdue")).to_have_count(0)
    expect(page.get_by_text("Do you see couples?")).to_have_count(0)  # never the message
    screenshot("consultation-admin-list")

    rows.nth(1).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Assign selected requests to me")
    page.get_by_role("button", name="Go").click()

    expect(page.get_by_text("1 request(s) assigned to you.")).to_be_visible()
    fresh_row = rows.filter(has_text="Riley Fresh")
    expect(fresh_row.get_by_role("cell", name="frontdesk", exact=True)).to_be_visible()
    expect(rows.filter(has_text="Jordan Waiting")).not_to_contain_text("frontdesk")

    fresh_row.get_by_role("link", name="Riley Fresh").click()
    expect(page.get_by_role("heading", level=2, name="Request #")).to_be_visible()
    # What the visitor wrote is shown, not editable.
    expect(page.get_by_text("Riley Fresh", exact=True)).to_be_visible()
    expect(page.get_by_text("Do you see couples?", exact=True)).to_be_visible()
    expect(page.locator("[name=name], [name=message], [name=phone], [name=email]")).to_have_count(0)
    expect(page.get_by_label("Status:")).to_have_value(RequestStatus.NEW)
    new_entry = page.get_by_role("group", name="Log a call, message or note")
    new_entry.get_by_role("combobox").select_option(label=ContactKind.CALLED.label)
    new_entry.get_by_role("textbox").fill("Booked a call for Thursday at 10.")
    screenshot("consultation-admin-change")
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.get_by_text("was changed successfully")).to_be_visible()
    expect(page.get_by_label("Status:")).to_have_value(RequestStatus.CONTACTED)
    entry = (
        page.get_by_role("group", name="Contact log")
        .get_by_role("row")
        .filter(has_text="Booked a call for Thursday at 10.")
    )
    expect(entry).to_contain_text(ContactKind.CALLED.label)
    expect(entry.get_by_role("cell", name="frontdesk", exact=True)).to_be_visible()
    screenshot("consultation-admin-change-after-call")

    page.get_by_label("Status:").select_option(label="Scheduled")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("was changed successfully")).to_be_visible()
    expect(fresh_row.get_by_role("cell", name="Scheduled", exact=True)).to_be_visible()
    expect(
        fresh_row.get_by_role("cell", name=re.compile(r"^Answered after [01] min$"))
    ).to_be_visible()
    fresh.refresh_from_db()
    assert (fresh.status, fresh.assigned_to) == (RequestStatus.SCHEDULED, front_desk)
    assert fresh.first_contacted_at is not None
    assert [(e.kind, e.text, e.author) for e in fresh.log_entries.all()] == [
        (ContactKind.CALLED, "Booked a call for Thursday at 10.", front_desk)
    ]
    waiting.refresh_from_db()
    assert (waiting.status, waiting.assigned_to) == (RequestStatus.NEW, None)
    assert csp_violations == []


def test_front_desk_cannot_open_the_articles_admin(live_server, page):
    make_front_desk(username="frontdesk")
    sign_in(page, live_server, "frontdesk")

    apps = page.locator("#content-main")
    expect(apps.get_by_role("link", name="Consultations", exact=True)).to_have_count(1)
    expect(apps.get_by_role("link", name="Consultation requests", exact=True)).to_have_count(1)
    expect(page.get_by_role("link", name="Blog", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Articles", exact=True)).to_have_count(0)

    response = page.goto(f"{live_server.url}/admin/blog/post/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("403 Forbidden")
