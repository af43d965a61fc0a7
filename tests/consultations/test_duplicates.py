"""The same person twice: spotting a new request from an open one's phone or e-mail, merging the
newer into the older (log, booking, audit trail) and the owner's undo."""

from datetime import datetime, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import User
from django.utils import timezone
from post_office.models import Email

from consultations import abuse, booking, calls, merging
from consultations.models import (
    FINISHED_STATUSES,
    ConsultationRequest,
    ContactKind,
    ContactLogEntry,
    RequestMerge,
    RequestStatus,
    phone_key,
)
from staff.models import AuditAction, AuditEvent
from tests.support.factories import (
    make_call_taker,
    make_clinician,
    make_front_desk,
    make_request,
)

pytestmark = pytest.mark.django_db

LIST = "/admin/consultations/consultationrequest/"
PACIFIC = ZoneInfo("America/Los_Angeles")
MONDAY_6AM = datetime(2027, 1, 4, 6, 0, tzinfo=PACIFIC)
NINE = datetime(2027, 1, 4, 9, 0, tzinfo=PACIFIC)
TEN = datetime(2027, 1, 4, 10, 0, tzinfo=PACIFIC)
SITE = "https://practice.example/"
THREE_WAYS = ["(555) 010-0142", "555.010.0142", "+1 555 010 0142"]


@pytest.fixture(autouse=True)
def _practice(settings):
    settings.TIME_ZONE = "America/Los_Angeles"
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    settings.CONSULTATION_RATE_LIMIT = ""
    settings.CONSULTATION_REMINDER_HOURS = 2


def send_form(client, **fields):
    """A visitor sends the public form; returns the request it stored."""
    data = {
        "name": "Sam",
        "phone": "(555) 010-0199",
        "email": "",
        "location": "OR",
        "age": "adult",
        "preferred_contact": "phone",
        "consent": "on",
        "form_token": abuse.new_form_token(),
        **fields,
    }
    response = client.post("/consultation/", data)
    assert response.status_code == HTTPStatus.FOUND, response.context["form"].errors
    return ConsultationRequest.objects.latest("submitted_at", "pk")


def ago(days):
    return timezone.now() - timedelta(days=days)


# Spotting ---------------------------------------------------------------------------------------


def test_a_phone_number_written_three_ways_is_one_number():
    assert {phone_key(written) for written in THREE_WAYS} == {"5550100142"}


@pytest.mark.parametrize("stored", THREE_WAYS)
@pytest.mark.parametrize("sent", THREE_WAYS)
def test_a_request_from_the_same_phone_is_marked(client, stored, sent):
    first = make_request(phone=stored, submitted_at=ago(3))

    second = send_form(client, phone=sent)

    assert second.possible_duplicate_of == first


def test_a_request_from_the_same_email_in_other_letters_is_marked(client):
    first = make_request(phone="", email="Sam.Lee@Example.org", submitted_at=ago(1))

    second = send_form(client, phone="555 010 0777", email="sam.lee@example.ORG")

    assert second.possible_duplicate_of == first


def test_no_phone_never_matches_no_phone(client):
    make_request(phone="", email="someone@example.org", submitted_at=ago(1))

    second = send_form(client, phone="", email="another@example.org", preferred_contact="email")

    assert second.possible_duplicate_of is None


@pytest.mark.parametrize(("days", "marked"), [(89, True), (91, False)])
def test_only_requests_of_the_last_90_days_count(client, days, marked):
    first = make_request(phone="(555) 010-0199", submitted_at=ago(days))

    second = send_form(client)

    assert second.possible_duplicate_of == (first if marked else None)


@pytest.mark.parametrize("status", FINISHED_STATUSES)
def test_finished_requests_do_not_count(client, status):
    make_request(phone="(555) 010-0199", status=status, submitted_at=ago(2))

    assert send_form(client).possible_duplicate_of is None


def test_a_merged_request_does_not_count(client):
    older = make_request(phone="(555) 010-0100", submitted_at=ago(5))
    merged = make_request(phone="(555) 010-0199", submitted_at=ago(2), merged_into=older)
    ConsultationRequest.objects.filter(pk=merged.pk).update(status=RequestStatus.CONTACTED)

    assert send_form(client).possible_duplicate_of is None


def test_the_newest_open_match_is_chosen(client):
    make_request(phone="555-010-0199", submitted_at=ago(20))
    newest_open = make_request(phone="", email="sam@example.org", submitted_at=ago(10))
    make_request(phone="555-010-0199", status=RequestStatus.SPAM, submitted_at=ago(1))

    second = send_form(client, email="SAM@example.org")

    assert second.possible_duplicate_of == newest_open


# Showing it -------------------------------------------------------------------------------------


@pytest.fixture
def desk(client):
    user = make_front_desk()
    client.force_login(user)
    client.user = user
    return client


def change_url(consultation):
    return f"{LIST}{consultation.pk}/change/"


def merge_path(newer, older):
    return f"{LIST}{newer.pk}/merge/{older.pk}/"


def test_the_list_marks_a_possible_duplicate_with_a_link(desk):
    older = make_request(submitted_at=ago(2))
    newer = make_request(possible_duplicate_of=older)

    html = desk.get(LIST).content.decode()

    assert f'Possibly the same person as <a href="{change_url(older)}">#{older.pk}</a>' in html, (
        f"no mark for #{newer.pk}"
    )


def test_the_list_keeps_its_query_count_with_marks(desk, django_assert_max_num_queries):
    older = make_request(assigned_to=desk.user, submitted_at=ago(2))
    for _ in range(30):
        make_request(assigned_to=desk.user, possible_duplicate_of=older)

    with django_assert_max_num_queries(12):
        assert desk.get(LIST).status_code == HTTPStatus.OK


def test_the_page_of_a_possible_duplicate_says_so_and_offers_the_merge(desk):
    older = make_request(submitted_at=ago(2))
    newer = make_request(possible_duplicate_of=older)

    newer_html = desk.get(change_url(newer)).content.decode()
    older_html = desk.get(change_url(older)).content.decode()

    assert f'Possibly the same person as <a href="{change_url(older)}">#{older.pk}</a>' in (
        newer_html
    )
    assert f'<a class="button" href="{merge_path(newer, older)}">Merge into #{older.pk}</a>' in (
        newer_html
    )
    assert f'<a href="{change_url(newer)}">#{newer.pk}</a>' in older_html
    assert "Possibly the same person, sent later" in older_html


def test_the_merge_button_leads_to_a_confirmation_of_both_requests(desk):
    older = make_request(name="Sam Lee", submitted_at=ago(2))
    newer = make_request(name="Sam L.", possible_duplicate_of=older)

    response = desk.get(merge_path(newer, older))

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert f"Merge request #{newer.pk} into #{older.pk}?" in html
    assert "Sam Lee" in html and "Sam L." in html
    assert f"#{newer.pk} is closed as merged into #{older.pk}" in html
    assert f'value="Yes, merge #{newer.pk} into #{older.pk}"' in html
    assert not RequestMerge.objects.exists()  # looking changes nothing


# Merging ----------------------------------------------------------------------------------------


def log(consultation, minutes_ago, text, kind=ContactKind.CALLED):
    return ContactLogEntry.objects.create(
        request=consultation,
        kind=kind,
        text=text,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
    )


def test_merging_joins_both_contact_logs_in_time_order(desk):
    older = make_request(submitted_at=ago(3))
    newer = make_request(submitted_at=ago(1), possible_duplicate_of=older)
    log(older, 50, "older, first")
    log(newer, 40, "newer, first")
    log(older, 30, "older, second")
    log(newer, 20, "newer, second", kind=ContactKind.NOTE)

    merging.merge(newer, older, desk.user)

    texts = list(older.log_entries.values_list("text", flat=True))
    assert texts == [
        "older, first",
        "newer, first",
        "older, second",
        "newer, second",
        f"Merged request #{newer.pk} into this one.",
    ]
    assert list(newer.log_entries.values_list("text", flat=True)) == [
        f"Merged into request #{older.pk}."
    ]


def test_the_newer_is_closed_as_merged_with_what_the_visitor_sent_untouched(desk):
    older = make_request(submitted_at=ago(3))
    newer = make_request(name="Sam", email="sam@example.org", message="My words")

    merging.merge(older, newer, desk.user)  # either order: the newer goes into the older

    newer.refresh_from_db()
    assert newer.status == RequestStatus.CLOSED and newer.finished_at
    assert newer.first_contacted_at is None  # the merge is no contact with the person
    assert newer.merged_into == older
    assert (newer.name, newer.email, newer.message) == ("Sam", "sam@example.org", "My words")


def test_an_untouched_older_request_takes_the_newers_progress(desk):
    older = make_request(submitted_at=ago(3))
    newer = make_request(status=RequestStatus.CONTACTED)

    merging.merge(newer, older, desk.user)

    older.refresh_from_db()
    assert older.status == RequestStatus.CONTACTED
    assert older.first_contacted_at == newer.first_contacted_at


def test_the_merge_is_in_the_audit_trail_for_both_requests(desk):
    older, newer = make_request(submitted_at=ago(3)), make_request()

    merge = merging.merge(newer, older, desk.user)

    events = AuditEvent.objects.filter(action=AuditAction.MERGE_REQUEST)
    assert {event.request_id for event in events} == {older.pk, newer.pk}
    assert {event.user for event in events} == {desk.user}
    assert (merge.kept, merge.merged, merge.merged_by) == (older, newer, desk.user)


def test_a_merged_request_cannot_be_merged_again(desk):
    older, newer = make_request(submitted_at=ago(3)), make_request()
    merging.merge(newer, older, desk.user)

    with pytest.raises(merging.CannotMerge, match="already been merged"):
        merging.merge(newer, make_request(), desk.user)


# Bookings ---------------------------------------------------------------------------------------


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY_6AM, tick=False) as traveller:
        yield traveller


@pytest.fixture
def taker(clock):
    return make_call_taker(hours=[(9, 12)])


def booked(start, taker, **fields):
    """A request whose call staff booked at `start`, with the visitor's reminder queued."""
    consultation = make_request(email="visitor@example.org", **fields)
    calls.booked_by_staff(consultation, start, taker.user, SITE)
    consultation.refresh_from_db()
    assert consultation.reminder_id
    return consultation


def test_with_calls_on_both_the_older_is_kept_and_the_newers_released(desk, taker):
    older = booked(TEN, taker, submitted_at=ago(2))
    newer = booked(NINE, taker)
    newer_reminder = newer.reminder_id

    merging.merge(newer, older, desk.user)

    older.refresh_from_db(), newer.refresh_from_db()
    assert (older.call_at, older.assigned_to) == (TEN, taker.user)
    assert newer.call_at is None and newer.reminder is None
    assert not Email.objects.filter(pk=newer_reminder).exists()  # it will never go
    assert older.log_entries.filter(
        text__contains="call booked for Monday 4 January at 9:00 am"
    ).exists()
    assert "9:00 am" in merging_note(older)
    free = booking.free_times()
    assert NINE in free and TEN not in free


def merging_note(consultation):
    return " ".join(
        consultation.log_entries.filter(kind=ContactKind.NOTE).values_list("text", flat=True)
    )


def test_a_call_only_on_the_newer_moves_and_its_change_link_still_works(client, desk, taker):
    older = make_request(submitted_at=ago(2))
    newer = booked(NINE, taker)
    link = calls.change_url(newer, SITE).removeprefix(SITE.rstrip("/"))
    reminder, sequence = newer.reminder_id, newer.call_sequence

    merging.merge(newer, older, desk.user)

    older.refresh_from_db(), newer.refresh_from_db()
    assert (older.call_at, older.assigned_to, older.call_sequence) == (NINE, taker.user, sequence)
    assert older.reminder_id == reminder
    assert newer.call_at is None
    page = client.get(link)
    assert page.status_code == HTTPStatus.OK
    assert "Monday 4 January at 9:00 am" in page.content.decode()
    client.post(link, {"call_time": TEN.isoformat()})
    older.refresh_from_db()
    assert older.call_at == TEN


# The triage desk's action ----------------------------------------------------------------------


def run_merge_action(client, *requests):
    return client.post(
        LIST, {"action": "merge_into_older", "_selected_action": [r.pk for r in requests]}
    )


@pytest.mark.parametrize("how_many", [1, 3])
def test_the_list_action_wants_exactly_two_requests(desk, how_many):
    chosen = [make_request() for _ in range(how_many)]

    response = run_merge_action(desk, *chosen)

    assert response.status_code == HTTPStatus.FOUND and response["Location"] == LIST
    message = str(list(desk.get(LIST).context["messages"])[0])
    assert message.startswith("Choose exactly two requests to merge")
    assert not RequestMerge.objects.exists()


@pytest.mark.parametrize("maker", [make_front_desk, make_clinician])
def test_both_staff_groups_merge_from_the_list_after_confirming(client, maker):
    client.force_login(maker())
    older, newer = make_request(submitted_at=ago(2)), make_request()

    response = run_merge_action(client, newer, older)
    assert response["Location"] == merge_path(newer, older)
    response = client.post(response["Location"], {"post": "yes"})

    assert response["Location"] == change_url(older)
    newer.refresh_from_db()
    assert newer.merged_into == older
    html = client.get(change_url(older)).content.decode()
    assert f'Merged into this: <a href="{change_url(newer)}">#{newer.pk}</a>' in html


# Undo -----------------------------------------------------------------------------------------


@pytest.fixture
def owner(client):
    user = User.objects.create_superuser("owner", "owner@example.org", "a-long-password-8812")
    client.force_login(user)
    client.user = user
    return client


FIELDS = [
    "status",
    "finished_at",
    "first_contacted_at",
    "call_at",
    "call_sequence",
    "assigned_to_id",
    "reminder_id",
    "possible_duplicate_of_id",
    "merged_into_id",
]


def fields_of(consultation):
    consultation.refresh_from_db()
    return {field: getattr(consultation, field) for field in FIELDS}


def test_undo_puts_both_requests_back_field_by_field(taker, owner):
    older = make_request(submitted_at=ago(2))
    newer = booked(NINE, taker, possible_duplicate_of=older, status=RequestStatus.CONTACTED)
    older_log = log(older, 30, "older's call")
    newer_log = log(newer, 20, "newer's call")
    later = make_request(possible_duplicate_of=newer)
    before = {"older": fields_of(older), "newer": fields_of(newer)}
    merge = merging.merge(newer, older, owner.user)

    response = owner.post(f"/admin/consultations/requestmerge/{merge.pk}/undo/")

    assert response["Location"] == change_url(older)
    assert fields_of(older) == before["older"]
    assert fields_of(newer) == before["newer"]
    older_log.refresh_from_db(), newer_log.refresh_from_db()
    assert (older_log.request, newer_log.request) == (older, newer)
    later.refresh_from_db()
    assert later.possible_duplicate_of == newer
    merge.refresh_from_db()
    assert merge.undone_at is not None
    assert f"Undid the merge of request #{newer.pk} into this one." in merging_note(older)
    assert f"Undid the merge of this request into #{older.pk}." in merging_note(newer)
    events = AuditEvent.objects.filter(action=AuditAction.UNMERGE_REQUEST)
    assert {event.request_id for event in events} == {older.pk, newer.pk}


def test_undo_books_a_released_call_again_with_its_reminder(taker, owner):
    older = booked(TEN, taker, submitted_at=ago(2))
    newer = booked(NINE, taker)
    merge = merging.merge(newer, older, owner.user)

    owner.post(f"/admin/consultations/requestmerge/{merge.pk}/undo/")

    newer.refresh_from_db()
    assert (newer.call_at, newer.assigned_to) == (NINE, taker.user)
    assert newer.reminder.scheduled_time == NINE - timedelta(hours=2)


def test_undo_says_so_when_the_released_time_was_booked_since(taker, owner):
    older = booked(TEN, taker, submitted_at=ago(2))
    newer = booked(NINE, taker, status=RequestStatus.CONTACTED)
    merge = merging.merge(newer, older, owner.user)
    booked(NINE, taker)  # someone else, meanwhile

    response = owner.post(f"/admin/consultations/requestmerge/{merge.pk}/undo/", follow=True)

    newer.refresh_from_db()
    assert newer.merged_into is None and newer.status == RequestStatus.CONTACTED
    assert newer.call_at is None
    messages = [str(message) for message in response.context["messages"]]
    assert any(
        "could not be booked again: someone else has booked that time" in m for m in messages
    )


def test_only_the_owner_may_undo(client, desk):
    older, newer = make_request(submitted_at=ago(2)), make_request()
    merge = merging.merge(newer, older, desk.user)

    page = desk.get(change_url(older)).content.decode()
    response = desk.post(f"/admin/consultations/requestmerge/{merge.pk}/undo/")

    assert "Undo merge" not in page
    assert response.status_code == HTTPStatus.FORBIDDEN
    with pytest.raises(merging.CannotUndo, match="Only the practice owner"):
        merging.undo(merge, desk.user)
    assert desk.get("/admin/consultations/requestmerge/").status_code == HTTPStatus.FORBIDDEN


def test_the_owner_sees_the_undo_button_and_the_list_of_merges(owner):
    older, newer = make_request(submitted_at=ago(2)), make_request()
    merge = merging.merge(newer, older, owner.user)
    undo = f"/admin/consultations/requestmerge/{merge.pk}/undo/"

    page = owner.get(change_url(older)).content.decode()
    listing = owner.get("/admin/consultations/requestmerge/").content.decode()
    confirmation = owner.get(undo)

    assert f'<a class="button" href="{undo}">Undo merge of #{newer.pk}</a>' in page
    assert f'<a href="{undo}">Undo merge</a>' in listing
    assert 'value="Yes, undo the merge"' in confirmation.content.decode()


def test_a_merge_cannot_be_undone_after_30_days(owner):
    older, newer = make_request(submitted_at=ago(2)), make_request()
    merge = merging.merge(newer, older, owner.user)

    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert "Undo merge" not in owner.get(change_url(older)).content.decode()
        with pytest.raises(merging.CannotUndo, match="30 days only"):
            merging.undo(merge, owner.user)

    newer.refresh_from_db()
    assert newer.merged_into == older


def test_a_merge_cannot_be_undone_twice(owner):
    older, newer = make_request(submitted_at=ago(2)), make_request()
    merge = merging.merge(newer, older, owner.user)
    merging.undo(merge, owner.user)

    with pytest.raises(merging.CannotUndo, match="undone already"):
        merging.undo(merge, owner.user)

    assert AuditEvent.objects.filter(action=AuditAction.UNMERGE_REQUEST).count() == 2  # 2 ids
