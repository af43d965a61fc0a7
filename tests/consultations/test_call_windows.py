""" "OK to call now?": a request's best times against the practice's clock."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from consultations.call_windows import ok_to_call
from consultations.models import BestTime, RequestStatus
from tests.support.factories import make_front_desk, make_request

PACIFIC = ZoneInfo("America/Los_Angeles")
MORNING, AFTERNOON, EVENING, SATURDAY = (
    BestTime.MORNING,
    BestTime.AFTERNOON,
    BestTime.EVENING,
    BestTime.SATURDAY,
)


@pytest.fixture(autouse=True)
def _practice(settings):
    settings.TIME_ZONE = "America/Los_Angeles"


def pacific(month, day, hour, minute=0, second=0, year=2027):
    return datetime(year, month, day, hour, minute, second, tzinfo=PACIFIC)


# 4 January 2027 is a Monday; 8 January a Friday, 9 a Saturday, 10 a Sunday.
MONDAY, FRIDAY, SATURDAY_, SUNDAY = 4, 8, 9, 10


@pytest.mark.parametrize(
    ("best_times", "now", "expected"),
    [
        # Nothing given: whenever suits the practice.
        ([], pacific(1, MONDAY, 3), "Any time"),
        (["someday"], pacific(1, MONDAY, 10), "Any time"),
        # Inside a window, from its first minute.
        ([MORNING], pacific(1, MONDAY, 10, 30), "Mornings — now"),
        ([MORNING], pacific(1, MONDAY, 9), "Mornings — now"),
        ([EVENING], pacific(1, MONDAY, 18, 59, 59), "Evenings — now"),
        # Its end belongs to the next one.
        ([MORNING, AFTERNOON], pacific(1, MONDAY, 12), "Afternoons — now"),
        ([MORNING], pacific(1, MONDAY, 12), "Mornings — tomorrow 9 am"),
        ([EVENING], pacific(1, MONDAY, 19), "Evenings — tomorrow 5 pm"),
        # Later today: minutes below an hour, then hours.
        ([MORNING], pacific(1, MONDAY, 8, 20), "Mornings — in 40 min"),
        ([MORNING], pacific(1, MONDAY, 8, 59, 30), "Mornings — in 1 min"),
        ([MORNING], pacific(1, MONDAY, 8), "Mornings — in 1 h"),
        ([EVENING], pacific(1, MONDAY, 14), "Evenings — in 3 h"),
        ([EVENING], pacific(1, MONDAY, 14, 10), "Evenings — in 3 h"),
        ([EVENING], pacific(1, MONDAY, 14, 30), "Evenings — in 3 h"),
        ([EVENING], pacific(1, MONDAY, 14, 31), "Evenings — in 2 h"),
        # The soonest of several.
        ([EVENING, MORNING], pacific(1, MONDAY, 7), "Mornings — in 2 h"),
        ([MORNING, EVENING], pacific(1, MONDAY, 13), "Evenings — in 4 h"),
        # Across the weekend.
        ([EVENING], pacific(1, FRIDAY, 19), "Evenings — Monday 5 pm"),
        ([SATURDAY], pacific(1, FRIDAY, 18), "Saturdays — tomorrow 9 am"),
        ([MORNING, SATURDAY], pacific(1, FRIDAY, 20), "Saturdays — tomorrow 9 am"),
        ([MORNING, SATURDAY], pacific(1, SATURDAY_, 12), "Mornings — Monday 9 am"),
        ([SATURDAY], pacific(1, SATURDAY_, 10), "Saturdays — now"),
        ([SATURDAY], pacific(1, SATURDAY_, 12), "Saturdays — next Saturday 9 am"),
        ([AFTERNOON], pacific(1, SUNDAY, 10), "Afternoons — tomorrow noon"),
        ([MORNING], pacific(1, SUNDAY, 23, 59), "Mornings — tomorrow 9 am"),
        ([SATURDAY], pacific(1, SUNDAY, 10), "Saturdays — Saturday 9 am"),
        # Weekday windows are not Saturday's, and Saturday's is not a weekday's.
        ([AFTERNOON], pacific(1, SATURDAY_, 13), "Afternoons — Monday noon"),
        ([SATURDAY], pacific(1, MONDAY, 10), "Saturdays — Saturday 9 am"),
    ],
)
def test_ok_to_call(best_times, now, expected):
    assert read(ok_to_call(best_times, now)) == expected


def read(hint):
    """The hint as a person reads it: its non-breaking spaces as spaces."""
    return hint.replace("\N{NO-BREAK SPACE}", " ")


def test_a_narrow_column_never_splits_a_number_from_its_unit_nor_a_dash_from_its_word():
    nbsp = "\N{NO-BREAK SPACE}"
    assert ok_to_call([EVENING], pacific(1, MONDAY, 14)) == f"Evenings{nbsp}— in 3{nbsp}h"
    assert ok_to_call([MORNING], pacific(1, FRIDAY, 13)) == f"Mornings{nbsp}— Monday 9{nbsp}am"


def test_now_is_read_in_the_practice_time_zone():
    # 17:30 UTC on a Monday in January is 9:30 am in the practice.
    utc = datetime(2027, 1, 4, 17, 30, tzinfo=ZoneInfo("UTC"))
    assert read(ok_to_call([MORNING], utc)) == "Mornings — now"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Spring forward, Sunday 14 March 2027 at 2 am: no window that day.
        (pacific(3, 13, 20), "Mornings — Monday 9 am"),
        (pacific(3, 14, 1, 59), "Mornings — tomorrow 9 am"),
        (pacific(3, 14, 3), "Mornings — tomorrow 9 am"),
        (pacific(3, 15, 8), "Mornings — in 1 h"),
        # Fall back, Sunday 7 November 2027 at 2 am: 1:30 happens twice.
        (pacific(11, 7, 1, 30), "Mornings — tomorrow 9 am"),
        (pacific(11, 7, 1, 30).replace(fold=1), "Mornings — tomorrow 9 am"),
        (pacific(11, 8, 8, 15), "Mornings — in 45 min"),
    ],
)
def test_daylight_saving_days_in_the_practice(now, expected):
    assert read(ok_to_call([MORNING], now)) == expected


def test_hours_ahead_count_real_time_when_the_clocks_change_that_morning(settings):
    # Israel moves its clocks on a Friday: 2 am becomes 3 am on 26 March 2027, so from 1 am
    # the 9 am window is 7 hours away, not the 8 that the wall clock suggests.
    settings.TIME_ZONE = "Asia/Jerusalem"
    one_am = datetime(2027, 3, 26, 1, 0, tzinfo=ZoneInfo("Asia/Jerusalem"))

    assert read(ok_to_call([MORNING], one_am)) == "Mornings — in 7 h"


# --- In the triage desk -------------------------------------------------------------------------

LIST = "/admin/consultations/consultationrequest/"


def hint_in_list(html, consultation):
    """What the triage list's row for `consultation` says in "OK to call now?"."""
    (row,) = [row for row in html.split("<tr") if f"/{consultation.pk}/change/" in row]
    return re.search(r'<td class="field-ok_to_call_now">(.*?)</td>', row).group(1)


def signed_in_desk(client):
    client.force_login(make_front_desk())
    return client


@pytest.mark.django_db
@time_machine.travel(pacific(1, MONDAY, 14), tick=False)
def test_the_triage_list_says_when_to_call_open_requests(client):
    evenings = make_request(best_times=[EVENING])
    anytime = make_request()
    closed = make_request(best_times=[EVENING], status=RequestStatus.CLOSED)

    response = signed_in_desk(client).get(LIST)

    html = response.content.decode()
    assert "OK to call now?" in html
    assert read(hint_in_list(html, evenings)) == "Evenings — in 3 h"
    assert hint_in_list(html, anytime) == "Any time"
    assert hint_in_list(html, closed) == "—"  # finished: nobody is calling


@pytest.mark.django_db
@time_machine.travel(pacific(1, FRIDAY, 20), tick=False)
def test_the_request_page_says_when_to_call_beside_the_best_times(client):
    consultation = make_request(best_times=[MORNING, SATURDAY])

    response = signed_in_desk(client).get(f"{LIST}{consultation.pk}/change/")

    html = response.content.decode()
    best_times = html.index("Weekday mornings (9 am – noon), Saturday mornings")
    hint = html.index("Saturdays\N{NO-BREAK SPACE}— tomorrow 9\N{NO-BREAK SPACE}am")
    assert best_times < html.index("OK to call:") < hint < html.index("OK to leave a voicemail")
