"""The triage desk in the admin, and who may do what there."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.utils import timezone

from consultations.models import ConsultationRequest, ContactLogEntry, RequestStatus
from tests.support.factories import (
    make_clinician,
    make_front_desk,
    make_page,
    make_post,
    make_request,
)

pytestmark = pytest.mark.django_db

LIST = "/admin/consultations/consultationrequest/"


def change_url(request):
    return f"{LIST}{request.pk}/change/"


@pytest.fixture
def desk(client):
    user = make_front_desk()
    client.force_login(user)
    client.user = user
    return client


def triage_form(request, **overrides):
    data = {
        "status": request.status,
        "assigned_to": request.assigned_to_id or "",
        "log_entries-TOTAL_FORMS": "0",
        "log_entries-INITIAL_FORMS": "0",
        "log_entries-MIN_NUM_FORMS": "0",
        "log_entries-MAX_NUM_FORMS": "1000",
        "log_entries-2-TOTAL_FORMS": "0",
        "log_entries-2-INITIAL_FORMS": "0",
        "log_entries-2-MIN_NUM_FORMS": "0",
        "log_entries-2-MAX_NUM_FORMS": "1",
    }
    data.update(overrides)
    return data


# Permission matrix ----------------------------------------------------------------------------

ROLE_URLS = [
    # url, front desk, clinician
    ("/admin/", 200, 200),
    (LIST, 200, 200),
    ("/admin/consultations/consultationrequest/report/", 200, 200),
    ("/admin/blog/post/", 403, 200),
    ("/admin/blog/post/add/", 403, 200),
    ("/admin/blog/series/", 403, 200),
    ("/admin/pages/page/", 403, 200),
    ("/admin/auth/user/", 403, 403),
    ("/admin/auth/group/", 403, 403),
    ("/admin/consultations/consultationrequest/add/", 403, 403),
]


@pytest.mark.parametrize(("url", "front_desk", "clinician"), ROLE_URLS)
def test_each_role_sees_only_its_own_work(client, url, front_desk, clinician):
    make_post()
    make_page()
    for user, expected in [(make_front_desk(), front_desk), (make_clinician(), clinician)]:
        client.force_login(user)
        assert client.get(url).status_code == expected, (user.username, url)


@pytest.mark.parametrize("maker", [make_front_desk, make_clinician])
def test_no_role_may_delete_a_request_by_hand(client, maker):
    request = make_request()
    client.force_login(maker())

    response = client.post(f"{LIST}{request.pk}/delete/", {"post": "yes"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert ConsultationRequest.objects.filter(pk=request.pk).exists()


def test_the_owner_may_delete_a_request(admin_client):
    request = make_request()

    admin_client.post(f"{LIST}{request.pk}/delete/", {"post": "yes"})

    assert not ConsultationRequest.objects.exists()
    assert LogEntry.objects.get().object_repr == f"Request #{request.pk}"


def test_visitors_cannot_reach_the_triage_desk(client):
    response = client.get(LIST)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith("/admin/login/")


# The list -------------------------------------------------------------------------------------


def test_list_shows_waiting_time_and_overdue_first_but_never_the_message(desk):
    make_request(name="Fresh", message="private-message-canary")
    overdue = make_request(
        name="Waiting since Monday", submitted_at=timezone.now() - timedelta(days=6)
    )
    make_request(
        name="Called",
        status=RequestStatus.CONTACTED,
        submitted_at=timezone.now() - timedelta(days=9),
    )

    response = desk.get(LIST)

    html = response.content.decode()
    assert list(response.context["cl"].result_list)[0] == overdue
    assert "<strong>Overdue</strong>" in html
    assert "6 days" in html
    assert "private-message-canary" not in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"overdue": "yes"}, {"Late"}),
        ({"assigned": "me"}, {"Mine"}),
        ({"assigned": "nobody"}, {"Late", "Fresh"}),
        ({"status__exact": "new"}, {"Late", "Fresh"}),
        ({"q": "555-0199"}, {"Mine"}),
    ],
)
def test_list_filters_and_search(desk, query, expected):
    make_request(name="Late", submitted_at=timezone.now() - timedelta(days=6))
    make_request(name="Fresh")
    make_request(
        name="Mine", phone="555-0199", status=RequestStatus.CONTACTED, assigned_to=desk.user
    )

    response = desk.get(LIST, query)

    assert {r.name for r in response.context["cl"].result_list} == expected


def test_the_date_filter_still_works(desk):
    make_request(name="Old", submitted_at=timezone.now() - timedelta(days=30))
    make_request(name="Recent")
    since = str(timezone.localtime() - timedelta(days=7))  # as the filter's "Past 7 days" sends

    response = desk.get(LIST, {"submitted_at__gte": since})

    assert {r.name for r in response.context["cl"].result_list} == {"Recent"}


@pytest.mark.parametrize(
    "lookup",
    [
        "client_key__regex",
        "client_key__startswith",
        "client_key",
        "submission_token__startswith",
        "message__icontains",
        "assigned_to__password__startswith",
    ],
)
def test_the_list_address_cannot_look_up_hidden_fields(desk, lookup):
    make_request(name="From one place", client_key="a1" + "0" * 38)
    make_request(name="From another", client_key="b2" + "0" * 38)

    response = desk.get(LIST, {lookup: "a"})

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "From one place" not in response.content.decode()


def test_list_uses_a_constant_number_of_queries(desk, django_assert_max_num_queries):
    for _ in range(30):
        make_request(assigned_to=desk.user)

    with django_assert_max_num_queries(12):
        assert desk.get(LIST).status_code == HTTPStatus.OK


def run_action(client, action, *requests):
    return client.post(LIST, {"action": action, "_selected_action": [r.pk for r in requests]})


def test_actions_assign_contact_schedule_and_mark_spam(desk):
    first, second, third = make_request(), make_request(), make_request()

    run_action(desk, "assign_to_me", first, second)
    run_action(desk, "mark_contacted", first)
    run_action(desk, "mark_scheduled", second)
    run_action(desk, "mark_spam", third)

    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert first.assigned_to == second.assigned_to == desk.user
    assert first.status == RequestStatus.CONTACTED and first.first_contacted_at
    assert second.status == RequestStatus.SCHEDULED
    assert third.status == RequestStatus.SPAM and third.first_contacted_at is None


def test_export_is_a_csv_download_that_is_never_cached(desk):
    request = make_request(name="=2+3")

    response = run_action(desk, "export_csv", request)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="consultation-requests-'
    )
    assert "no-store" in response["Cache-Control"]
    assert '"\'=2+3"' in response.content.decode()


# The change page ------------------------------------------------------------------------------


def test_what_the_visitor_sent_is_read_only(desk):
    request = make_request(name="Original", message="Original message")

    desk.post(change_url(request), triage_form(request, name="Changed", message="Changed"))

    request.refresh_from_db()
    assert (request.name, request.message) == ("Original", "Original message")
    html = desk.get(change_url(request)).content.decode()
    assert 'name="name"' not in html and 'name="message"' not in html


def test_the_request_page_says_where_they_will_be_during_sessions(desk):
    html = desk.get(change_url(make_request(location="WA"))).content.decode()
    assert "Where they will be during sessions" in html
    assert "Washington" in html
    html = desk.get(change_url(make_request(location="outside"))).content.decode()
    assert "Outside the US" in html


def test_logging_a_call_from_the_admin_records_who_and_moves_to_contacted(desk):
    request = make_request()
    data = triage_form(
        request,
        **{
            "log_entries-2-TOTAL_FORMS": "1",
            "log_entries-2-0-kind": "called",
            "log_entries-2-0-text": "Booked an intake for Tuesday.",
        },
    )

    response = desk.post(change_url(request), data)

    assert response.status_code == HTTPStatus.FOUND, response.context and response.context["errors"]
    entry = ContactLogEntry.objects.get()
    assert entry.author == desk.user
    request.refresh_from_db()
    assert request.status == RequestStatus.CONTACTED


def test_log_entries_cannot_be_edited_or_removed(desk):
    request = make_request()
    ContactLogEntry.objects.create(
        request=request, kind="note", text="First note", author=desk.user
    )

    html = desk.get(change_url(request)).content.decode()

    assert "First note" in html
    assert 'name="log_entries-0-text"' not in html
    assert 'name="log_entries-0-DELETE"' not in html


def test_admin_history_names_the_request_not_the_person(desk):
    request = make_request(name="Canary Namesake")

    desk.post(change_url(request), triage_form(request, status=RequestStatus.SCHEDULED))

    entry = LogEntry.objects.get()
    assert entry.object_repr == f"Request #{request.pk}"
    assert "Canary" not in entry.change_message


# Index and report -----------------------------------------------------------------------------


def test_admin_index_counts_new_and_overdue_requests(desk):
    make_request()
    make_request(submitted_at=timezone.now() - timedelta(days=6))
    make_request(status=RequestStatus.CONTACTED)

    html = desk.get("/admin/").content.decode()

    assert "<strong>2</strong> new" in html
    assert "<strong>1</strong> overdue" in html


def test_report_shows_weekly_requests_and_median_first_contact_as_chart_and_table(desk):
    now = timezone.now()
    for hours in (2, 4, 30):
        request = make_request(submitted_at=now - timedelta(days=1))
        ConsultationRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.CONTACTED,
            first_contacted_at=request.submitted_at + timedelta(hours=hours),
        )
    make_request(status=RequestStatus.SPAM, submitted_at=now - timedelta(days=1))

    response = desk.get("/admin/consultations/consultationrequest/report/")

    html = response.content.decode()
    rows = response.context["rows"]
    assert len(rows) == 12
    assert sum(row["requests"] for row in rows) == 3
    this_week = [row for row in rows if row["requests"]][0]
    assert this_week["median_hours"] == 4.0
    assert '<svg class="bar-chart" role="img"' in html
    assert "<table>" in html and "<script" not in html.split('id="content-main"')[1]


def test_users_admin_is_the_owners_alone(desk):
    assert User.objects.count() == 1
    assert desk.get("/admin/auth/user/").status_code == HTTPStatus.FORBIDDEN
