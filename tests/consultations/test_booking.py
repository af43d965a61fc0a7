"""Free times for the call, and booking one: hours, time off, the gap, notice, the window,
daylight saving, fairness, and never two calls at once for one person."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from consultations import booking
from consultations.forms import TIME_NOT_FREE, ConsultationForm, NewCallTimeForm
from consultations.models import TimeOff
from tests.support.factories import make_call_taker, make_request

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")
# A Monday, at 7 am in the practice's zone: the first times are that morning.
MONDAY_7AM = datetime(2027, 1, 4, 7, 0, tzinfo=PACIFIC)


@pytest.fixture(autouse=True)
def _practice_settings(settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    settings.CONSULTATION_CALL_MINUTES = 15
    settings.CONSULTATION_CALL_GAP_MINUTES = 5
    settings.CONSULTATION_BOOKING_DAYS = 14
    settings.CONSULTATION_MIN_NOTICE_HOURS = 2


def at(day, hour, minute=0):
    return datetime.combine(day, time(hour, minute), tzinfo=PACIFIC)


def local_times(times, day):
    return [t.strftime("%H:%M") for t in times if t.date() == day]


@time_machine.travel(MONDAY_7AM, tick=False)
def test_times_run_through_the_hours_a_call_and_a_gap_apart_from_the_minimum_notice():
    make_call_taker(hours=[(9, 11), (14, 15)])

    times = booking.free_times()

    monday = MONDAY_7AM.date()
    # 7 am + 2 hours' notice: 9:00 is the first; 10:40 + 15 minutes ends by 11:00.
    assert local_times(times, monday) == [
        "09:00", "09:20", "09:40", "10:00", "10:20", "10:40", "14:00", "14:20", "14:40",
    ]  # fmt: skip
    assert times[0].isoformat() == "2027-01-04T09:00:00-08:00"


@time_machine.travel(MONDAY_7AM, tick=False)
def test_only_the_booking_window_and_only_weekdays_with_hours_are_offered(settings):
    settings.CONSULTATION_BOOKING_DAYS = 7
    make_call_taker(hours=[(9, 10)])

    days = sorted({t.date() for t in booking.free_times()})

    assert days == [MONDAY_7AM.date() + timedelta(days=n) for n in range(5)]  # Mon–Fri


@time_machine.travel(MONDAY_7AM, tick=False)
def test_time_off_and_practice_closures_offer_no_times():
    taker = make_call_taker(hours=[(9, 10)])
    tuesday, wednesday = date(2027, 1, 5), date(2027, 1, 6)
    TimeOff.objects.create(taker=taker, starts_on=tuesday, ends_on=tuesday)
    TimeOff.objects.create(taker=None, starts_on=wednesday, ends_on=wednesday, note="Closed")

    days = {t.date() for t in booking.free_times()}

    assert tuesday not in days and wednesday not in days
    assert date(2027, 1, 7) in days


@time_machine.travel(MONDAY_7AM, tick=False)
def test_a_booked_call_takes_its_time_and_the_gap_around_it(settings):
    settings.CONSULTATION_CALL_GAP_MINUTES = 10
    taker = make_call_taker(hours=[(9, 11)])
    make_request(assigned_to=taker.user, call_at=at(MONDAY_7AM.date(), 9, 25))

    monday = local_times(booking.free_times(), MONDAY_7AM.date())

    # Times every 25 minutes: 9:00 ends 9:15, +10 minutes' gap = 9:25, so it still fits;
    # 9:25 is taken; 9:50 starts exactly 10 minutes after the call ends.
    assert monday == ["09:00", "09:50", "10:15", "10:40"]


@time_machine.travel(MONDAY_7AM, tick=False)
def test_a_time_is_free_while_anyone_with_hours_then_is_free():
    first = make_call_taker(hours=[(9, 10)])
    make_call_taker(hours=[(9, 10)])
    make_request(assigned_to=first.user, call_at=at(MONDAY_7AM.date(), 9))

    assert at(MONDAY_7AM.date(), 9) in booking.free_times()


# --- Daylight saving time -----------------------------------------------------------------------


@time_machine.travel(datetime(2027, 3, 12, 7, 0, tzinfo=PACIFIC), tick=False)
def test_times_keep_their_wall_clock_hours_across_the_spring_change():
    # Clocks go forward at 2 am on Sunday 14 March 2027: 2:00–2:59 does not exist that night.
    make_call_taker(hours=[(1, 4), (9, 10)], weekdays=range(7))

    times = booking.free_times()

    sunday, monday = date(2027, 3, 14), date(2027, 3, 15)
    assert local_times(times, sunday) == [
        "01:00", "01:20", "01:40", "03:00", "03:20", "03:40", "09:00", "09:20", "09:40",
    ]  # fmt: skip
    offsets = {t.isoformat()[-6:] for t in times if t.date() == date(2027, 3, 13)}
    assert offsets == {"-08:00"}
    assert at(monday, 9).isoformat() == "2027-03-15T09:00:00-07:00"
    assert at(monday, 9) in times


@time_machine.travel(datetime(2027, 11, 5, 7, 0, tzinfo=PACIFIC), tick=False)
def test_times_keep_their_wall_clock_hours_across_the_autumn_change():
    # Clocks go back at 2 am on Sunday 7 November 2027: 1:00–1:59 happens twice.
    make_call_taker(hours=[(1, 3), (9, 10)], weekdays=range(7))

    times = booking.free_times()

    saturday, sunday, monday = date(2027, 11, 6), date(2027, 11, 7), date(2027, 11, 8)
    assert local_times(times, sunday) == [
        "01:00", "01:20", "01:40", "02:00", "02:20", "02:40", "09:00", "09:20", "09:40",
    ]  # fmt: skip
    assert at(saturday, 9).isoformat() == "2027-11-06T09:00:00-07:00"
    assert at(monday, 9).isoformat() == "2027-11-08T09:00:00-08:00"
    assert {at(saturday, 9), at(monday, 9)} <= set(times)


# --- Booking --------------------------------------------------------------------------------------


@time_machine.travel(MONDAY_7AM, tick=False)
def test_booking_gives_the_call_to_whoever_has_the_fewest_calls_ahead():
    busy = make_call_taker(hours=[(9, 12)])
    quiet = make_call_taker(hours=[(9, 12)])
    make_request(assigned_to=busy.user, call_at=at(MONDAY_7AM.date(), 11))
    consultation = make_request()

    taker = booking.book(consultation, at(MONDAY_7AM.date(), 9))

    consultation.refresh_from_db()
    assert taker == quiet
    assert (consultation.assigned_to, consultation.call_at) == (
        quiet.user,
        at(MONDAY_7AM.date(), 9),
    )
    assert (consultation.status, consultation.call_sequence) == ("new", 1)  # nobody acted yet


@time_machine.travel(MONDAY_7AM, tick=False)
def test_a_time_nobody_is_free_at_cannot_be_booked_and_nothing_changes():
    taker = make_call_taker(hours=[(9, 12)])
    make_request(assigned_to=taker.user, call_at=at(MONDAY_7AM.date(), 9))
    consultation = make_request()

    with pytest.raises(booking.TimeTaken):
        booking.book(consultation, at(MONDAY_7AM.date(), 9))

    consultation.refresh_from_db()
    assert consultation.call_at is None and consultation.assigned_to is None


@pytest.mark.parametrize(
    "moment",
    [at(MONDAY_7AM.date(), 7, 30), at(MONDAY_7AM.date(), 12), at(MONDAY_7AM.date(), 9, 10)],
    ids=["inside-the-notice", "out-of-hours", "between-times"],
)
@time_machine.travel(MONDAY_7AM, tick=False)
def test_a_time_that_was_never_offered_cannot_be_booked(moment):
    make_call_taker(hours=[(9, 12)])

    with pytest.raises(booking.TimeTaken):
        booking.book(make_request(), moment)


def test_the_database_refuses_two_calls_at_one_time_for_one_person():
    taker = make_call_taker()
    moment = datetime(2027, 1, 4, 9, 0, tzinfo=PACIFIC)
    make_request(assigned_to=taker.user, call_at=moment)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_request(assigned_to=taker.user, call_at=moment)


def test_the_database_refuses_a_booked_call_with_nobody_to_take_it():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_request(call_at=datetime(2027, 1, 4, 9, 0, tzinfo=PACIFIC))


# --- The form's field -------------------------------------------------------------------------


def test_with_nobodys_hours_set_the_form_has_no_times_at_all():
    assert "call_time" not in ConsultationForm().fields


@time_machine.travel(MONDAY_7AM, tick=False)
def test_the_form_offers_call_me_back_first_then_two_days_of_times_then_a_button():
    make_call_taker(hours=[(9, 10)])

    form = ConsultationForm()
    shown = form.call_days()

    assert form.call_back_radio().choice_label == "No time suits me — please call me back"
    assert [heading for heading, _radios in shown["days"]] == [
        "Monday 4 January",
        "Tuesday 5 January",
    ]
    assert [radio.choice_label for radio in shown["days"][0][1]] == [
        "9:00 am",
        "9:20 am",
        "9:40 am",
    ]
    assert shown["more"] is True
    assert len(ConsultationForm(all_days=True).call_days()["days"]) == 10  # two weeks' weekdays


@pytest.mark.parametrize(
    "value",
    [
        "not a time",
        "2027-01-04T09:00:00",  # no offset
        "2027-01-04T07:30:00-08:00",  # inside the notice
        "2027-01-04T13:00:00-08:00",  # out of hours
        "2027-01-01T09:00:00-08:00",  # in the past
        "2027-01-04T09:00:00-08:00",  # taken
    ],
)
@time_machine.travel(MONDAY_7AM, tick=False)
def test_a_time_that_is_not_free_gets_one_clear_message(value):
    taker = make_call_taker(hours=[(9, 10)])
    make_request(assigned_to=taker.user, call_at=at(MONDAY_7AM.date(), 9))
    form = NewCallTimeForm({"call_time": value})

    assert not form.is_valid()
    assert form.errors["call_time"] == [TIME_NOT_FREE]
    assert form.has_error("call_time", "not_free")


@time_machine.travel(MONDAY_7AM, tick=False)
def test_the_form_takes_the_same_few_queries_however_many_people_and_calls():
    def queries():
        with CaptureQueriesContext(connection) as captured:
            ConsultationForm().call_days()
        return len(captured)

    first = make_call_taker(hours=[(9, 12)])
    make_request(assigned_to=first.user, call_at=at(MONDAY_7AM.date(), 9))
    with_one = queries()
    for _ in range(4):
        taker = make_call_taker(hours=[(9, 12)])
        make_request(assigned_to=taker.user, call_at=at(MONDAY_7AM.date(), 10))

    # the states served (authors' licenses), people, their hours, time off, calls, closures
    assert queries() == with_one == 6
