"""A booked call, from the form to the day: the visitor's confirmation and calendar file, the
change-or-cancel link, the reminder, word to staff, and how staff see and book calls."""

import re
from datetime import datetime, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar
from post_office.models import Email

from consultations import abuse
from consultations.forms import TIME_NOT_FREE
from consultations.models import ConsultationRequest, ContactLogEntry, RequestStatus
from consultations.reports import typical_response_hours
from staff.models import AuditAction, AuditEvent
from tests.support.factories import make_call_taker, make_clinician, make_front_desk, make_request
from tests.support.mail import deliver_queued_mail

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")
MONDAY_6AM = datetime(2027, 1, 4, 6, 0, tzinfo=PACIFIC)
NINE = datetime(2027, 1, 4, 9, 0, tzinfo=PACIFIC)
TYPED = {
    "name": "Canary Namesake",
    "phone": "(555) 010-7777",
    "email": "canary@example.org",
    "message": "canary-message-text",
}


@pytest.fixture(autouse=True)
def _practice(settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    settings.CONSULTATION_REMINDER_HOURS = 2
    settings.CONSULTATION_NOTIFY_EMAILS = ["desk@example.com"]


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_6AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def taker(clock):
    return make_call_taker(hours=[(9, 12)])


def book(client, moment=NINE, **fields):
    data = {
        "location": "OR",
        "age": "adult",
        "preferred_contact": "phone",
        "consent": "on",
        "form_token": abuse.new_form_token(),
        "call_time": moment.isoformat() if moment else "",
        **TYPED,
        **fields,
    }
    return client.post("/consultation/", data)


def delivered_to(address):
    return [message for message in deliver_queued_mail() if address in message.to]


def calendar_of(message):
    """The calendar file attached to `message`, and its content type with parameters."""
    (attachment,) = message.attachments
    assert attachment.get_filename() == "call.ics"
    content_type = "; ".join(
        [attachment.get_content_type()]
        + [f"{key}={value}" for key, value in attachment.get_params()[1:]]
    )
    return Calendar.from_ical(attachment.get_payload(decode=True)), content_type


def change_path(message):
    return re.search(r"https?://[^/\s]+(/consultation/call/[^/\s]+/)", message.body).group(1)


# --- Booking on the form ------------------------------------------------------------------------


def test_a_booked_time_is_stored_with_the_person_who_takes_it_and_thanked_by_name(client, taker):
    response = book(client)

    consultation = ConsultationRequest.objects.get()
    assert (consultation.call_at, consultation.assigned_to) == (NINE, taker.user)
    # New until staff act on it: booked, not yet contacted.
    assert consultation.status == RequestStatus.NEW and consultation.first_contacted_at is None
    thanks = client.get(response["Location"])
    assert "Monday 4 January at 9:00 am" in thanks.content.decode()
    assert "Pacific time" in thanks.content.decode()


def test_a_time_taken_since_the_form_was_shown_shows_the_form_again_with_everything_kept(
    client, taker
):
    make_request(assigned_to=taker.user, call_at=NINE)  # someone else, a moment ago

    response = book(client)

    assert response.status_code == HTTPStatus.CONFLICT
    html = response.content.decode()
    assert TIME_NOT_FREE.split(".")[0] in html.replace("&#x27;", "'")
    assert 'value="Canary Namesake"' in html and "canary-message-text" in html
    assert "9:20 am" in html  # the next free times are offered
    assert ConsultationRequest.objects.count() == 1


def test_the_same_booking_sent_twice_is_one_booking_and_both_are_thanked(client, taker):
    data = {
        "location": "OR",
        "age": "adult",
        "preferred_contact": "phone",
        "consent": "on",
        "form_token": abuse.new_form_token(),
        "call_time": NINE.isoformat(),
        **TYPED,
    }

    first, again = client.post("/consultation/", data), client.post("/consultation/", data)

    assert first["Location"] == again["Location"]
    assert first["Location"].startswith("/consultation/thanks/?call=")
    assert ConsultationRequest.objects.count() == 1


def test_the_error_summary_leads_to_the_times(client, taker):
    make_request(assigned_to=taker.user, call_at=NINE)

    html = book(client).content.decode()

    assert '<a href="#id_call_time_0">' in html  # the first choice, in the times' fieldset
    assert 'id="id_call_time_0"' in html


def test_show_later_days_keeps_what_was_typed_and_stores_nothing(client, taker):
    response = book(client, moment=None, later_days="1")

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert 'value="Canary Namesake"' in html
    assert "Friday 15 January" in html  # the end of the two weeks
    assert "Show later days" not in html
    assert "field__error" not in html
    assert not ConsultationRequest.objects.exists()


def test_a_chosen_time_that_came_too_close_meanwhile_is_flagged_on_show_later_days(
    client, taker, clock
):
    clock.move_to(NINE - timedelta(hours=2, minutes=1))  # 9:00 is still two hours away
    assert NINE.isoformat() in client.get("/consultation/").content.decode()
    clock.move_to(NINE - timedelta(hours=1, minutes=59))  # now it is not

    html = book(client, later_days="1").content.decode().replace("&#x27;", "'")

    assert TIME_NOT_FREE.split(".")[0] in html
    assert NINE.isoformat() not in html
    assert not re.search(r'name="call_time"[^>]* checked', html)  # nothing looks chosen
    assert 'value="Canary Namesake"' in html
    assert not ConsultationRequest.objects.exists()


def test_a_forged_thank_you_address_names_no_time(client):
    html = client.get("/consultation/thanks/", {"call": "2027-01-04T09:00:00-08:00"})

    assert "Your call is booked" not in html.content.decode()


# --- The confirmation ---------------------------------------------------------------------------


def test_the_confirmation_names_the_time_and_carries_a_calendar_file_and_nothing_typed(
    client, taker
):
    book(client)

    (message,) = delivered_to("canary@example.org")
    assert message.subject == "Clearwater Psychotherapy: your call on Monday 4 January at 9:00 am"
    assert "Monday 4 January at 9:00 am (Pacific time). We will phone you then" in message.body
    assert "988" in message.body
    everything = message.message().as_string()
    for value in TYPED.values():
        if value != TYPED["email"]:
            assert value not in everything
    assert "7777" not in everything
    calendar, mimetype = calendar_of(message)
    assert mimetype.startswith("text/calendar") and "method=REQUEST" in mimetype
    (event,) = calendar.walk("VEVENT")
    assert calendar["METHOD"] == "REQUEST"
    assert event.decoded("DTSTART") == NINE
    assert event.decoded("DTEND") == NINE + timedelta(minutes=15)
    assert event["SEQUENCE"] == 1
    assert (
        str(event["UID"])
        == f"consultation-call-{ConsultationRequest.objects.get().pk}@clearwater-therapy.example"
    )
    assert str(event["SUMMARY"]) == "Phone call with Clearwater Psychotherapy"
    assert "canary" not in calendar.to_ical().decode().lower()  # not even their address


def test_a_call_back_request_is_told_how_soon_we_usually_call(client, taker):
    submitted = MONDAY_6AM - timedelta(days=7)
    for hours in (3, 5, 9):
        make_request(submitted_at=submitted, first_contacted_at=submitted + timedelta(hours=hours))

    book(client, moment=None)

    (message,) = delivered_to("canary@example.org")
    assert message.subject == "Clearwater Psychotherapy: we have your request"
    assert "We usually call back within 5 business hours" in message.body
    assert message.attachments == []


def test_the_reminder_is_queued_for_two_hours_before_the_call(client, taker):
    book(client)

    consultation = ConsultationRequest.objects.get()
    assert consultation.reminder.scheduled_time == NINE - timedelta(hours=2)
    assert consultation.reminder.subject.startswith("Clearwater Psychotherapy: reminder")


def test_no_reminder_when_reminders_are_off(client, taker, settings):
    settings.CONSULTATION_REMINDER_HOURS = 0

    book(client)

    assert ConsultationRequest.objects.get().reminder is None


def test_the_reminder_goes_at_its_time_with_the_change_link(client, taker, clock):
    book(client)
    delivered_to("canary@example.org")
    mail.outbox.clear()

    clock.move_to(NINE - timedelta(hours=2))
    (reminder,) = delivered_to("canary@example.org")

    assert "A reminder: your free call" in reminder.body
    assert "/consultation/call/" in reminder.body


def test_staff_are_told_of_a_booking_without_any_visitor_data(client, taker):
    book(client)

    (notice,) = delivered_to("desk@example.com")
    assert notice.subject == "New consultation request"
    for value in TYPED.values():
        assert value not in notice.message().as_string()


# --- The change-or-cancel link ------------------------------------------------------------------


@pytest.fixture
def booked(client, taker):
    book(client)
    (confirmation,) = delivered_to("canary@example.org")
    mail.outbox.clear()
    return ConsultationRequest.objects.get(), change_path(confirmation)


def test_the_link_shows_the_booked_time_and_no_other_detail(client, booked):
    _consultation, path = booked

    html = client.get(path).content.decode()

    assert "Monday 4 January at 9:00 am" in html
    assert "Canary" not in html and "7777" not in html
    assert 'name="call_time"' in html and 'value="2027-01-04T09:20:00-08:00"' in html


def test_moving_the_call_updates_everything_and_tells_everyone(client, booked):
    consultation, path = booked
    old_reminder = consultation.reminder_id
    ten = NINE + timedelta(hours=1)

    response = client.post(path, {"call_time": ten.isoformat()})

    consultation.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert consultation.call_at == ten and consultation.call_sequence == 2
    assert not Email.objects.filter(pk=old_reminder).exists()  # the old reminder never goes
    assert consultation.reminder.scheduled_time == ten - timedelta(hours=2)
    (entry,) = ContactLogEntry.objects.filter(request=consultation)
    assert entry.text == (
        "The visitor moved the call from Monday 4 January at 9:00 am to Monday 4 January at "
        "10:00 am."
    )
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE_REQUEST, request_id=consultation.pk
    ).exists()
    (confirmation,) = delivered_to("canary@example.org")
    (event,) = calendar_of(confirmation)[0].walk("VEVENT")
    assert event.decoded("DTSTART") == ten and event["SEQUENCE"] == 2
    (notice,) = delivered_to("desk@example.com")
    assert notice.subject == "A consultation call was moved"
    assert "Canary" not in notice.body


def test_the_old_time_is_free_again_at_once(client, booked):
    _consultation, path = booked

    client.post(path, {"call_time": (NINE + timedelta(hours=1)).isoformat()})

    assert 'value="2027-01-04T09:00:00-08:00"' in client.get("/consultation/").content.decode()


def test_cancelling_frees_the_time_closes_the_request_and_cancels_the_calendar_event(
    client, booked
):
    consultation, path = booked

    response = client.post(path, {"cancel": "1"})

    consultation.refresh_from_db()
    assert response["Location"] == "/consultation/call/cancelled/"
    assert consultation.call_at is None and consultation.status == RequestStatus.CLOSED
    assert consultation.reminder is None
    (message,) = delivered_to("canary@example.org")
    calendar, mimetype = calendar_of(message)
    assert calendar["METHOD"] == "CANCEL" and "method=CANCEL" in mimetype
    (event,) = calendar.walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED" and event["SEQUENCE"] == 2
    (notice,) = delivered_to("desk@example.com")
    assert notice.subject == "A consultation call was cancelled"
    assert client.get(path).status_code == HTTPStatus.GONE  # used


def test_a_forged_or_past_link_gets_a_kind_page(client, booked, clock):
    _consultation, path = booked

    forged = client.get("/consultation/call/forged-token/")
    clock.move_to(NINE + timedelta(minutes=1))
    past = client.get(path)

    for response in (forged, past):
        assert response.status_code == HTTPStatus.GONE
        assert "This link no longer works" in response.content.decode()


def test_a_tampered_time_on_the_link_gets_the_clear_message(client, booked):
    _consultation, path = booked

    response = client.post(path, {"call_time": "2027-01-04T13:00:00-08:00"})

    assert response.status_code == HTTPStatus.CONFLICT
    assert "not free any more" in response.content.decode()
    assert ConsultationRequest.objects.get().call_at == NINE


# --- Staff ----------------------------------------------------------------------------------------


def test_staff_book_a_call_for_the_visitor_from_the_request(client, taker):
    consultation = make_request(email="canary@example.org")
    desk = make_front_desk()
    client.force_login(desk)

    response = client.post(
        f"/admin/consultations/consultationrequest/{consultation.pk}/change/",
        {
            "status": "new",
            "assigned_to": "",
            "call_time": NINE.isoformat(),
            "log_entries-TOTAL_FORMS": "0",
            "log_entries-INITIAL_FORMS": "0",
            "log_entries-2-TOTAL_FORMS": "0",
            "log_entries-2-INITIAL_FORMS": "0",
        },
    )

    consultation.refresh_from_db()
    assert response.status_code == HTTPStatus.FOUND
    assert (consultation.call_at, consultation.assigned_to) == (NINE, taker.user)
    entry = ContactLogEntry.objects.get(request=consultation)
    assert (entry.author, entry.text) == (desk, "Booked the call for Monday 4 January at 9:00 am.")
    (confirmation,) = delivered_to("canary@example.org")
    assert "your call on Monday 4 January at 9:00 am" in confirmation.subject


def test_the_triage_list_shows_the_booked_time(client, taker):
    make_request(assigned_to=taker.user, call_at=NINE)
    client.force_login(make_front_desk())

    html = client.get("/admin/consultations/consultationrequest/").content.decode()

    assert "Monday 4 January at 9:00 am" in html


def test_the_agenda_lists_calls_with_how_to_reach_each_person_and_flags_missed_ones(
    client, taker, clock
):
    missed = make_request(name="Missed Mo", assigned_to=taker.user, call_at=NINE)
    make_request(
        name="Later Li",
        phone="(555) 010-2222",
        assigned_to=taker.user,
        call_at=NINE + timedelta(days=1),
    )
    clock.move_to(NINE + timedelta(hours=1))
    client.force_login(make_front_desk())

    html = client.get("/admin/consultations/consultationrequest/calls/").content.decode()

    assert "Monday 4 January" in html and "Tuesday 5 January" in html
    assert "Later Li" in html and "(555) 010-2222" in html
    rows = {
        name: row
        for row in re.findall(r"<tr>.*?</tr>", html, re.DOTALL)
        for name in ("Missed Mo", "Later Li")
        if name in row
    }
    assert "<strong>Missed</strong>" in rows["Missed Mo"]
    assert "Missed</strong>" not in rows["Later Li"]
    assert ConsultationRequest.objects.overdue().get() == missed


def test_a_request_with_its_call_still_ahead_is_not_overdue_however_long_ago_it_came(taker):
    make_request(submitted_at=MONDAY_6AM - timedelta(days=5), assigned_to=taker.user, call_at=NINE)
    make_request(submitted_at=MONDAY_6AM - timedelta(days=5), name="Waiting, no call")

    assert [c.name for c in ConsultationRequest.objects.overdue()] == ["Waiting, no call"]


def test_a_call_with_a_contact_logged_since_is_not_missed(client, taker, clock):
    consultation = make_request(assigned_to=taker.user, call_at=NINE)
    clock.move_to(NINE + timedelta(minutes=5))
    ContactLogEntry.objects.create(request=consultation, kind="called")
    clock.move_to(NINE + timedelta(hours=1))

    assert not ConsultationRequest.objects.overdue().exists()


def test_a_staff_calendar_feed_lists_calls_by_request_number_only(client, taker):
    consultation = make_request(name="Canary Namesake", assigned_to=taker.user, call_at=NINE)

    response = client.get(taker.get_calendar_url())

    assert response["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Consultation call"
    assert str(event["DESCRIPTION"]) == f"Request #{consultation.pk}"
    assert event.decoded("DTSTART") == NINE
    assert b"Canary" not in response.content


def test_a_new_calendar_address_stops_the_old_one(client, taker):
    old = taker.get_calendar_url()
    client.force_login(taker.user)

    client.post(
        f"/admin/consultations/calltaker/{taker.pk}/change/",
        {
            "user": taker.user.pk,
            "new_calendar_address": "on",
            "weekly_hours-TOTAL_FORMS": "0",
            "weekly_hours-INITIAL_FORMS": "0",
            "time_off-TOTAL_FORMS": "0",
            "time_off-INITIAL_FORMS": "0",
        },
    )

    taker.refresh_from_db()
    assert client.get(old).status_code == HTTPStatus.NOT_FOUND
    assert client.get(taker.get_calendar_url()).status_code == HTTPStatus.OK


def test_each_person_sees_and_edits_only_their_own_call_hours(client, taker):
    other = make_call_taker(user=make_clinician(username="other"), hours=[(13, 17)])
    client.force_login(taker.user)

    listing = client.get("/admin/consultations/calltaker/")
    others_page = client.get(f"/admin/consultations/calltaker/{other.pk}/change/")

    assert list(listing.context["cl"].result_list) == [taker]
    assert others_page.status_code == HTTPStatus.FOUND  # "not found": not among their own
    assert client.get("/admin/consultations/closure/").status_code == HTTPStatus.FORBIDDEN


# --- How soon we usually call back --------------------------------------------------------------


def test_how_soon_counts_business_hours_over_the_last_eight_weeks(clock):
    friday_4pm = datetime(2026, 12, 25, 16, 0, tzinfo=PACIFIC)
    # Friday 4 pm to Monday 10 am: 8 weekday hours + 10 = 18 business hours.
    make_request(submitted_at=friday_4pm, first_contacted_at=friday_4pm + timedelta(hours=66))
    long_ago = MONDAY_6AM - timedelta(weeks=9)
    make_request(submitted_at=long_ago, first_contacted_at=long_ago + timedelta(hours=1))

    assert typical_response_hours() == 18


def test_how_soon_falls_back_to_the_target_with_nothing_to_measure(settings, clock):
    settings.CONSULTATION_RESPONSE_HOURS = 24
    make_request()  # not yet answered

    assert typical_response_hours() == 24


def test_the_form_works_out_how_soon_at_most_once_an_hour(client, clock):
    friday_4pm = datetime(2026, 12, 25, 16, 0, tzinfo=PACIFIC)
    make_request(submitted_at=friday_4pm, first_contacted_at=friday_4pm + timedelta(hours=66))
    assert "within 18 business hours" in client.get("/consultation/").content.decode()
    # Slower call-backs since: the form keeps its figure within the hour (every visitor sees it,
    # and timing every call-back of eight weeks is what made the form slow)…
    for _ in range(2):
        make_request(submitted_at=friday_4pm, first_contacted_at=friday_4pm + timedelta(hours=90))
    assert "within 18 business hours" in client.get("/consultation/").content.decode()

    clock.shift(timedelta(minutes=61))  # … and tells the new one after it

    assert "within 42 business hours" in client.get("/consultation/").content.decode()


def test_calls_never_name_a_visitor_in_the_audit_trail(client, booked):
    _consultation, path = booked
    client.post(path, {"call_time": (NINE + timedelta(hours=1)).isoformat()})

    event = AuditEvent.objects.get(action=AuditAction.CHANGE_REQUEST)
    assert event.username == "visitor (change link)" and event.address is None
