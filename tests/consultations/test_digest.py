"""The daily digest: each person's overdue and booked calls, the front desk's unassigned ones,
once a day from CONSULTATION_DIGEST_HOUR (practice time), never a visitor's details."""

from datetime import datetime, timedelta
from http import HTTPStatus
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from post_office.models import Email

from consultations import digest
from consultations.models import ContactKind, ContactLogEntry, DigestDay, RequestStatus
from tests.support.factories import make_clinician, make_front_desk, make_request, make_user
from tests.support.mail import deliver_queued_mail
from tests.support.subprocess_django import PRODUCTION, run_django

pytestmark = pytest.mark.django_db

PACIFIC = ZoneInfo("America/Los_Angeles")
SITE = "https://clearwater.example"
LIST = f"{SITE}/admin/consultations/consultationrequest/"


def pacific(month, day, hour, minute=0, year=2027, fold=0):
    return datetime(year, month, day, hour, minute, tzinfo=PACIFIC, fold=fold)


MONDAY = pacific(1, 4, 8, 5)  # Monday 4 January 2027, just after the digest hour
LAST_WEEK = pacific(12, 28, 10, year=2026)  # long overdue by Monday
TYPED = {  # what visitors typed, none of which may reach a digest
    "name": "Canary Namesake",
    "phone": "(555) 010-7777",
    "email": "canary-visitor@example.org",
    "message": "canary-message-text",
}


@pytest.fixture(autouse=True)
def _practice(settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    settings.CONSULTATION_DIGEST_HOUR = 8
    settings.CONSULTATION_RESPONSE_HOURS = 24
    settings.PRACTICE_URL = SITE


def run(moment):
    """`manage.py send_digest` at `moment`, as the timer starts it; returns what it said."""
    out = StringIO()
    with time_machine.travel(moment, tick=False):
        call_command("send_digest", stdout=out)
    return out.getvalue()


def delivered():
    return {message.to[0]: message for message in deliver_queued_mail()}


def a_day_of_requests(alice, bob):
    """Alice: one overdue request and two calls today; Bob: one call today; nobody: two new
    requests, one of them overdue."""
    with time_machine.travel(LAST_WEEK, tick=False):
        make_request(assigned_to=alice, **TYPED)
        make_request(**TYPED)  # nobody's, overdue by Monday
    with time_machine.travel(MONDAY - timedelta(hours=1), tick=False):
        make_request(assigned_to=alice, call_at=pacific(1, 4, 10), **TYPED)
        make_request(assigned_to=alice, call_at=pacific(1, 4, 16), **TYPED)
        make_request(assigned_to=bob, call_at=pacific(1, 4, 11), **TYPED)
        make_request(**TYPED)  # nobody's, fresh


# --- When ---------------------------------------------------------------------------------------


def test_nothing_is_sent_before_the_hour():
    make_front_desk(email="desk@example.com")
    with time_machine.travel(LAST_WEEK, tick=False):
        make_request()

    said = run(pacific(1, 4, 7, 59))

    assert "Not yet" in said
    assert not Email.objects.exists()
    assert not DigestDay.objects.exists()


def test_sent_once_after_the_hour_however_often_it_runs():
    make_front_desk(email="desk@example.com")
    with time_machine.travel(LAST_WEEK, tick=False):
        make_request()

    first = run(pacific(1, 4, 8, 0))
    again = [run(pacific(1, 4, 8, 15)), run(pacific(1, 4, 13)), run(pacific(1, 4, 23, 59))]

    assert "1 e-mail(s) queued" in first
    assert all("handled already" in said for said in again)
    assert list(delivered()) == ["desk@example.com"]
    assert list(DigestDay.objects.values_list("day", flat=True)) == [MONDAY.date()]


def test_the_next_day_has_a_digest_of_its_own():
    make_front_desk(email="desk@example.com")
    with time_machine.travel(LAST_WEEK, tick=False):
        make_request()

    run(MONDAY)
    run(pacific(1, 5, 7))  # Tuesday, before the hour
    run(pacific(1, 5, 9))

    assert Email.objects.count() == 2
    assert DigestDay.objects.count() == 2


def test_two_processes_at_the_same_moment_send_one_digest():
    make_front_desk(email="desk@example.com")
    with time_machine.travel(LAST_WEEK, tick=False):
        make_request()

    assert digest.send_due(MONDAY) == 1
    assert digest.send_due(MONDAY) is None
    assert Email.objects.count() == 1


def test_a_process_that_loses_the_race_to_record_the_day_sends_nothing():
    make_front_desk(email="desk@example.com")
    with time_machine.travel(LAST_WEEK, tick=False):
        make_request()

    raced = []

    def the_other_process_gets_there_first(execute, sql, params, many, context):
        # Between this process's look for today's row and its own insert, another one writes it.
        if sql.startswith('INSERT INTO "consultations_digestday"') and not raced:
            raced.append(sql)
            DigestDay.objects.create(day=MONDAY.date())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(the_other_process_gets_there_first):
        assert digest.send_due(MONDAY) is None

    assert raced
    assert not Email.objects.exists()


def test_nothing_to_say_sends_nothing_but_records_the_day():
    make_front_desk(email="desk@example.com")
    make_clinician(email="clinician@example.com")

    said = run(MONDAY)

    assert "Nothing to say" in said
    assert not Email.objects.exists()
    assert DigestDay.objects.get().day == MONDAY.date()
    assert "handled already" in run(pacific(1, 4, 9))


@pytest.mark.parametrize(
    ("hour", "runs", "too_early"),
    [
        # Spring forward, Sunday 14 March 2027: 2:00 becomes 3:00, so 2 am never comes.
        (2, [pacific(3, 14, 1, 45), pacific(3, 14, 3, 0), pacific(3, 14, 3, 15)], 1),
        # Fall back, Sunday 7 November 2027: 1:00 to 2:00 comes twice.
        (
            1,
            [
                pacific(11, 7, 0, 45),
                pacific(11, 7, 1, 0),
                pacific(11, 7, 1, 45),
                pacific(11, 7, 1, 0, fold=1),
                pacific(11, 7, 1, 45, fold=1),
                pacific(11, 7, 2, 0),
            ],
            1,
        ),
        # The days after, as usual.
        (2, [pacific(3, 15, 1, 45), pacific(3, 15, 2, 0), pacific(3, 15, 2, 15)], 1),
        (1, [pacific(11, 8, 0, 45), pacific(11, 8, 1, 0), pacific(11, 8, 1, 15)], 1),
    ],
)
def test_daylight_saving_days_send_once_from_the_hour(settings, hour, runs, too_early):
    settings.CONSULTATION_DIGEST_HOUR = hour
    make_front_desk(email="desk@example.com")
    with time_machine.travel(runs[0] - timedelta(days=30), tick=False):
        make_request()

    queued = []
    for moment in runs:
        run(moment)
        queued.append(Email.objects.count())

    assert queued == [0] * too_early + [1] * (len(runs) - too_early)
    assert DigestDay.objects.get().day == runs[0].date()


def test_an_hour_that_is_not_one_is_refused(settings):
    settings.CONSULTATION_DIGEST_HOUR = 24

    with pytest.raises(CommandError, match="CONSULTATION_DIGEST_HOUR must be 0 to 23"):
        run(MONDAY)
    assert not DigestDay.objects.exists()


# --- What ---------------------------------------------------------------------------------------


def test_each_assignee_hears_only_their_own_counts_and_the_front_desk_the_unassigned():
    alice = make_clinician("alice", email="alice@example.com")
    bob = make_clinician("bob", email="bob@example.com")
    desk = make_front_desk(email="desk@example.com")
    a_day_of_requests(alice, bob)

    run(MONDAY)

    mail = delivered()
    assert set(mail) == {"alice@example.com", "bob@example.com", "desk@example.com"}
    assert mail["alice@example.com"].subject == (
        "Consultation requests today: 1 overdue, 2 calls booked"
    )
    assert "- 1 overdue" in mail["alice@example.com"].body
    assert "- 2 calls booked for today" in mail["alice@example.com"].body
    assert mail["bob@example.com"].subject == "Consultation requests today: 1 call booked"
    assert "overdue" not in mail["bob@example.com"].body
    assert "- 1 call booked for today" in mail["bob@example.com"].body
    assert "Not assigned" not in mail["alice@example.com"].body + mail["bob@example.com"].body
    assert mail["desk@example.com"].subject == "Consultation requests today: 2 unassigned"
    assert "- 2 new requests, 1 of them overdue" in mail["desk@example.com"].body
    assert "Assigned to you" not in mail["desk@example.com"].body
    assert desk.email == "desk@example.com"


def test_a_front_desk_member_with_their_own_requests_gets_one_email_with_both():
    desk = make_front_desk(email="desk@example.com")
    a_day_of_requests(desk, make_clinician("bob"))  # bob has no address: skipped

    run(MONDAY)

    (message,) = delivered().values()
    assert message.subject == (
        "Consultation requests today: 1 overdue, 2 calls booked, 2 unassigned"
    )
    assert "Assigned to you" in message.body and "Not assigned" in message.body


def test_the_links_list_what_was_counted(client):
    alice = make_front_desk(email="alice@example.com")
    a_day_of_requests(alice, make_clinician("bob"))

    run(MONDAY)

    body = delivered()["alice@example.com"].body
    links = [line.strip().removeprefix(SITE) for line in body.splitlines() if SITE in line]
    assert links == [
        "/admin/consultations/consultationrequest/?assigned=me&overdue=yes",
        "/admin/consultations/consultationrequest/calls/",
        "/admin/consultations/consultationrequest/?assigned=nobody&status__exact=new",
    ]
    overdue, calls, unassigned = links
    with time_machine.travel(MONDAY + timedelta(minutes=5), tick=False):
        client.force_login(alice)
        assert client.get(overdue).context["cl"].result_count == 1
        assert client.get(calls).status_code == HTTPStatus.OK
        assert client.get(unassigned).context["cl"].result_count == 2


def test_counts_follow_what_is_open_today():
    alice = make_clinician("alice", email="alice@example.com")
    with time_machine.travel(LAST_WEEK, tick=False):
        make_request(assigned_to=alice, status=RequestStatus.CLOSED)  # finished
        make_request(assigned_to=alice, status=RequestStatus.CONTACTED)  # answered in time
        make_request(assigned_to=alice, call_at=pacific(1, 5, 10))  # tomorrow's call
        ContactLogEntry.objects.create(
            request=make_request(assigned_to=alice, call_at=pacific(1, 3, 10)),
            kind=ContactKind.CALLED,
            created_at=pacific(1, 3, 10, 5),
        )  # yesterday's, made
        ContactLogEntry.objects.create(
            request=make_request(assigned_to=alice, call_at=pacific(1, 4, 7, 30)),
            kind=ContactKind.CALLED,
            created_at=pacific(1, 4, 7, 40),
        )  # this morning's, made: still one of today's calls
        make_request(assigned_to=alice, call_at=pacific(1, 4, 7))  # missed: overdue, once

    run(MONDAY)

    message = delivered()["alice@example.com"]
    assert message.subject == "Consultation requests today: 1 overdue, 1 call booked"


def test_inactive_staff_and_staff_without_an_address_get_nothing():
    gone = make_clinician("gone", email="gone@example.com", is_active=False)
    silent = make_front_desk("silent")  # no e-mail address
    not_staff = make_user("former", email="former@example.com")
    not_staff.is_staff = False
    not_staff.save()
    with time_machine.travel(LAST_WEEK, tick=False):
        make_request(assigned_to=gone)
        make_request(assigned_to=silent)
        make_request(assigned_to=not_staff)

    said = run(MONDAY)

    assert "Nothing to say" in said
    assert not Email.objects.exists()
    assert silent.email == ""


def test_no_visitor_data_in_any_digest():
    alice = make_front_desk(email="alice@example.com")
    bob = make_clinician("bob", email="bob@example.com")
    a_day_of_requests(alice, bob)

    run(MONDAY)

    mail = delivered()
    assert len(mail) == 2
    for message in mail.values():
        text = message.subject + message.body + str(message.extra_headers)
        for value in [*TYPED.values(), "555", "0107777", "Canary", "canary"]:
            assert value not in text
        assert "#" not in text  # no request numbers either
        assert not getattr(message, "alternatives", None) and not message.attachments


def test_the_site_address_defaults_to_the_first_allowed_host():
    hosts = {"DJANGO_ALLOWED_HOSTS": "clearwater.example,www.clearwater.example"}
    code = "from django.conf import settings\nresult = settings.PRACTICE_URL"

    assert run_django(code, **PRODUCTION, **hosts) == "https://clearwater.example"
    assert run_django(code, **PRODUCTION, **hosts, PRACTICE_URL=f"{SITE}/") == SITE
