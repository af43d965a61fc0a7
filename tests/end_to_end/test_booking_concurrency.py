"""Booking the call under real concurrency: 50 visitors pick the same time at once.

A real gunicorn with several workers serves a site where one person has call hours all day,
every day, so whatever the clock says, times are offered and each time has exactly one slot.
Fifty visitors (tests/support/http_client.py) open the form, each types their own details and
picks the same time, and all fifty forms are sent at the same moment. Exactly one is booked
(the redirect to the thank-you page naming the time); the other 49 get the form again (409)
with "That time is not free any more", everything they typed kept; nothing else is stored and
no mail is queued for them; no request fails.

Twice: on a SQLite file of the server's own, and on PostgreSQL (pytest-django's test database,
as in test_scale_out.py) when DATABASE_URL points at one. Call hours go in, and what was
stored comes out, through Django in a fresh process on the server's database
(tests/support/subprocess_django.py). `pytest -s` prints the figures.
"""

import math
import os
import re
import time
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
from django.db import connection

from consultations.forms import TIME_NOT_FREE, when
from tests.support.http_client import Visitor
from tests.support.servers import running_server, server_environment
from tests.support.subprocess_django import run_django
from tools.serving import (
    FORM_PATH,
    THANKS_PATH,
    Forms,
    consultation_fields,
    simultaneously,
)

CROWD = 50
CALLER = "caller"  # the one person with call hours
NOT_FREE = TIME_NOT_FREE.split(".")[0]  # "That time is not free any more"
# Picked from the offered times this far past the first one, so that the minimum notice
# cannot overtake it while the visitors fill in their forms.
TIMES_PAST_THE_FIRST = 6  # 6 × 20 minutes: two hours

# Weekly hours covering every day, all day: a time is always free, whatever the clock says.
CALL_HOURS = f"""
from datetime import time

from django.contrib.auth.models import User

from consultations.models import CallTaker, WeeklyHours

user = User.objects.create_user({CALLER!r}, is_staff=True)
taker = CallTaker.objects.create(user=user)
WeeklyHours.objects.bulk_create(
    WeeklyHours(taker=taker, weekday=day, starts=time(0, 0), ends=time(23, 59))
    for day in range(7)
)
"""

# The requests stored from visitors whose names start with `prefix`, and the mail queued for
# their addresses (which start with it too, in lower case), as JSON.
STORED = """
from post_office.models import Email

from consultations.models import ConsultationRequest

prefix = {prefix!r}
result = {{
    "requests": [
        {{
            "name": request.name,
            "call_at": request.call_at and request.call_at.isoformat(),
            "assigned_to": request.assigned_to and request.assigned_to.username,
        }}
        for request in ConsultationRequest.objects.filter(name__startswith=prefix)
        .select_related("assigned_to")
    ],
    "mail_to": [
        email.to
        for email in Email.objects.all()
        if any(to.startswith(prefix.lower().replace(" ", "")) for to in email.to)
    ],
}}
"""


def stored(database_url, prefix):
    return on_the_database(database_url, STORED.format(prefix=prefix))


def on_the_database(url, code):
    """Run `code` through Django in a fresh process, on the test settings and database `url`."""
    return run_django(code, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="tests.settings")


def server_settings(url):
    # Every visitor comes from 127.0.0.1, so the per-address limit is off.
    return server_environment(DATABASE_URL=url, CONSULTATION_RATE_LIMIT="0")


# --- Visitors who book --------------------------------------------------------------------------


@dataclass
class Booker(Visitor):
    """A visitor who types their details and picks a time for the call."""

    email: str = ""
    message: str = ""
    offered: tuple = ()  # the times the form offered them (the radio buttons' values)

    def open_form(self, server):
        response = self.get(server, FORM_PATH)
        assert response.status == HTTPStatus.OK, response.body[:2000]
        hidden = dict(Forms(response.body).with_field("form_token"))
        self.offered = tuple(offered_times(response.body))
        fields = consultation_fields(hidden, self.name, self.phone, self.message)
        self.form = [("email", self.email) if key == "email" else (key, v) for key, v in fields]
        return self

    def choose(self, call_time):
        assert call_time in self.offered, f"{self.name} was not offered {call_time}"
        self.form.append(("call_time", call_time))
        return self

    def typed(self):
        """What this visitor filled in and ticked (all but the time), as the form sends it."""
        return sorted(
            (key, value)
            for key, value in self.form
            if key not in {"csrfmiddlewaretoken", "call_time"}
        )


def offered_times(html):
    """The values of the form's call-time radio buttons, "No time suits me" ("") left out."""
    values = re.findall(r'<input type="radio" name="call_time" value="([^"]*)"', html)
    return [value for value in values if value]


def booked(response):
    """The redirect to the thank-you page that names a booked time."""
    location = urlsplit(response.headers.get("location", ""))
    return (
        response.status == HTTPStatus.FOUND
        and location.path == THANKS_PATH
        and "call" in parse_qs(location.query)
    )


def timed(call):
    """(response, or the exception raised, and seconds taken)."""
    started = time.monotonic()
    try:
        outcome = call()
    except Exception as error:  # a lost connection, a timeout: counted as an error
        outcome = error
    return outcome, time.monotonic() - started


def percentile(values, fraction):
    """The nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def fifty_visitors_pick_the_same_time(server, database_url, label):
    """The whole scenario on one server and its database; prints the figures."""
    bookers = [
        Booker(
            name=f"Visitor {n:02d}",
            phone=f"(555) 010-{n:04d}",
            email=f"visitor{n:02d}@example.com",
            message=f"Visitor {n:02d} would like a call.",
        )
        for n in range(CROWD)
    ]
    for booker in bookers:
        booker.open_form(server)
    assert len(bookers[0].offered) > TIMES_PAST_THE_FIRST, bookers[0].offered
    call_time = bookers[0].offered[TIMES_PAST_THE_FIRST]
    for booker in bookers:
        booker.choose(call_time)

    started = time.monotonic()
    outcomes = simultaneously([lambda b=b: timed(lambda: b.submit(server)) for b in bookers])
    seconds = time.monotonic() - started

    latencies = [latency for _, latency in outcomes]
    responses = [outcome for outcome, _ in outcomes]
    winners = [
        b
        for b, r in zip(bookers, responses, strict=True)
        if not isinstance(r, Exception) and booked(r)
    ]
    shown_again = [
        (b, r)
        for b, r in zip(bookers, responses, strict=True)
        if not isinstance(r, Exception) and r.status == HTTPStatus.CONFLICT
    ]
    errors = [
        r if isinstance(r, Exception) else f"{r.status} {r.headers.get('location', '')}"
        for r in responses
        if isinstance(r, Exception) or not (booked(r) or r.status == HTTPStatus.CONFLICT)
    ] + server.errors()
    print(
        f"\n{label}: {CROWD} requests at once for {call_time}: {len(winners)} booked, "
        f"{len(shown_again)} shown again (409), {len(errors)} errors; "
        f"latency p50 {percentile(latencies, 0.5):.3f} s, p99 {percentile(latencies, 0.99):.3f} s; "
        f"{seconds:.2f} s in all"
    )

    assert not errors, f"{errors[:5]}{server.logs()}"
    assert len(winners) == 1, [b.name for b in winners]
    assert len(shown_again) == CROWD - 1
    # Several workers really took part, so the requests raced across processes.
    assert len(server.worker_pids("POST", FORM_PATH)) >= 2, server.access_log.read_text()

    # Each of the 49 sees the form again: the message, everything they typed, and the times
    # free now, which no longer include the one they lost.
    for booker, response in shown_again:
        assert NOT_FREE in response.body, response.body[:3000]
        again = Forms(response.body).with_field("form_token")
        kept = sorted((key, value) for key, value in again if key != "csrfmiddlewaretoken")
        assert kept == booker.typed(), booker.name  # the form token too, for sending it again
        assert call_time not in offered_times(response.body)
        assert offered_times(response.body), "no other time offered"

    # The one booked lands on a thank-you page naming the time.
    (winner,) = winners
    thanks = winner.get(server, next(r for r in responses if booked(r)).headers["location"])
    assert thanks.status == HTTPStatus.OK
    assert when(datetime.fromisoformat(call_time)) in thanks.body

    # Stored: the one request, booked with the one person; mail only for its visitor.
    found = stored(database_url, "Visitor ")
    assert len(found["requests"]) == 1, found["requests"]
    (request,) = found["requests"]
    assert (
        request["name"],
        datetime.fromisoformat(request["call_at"]),  # the same moment, in whatever offset
        request["assigned_to"],
    ) == (winner.name, datetime.fromisoformat(call_time), CALLER)
    assert found["mail_to"], "no confirmation was queued"
    assert all(to == [winner.email] for to in found["mail_to"]), found["mail_to"]

    # Someone shown the form again picks another time there and books it.
    booker, response = shown_again[0]
    booker.form = [
        *((key, value) for key, value in Forms(response.body).with_field("form_token")),
        ("call_time", offered_times(response.body)[-1]),
    ]
    assert booked(booker.submit(server)), server.logs()


# --- On a SQLite file ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory):
    """A freshly migrated SQLite file of the server's own, with one person's call hours."""
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'db.sqlite3'}"
    on_the_database(
        url, "from django.core.management import call_command\ncall_command('migrate', verbosity=0)"
    )
    on_the_database(url, CALL_HOURS)
    return url


@pytest.fixture(scope="module")
def sqlite_server(sqlite_url, tmp_path_factory):
    with running_server(server_settings(sqlite_url), tmp_path_factory.mktemp("gunicorn")) as server:
        yield server


def test_50_visitors_picking_the_same_time_at_once_book_it_once_on_sqlite(
    sqlite_server, sqlite_url
):
    fifty_visitors_pick_the_same_time(sqlite_server, sqlite_url, "SQLite")


# --- The same booking form sent again -----------------------------------------------------------

DOUBLE_CLICKS = 20
# README.md ("Keeping requests safe"): a double click, a resubmit or a retry makes exactly one
# request, and every attempt sees the thank-you page.


def thanks_page_names(booker, server, response, call_time):
    """Whether `response` is the redirect to a thank-you page naming `call_time`."""
    if not booked(response):
        return False
    page = booker.get(server, response.headers["location"])
    return page.status == HTTPStatus.OK and when(datetime.fromisoformat(call_time)) in page.body


def booker_with_a_time(server, name, phone):
    booker = Booker(name=name, phone=phone, email=name.lower().replace(" ", "") + "@example.com")
    booker.open_form(server)
    call_time = booker.offered[TIMES_PAST_THE_FIRST]
    return booker.choose(call_time), call_time


def test_a_booking_form_sent_again_later_is_thanked_with_its_time_and_stored_once(
    sqlite_server, sqlite_url
):
    # Back and send again, or a retry after a timeout: the very same form again.
    booker, call_time = booker_with_a_time(sqlite_server, "Back button", "(555) 010-0143")

    first = booker.submit(sqlite_server)
    again = [booker.submit(sqlite_server), booker.submit(sqlite_server)]

    assert thanks_page_names(booker, sqlite_server, first, call_time), first.status
    assert len(stored(sqlite_url, "Back button")["requests"]) == 1
    statuses = [response.status for response in again]
    assert all(thanks_page_names(booker, sqlite_server, r, call_time) for r in again), statuses


def test_one_booking_form_posted_20_times_at_once_is_stored_once_and_every_post_is_thanked(
    sqlite_server, sqlite_url
):
    booker, call_time = booker_with_a_time(sqlite_server, "Double clicker", "(555) 010-0142")

    responses = simultaneously([lambda: booker.submit(sqlite_server)] * DOUBLE_CLICKS)

    assert len(stored(sqlite_url, "Double clicker")["requests"]) == 1
    statuses = sorted(response.status for response in responses)
    assert all(thanks_page_names(booker, sqlite_server, r, call_time) for r in responses), statuses


# --- On PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgresql_url(django_db_setup, django_db_blocker):
    """DATABASE_URL naming this process's PostgreSQL test database; skips (or fails, in CI's
    PostgreSQL pass) when the run is not on PostgreSQL."""
    if connection.vendor != "postgresql":
        reason = "Booking on PostgreSQL needs DATABASE_URL=postgres://…"
        if os.environ.get("PRACTICE_REQUIRE_SCALE_OUT") == "1":
            pytest.fail(f"{reason} (PRACTICE_REQUIRE_SCALE_OUT=1 forbids skipping.)")
        pytest.skip(reason)
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture(scope="module")
def postgresql_server(postgresql_url, django_db_blocker, tmp_path_factory):
    try:
        with running_server(
            server_settings(postgresql_url), tmp_path_factory.mktemp("gunicorn-pg")
        ) as server:
            yield server
    finally:
        with django_db_blocker.unblock():
            wait_for_server_connections_to_close()


def wait_for_server_connections_to_close(timeout=15):
    # PostgreSQL ends a stopped server's sessions a moment later; until then, pytest-django
    # could not drop the test database at the end of the run.
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


# The test commits, so the server sees its call hours; serialized_rollback: the roles made by
# data migrations come back after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_50_visitors_picking_the_same_time_at_once_book_it_once_on_postgresql(
    postgresql_server, postgresql_url
):
    on_the_database(postgresql_url, CALL_HOURS)
    fifty_visitors_pick_the_same_time(postgresql_server, postgresql_url, "PostgreSQL")
