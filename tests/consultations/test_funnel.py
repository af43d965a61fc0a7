"""The funnel report (which sources and articles bring clients), "Became a client" on the triage
desk, and the "How did you hear about us?" answers in the admin."""

import csv
import io
from datetime import date, datetime, timedelta
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations.models import (
    ConsultationRequest,
    ContactKind,
    ContactLogEntry,
    HeardAbout,
    RequestStatus,
)
from tests.support.factories import make_clinician, make_front_desk, make_request, make_user

pytestmark = pytest.mark.django_db

LIST = "/admin/consultations/consultationrequest/"
FUNNEL = f"{LIST}report/funnel/"
PACIFIC = ZoneInfo("America/Los_Angeles")
# Mid-month in practice time, so every month of the report is unambiguous.
NOW = datetime(2026, 11, 15, 12, tzinfo=PACIFIC)


@pytest.fixture
def desk(client):
    user = make_front_desk()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def on(year, month, day=10, hour=12):
    return datetime(year, month, day, hour, tzinfo=PACIFIC)


def received(when, *, calls=(), **fields):
    """A request submitted at `when`, with contact log entries of the kinds in `calls`."""
    consultation = make_request(submitted_at=when, **fields)
    for kind in calls:
        ContactLogEntry.objects.create(request=consultation, kind=kind, created_at=when)
    return consultation


def answer(name):
    return HeardAbout.objects.get(name=name)


def row_for(rows, **match):
    return next(row for row in rows if all(row[key] == value for key, value in match.items()))


def stages(row):
    return (row["requests"], row["contacted"], row["call_held"], row["became_client"])


def funnel(desk):
    response = desk.get(FUNNEL)
    assert response.status_code == HTTPStatus.OK
    return response


def table_for(response, caption_start):
    """The cells of the table whose caption starts with `caption_start`, row by row."""
    html = response.content.decode()
    table = html.split(f"<caption>{caption_start}", 1)[1].split("</table>", 1)[0]
    return table


# The counts ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen")
def test_each_month_counts_its_requests_and_how_far_they_got(desk):
    received(on(2026, 3))  # just a request
    received(on(2026, 3), status=RequestStatus.CONTACTED)
    received(on(2026, 3), calls=[ContactKind.CALLED])
    received(on(2026, 3), calls=[ContactKind.CALLED], status=RequestStatus.BECAME_CLIENT)
    received(on(2026, 10), calls=[ContactKind.CALLED], status=RequestStatus.BECAME_CLIENT)

    months = funnel(desk).context["figures"]["months"]

    assert [row["month"] for row in months] == [date(2025, 12, 1)] + [
        date(2026, month, 1) for month in range(1, 12)
    ]
    assert stages(row_for(months, month=date(2026, 3, 1))) == (4, 3, 2, 1)
    assert stages(row_for(months, month=date(2026, 10, 1))) == (1, 1, 1, 1)


@pytest.mark.usefixtures("frozen")
def test_months_without_requests_show_zero(desk):
    received(on(2026, 6))

    response = funnel(desk)

    months = response.context["figures"]["months"]
    assert len(months) == 12
    assert [row["requests"] for row in months].count(0) == 11
    assert stages(row_for(months, month=date(2026, 1, 1))) == (0, 0, 0, 0)
    assert '<th scope="row">January 2026</th><td>0</td><td>0</td><td>0</td><td>0</td>' in (
        response.content.decode()
    )


@pytest.mark.usefixtures("frozen")
def test_months_are_the_practices_not_utc(desk):
    # 8 pm on 31 October in Portland is already November in UTC.
    received(datetime(2026, 10, 31, 20, tzinfo=PACIFIC))

    months = funnel(desk).context["figures"]["months"]

    assert row_for(months, month=date(2026, 10, 1))["requests"] == 1
    assert row_for(months, month=date(2026, 11, 1))["requests"] == 0


@pytest.mark.usefixtures("frozen")
def test_requests_older_than_twelve_months_are_left_out(desk):
    received(on(2025, 11, 30))
    received(on(2025, 12, 1, hour=0))

    figures = funnel(desk).context["figures"]

    assert figures["total"]["requests"] == 1
    assert figures["months"][0]["requests"] == 1


@pytest.mark.usefixtures("frozen")
def test_spam_and_merged_requests_are_not_counted(desk):
    kept = received(on(2026, 5))
    received(on(2026, 5), status=RequestStatus.SPAM)
    received(on(2026, 5), merged_into=kept, status=RequestStatus.CLOSED)

    figures = funnel(desk).context["figures"]

    assert row_for(figures["months"], month=date(2026, 5, 1))["requests"] == 1
    assert sum(row["requests"] for row in figures["sources"]) == 1
    assert sum(row["requests"] for row in figures["articles"]) == 1


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    "kind", [ContactKind.NOTE, ContactKind.NO_ANSWER, ContactKind.VOICEMAIL, ContactKind.TEXTED]
)
def test_only_a_call_that_reached_them_is_a_call_held(desk, kind):
    received(on(2026, 7), calls=[kind, kind])
    received(on(2026, 7), calls=[ContactKind.NO_ANSWER, ContactKind.CALLED, ContactKind.CALLED])

    months = funnel(desk).context["figures"]["months"]

    assert row_for(months, month=date(2026, 7, 1))["call_held"] == 1


@pytest.mark.usefixtures("frozen")
def test_became_a_client_is_the_status_not_an_old_date(desk):
    client = received(on(2026, 4), status=RequestStatus.BECAME_CLIENT)
    client.status = RequestStatus.CLOSED  # they did not go on: the date stays, the status says
    client.save()
    received(on(2026, 4), status=RequestStatus.BECAME_CLIENT)

    months = funnel(desk).context["figures"]["months"]

    assert row_for(months, month=date(2026, 4, 1))["became_client"] == 1


@pytest.mark.usefixtures("frozen")
def test_by_source_counts_each_answer_and_those_not_given_most_requests_first(desk):
    friend, search = answer("A friend or family member"), answer("A search engine")
    for _ in range(3):
        received(on(2026, 2), heard_about=search)
    received(on(2026, 8), heard_about=friend, calls=[ContactKind.CALLED])
    received(on(2026, 9), heard_about=friend, status=RequestStatus.BECAME_CLIENT)
    received(on(2026, 9))

    response = funnel(desk)

    sources = response.context["figures"]["sources"]
    assert [(row["name"], *stages(row)) for row in sources] == [
        ("A search engine", 3, 0, 0, 0),
        ("A friend or family member", 2, 2, 1, 1),
        ("Not asked / not given", 1, 0, 0, 0),
    ]
    table = table_for(response, "Requests of the last 12 months by answer")
    assert '<th scope="row">A search engine</th><td>3</td>' in table
    assert '<th scope="row">Not asked / not given</th><td>1</td>' in table


@pytest.mark.usefixtures("frozen")
def test_a_deleted_answer_keeps_its_requests_as_not_given(desk):
    other = answer("Something else")
    consultation = received(on(2026, 9), heard_about=other)

    other.delete()

    consultation.refresh_from_db()
    assert consultation.heard_about is None
    sources = funnel(desk).context["figures"]["sources"]
    assert [(row["name"], row["requests"]) for row in sources] == [("Not asked / not given", 1)]


@pytest.mark.usefixtures("frozen")
def test_by_article_counts_each_article_linked_to_the_blog(desk):
    received(on(2026, 6), source="what-is-kap", status=RequestStatus.BECAME_CLIENT)
    received(on(2026, 7), source="what-is-kap")
    received(on(2026, 7), source="sleep-and-anxiety", calls=[ContactKind.CALLED])
    received(on(2026, 7))

    response = funnel(desk)

    articles = response.context["figures"]["articles"]
    assert [(row["name"], *stages(row)) for row in articles] == [
        ("what-is-kap", 2, 1, 0, 1),
        ("No article", 1, 0, 0, 0),
        ("sleep-and-anxiety", 1, 1, 1, 0),
    ]
    table = table_for(response, "Requests of the last 12 months by the article")
    assert '<a href="/blog/what-is-kap/">what-is-kap</a>' in table
    assert '<th scope="row">No article</th>' in table


@pytest.mark.usefixtures("frozen")
def test_the_page_has_charts_with_titles_legends_and_tables_and_no_script(desk):
    received(on(2026, 6), source="what-is-kap", heard_about=answer("Psychology Today"))

    html = funnel(desk).content.decode()

    main = html.split('id="content-main"')[1]
    assert main.count('<svg class="funnel-chart" role="img" aria-labelledby=') == 3
    for chart in ("funnel-months", "funnel-sources", "funnel-articles"):
        assert f'aria-labelledby="{chart}-title {chart}-desc"' in main
        assert f'<title id="{chart}-title">' in main
        assert f'<desc id="{chart}-desc">' in main
    for stage in ("Requests", "Contacted", "Call held", "Became a client"):
        assert main.count(f'fill="currentColor">{stage}</text>') == 3  # each chart's legend
    # Each stage is told apart by its pattern, not by colour alone.
    assert all(f'id="funnel-stage-{n}"' in main for n in range(4))
    assert main.count("<table") == 3 and main.count('<th scope="col">Call held</th>') == 3
    assert "<script" not in main


def test_the_page_says_so_when_there_are_no_requests(desk):
    response = funnel(desk)

    assert response.context["figures"]["total"]["requests"] == 0
    assert response.content.decode().count("No requests in the last 12 months.") == 2


@pytest.mark.usefixtures("frozen")
def test_no_visitor_details_reach_the_page_or_the_csv(desk):
    received(
        on(2026, 6),
        name="Zebediah Quillfeather",
        phone="(555) 013-9876",
        email="zebediah@example.com",
        message="Private words about my week",
        source="what-is-kap",
        status=RequestStatus.BECAME_CLIENT,
    )

    html = funnel(desk).content.decode()
    download = desk.get(FUNNEL, {"format": "csv"}).content.decode()

    for text in (html, download):
        assert "what-is-kap" in text  # the request is in there
        for detail in ("Zebediah", "Quillfeather", "013-9876", "0139876", "zebediah@", "Private"):
            assert detail not in text


# The CSV ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("frozen")
def test_csv_download_has_months_sources_and_articles_and_is_never_cached(desk):
    received(on(2026, 6), source="what-is-kap", heard_about=answer("Psychology Today"))
    received(on(2026, 6), calls=[ContactKind.CALLED])

    response = desk.get(FUNNEL, {"format": "csv"})

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="consultation-funnel-2026-11-15.csv"'
    )
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Breakdown",
        "Which",
        "Requests",
        "Contacted",
        "Call held",
        "Became a client",
    ]
    assert rows[1] == ["Month", "2025-12", "0", "0", "0", "0"]
    assert ["Month", "2026-06", "2", "1", "1", "0"] in rows
    assert len([row for row in rows if row[0] == "Month"]) == 12
    assert ["How they heard about us", "Psychology Today", "1", "0", "0", "0"] in rows
    assert ["How they heard about us", "Not asked / not given", "1", "1", "1", "0"] in rows
    assert ["Article", "what-is-kap", "1", "0", "0", "0"] in rows
    assert ["Article", "No article", "1", "1", "1", "0"] in rows


@pytest.mark.usefixtures("frozen")
def test_csv_text_cannot_run_as_a_formula(desk):
    HeardAbout.objects.create(name='=HYPERLINK("http://x.example")', position=99)
    received(on(2026, 6), heard_about=HeardAbout.objects.get(position=99))

    rows = list(csv.reader(io.StringIO(desk.get(FUNNEL, {"format": "csv"}).content.decode())))

    sources = [row[1] for row in rows if row[0] == "How they heard about us"]
    assert sources == ['\'=HYPERLINK("http://x.example")']


# Cost and access ------------------------------------------------------------------------------


def test_the_report_costs_the_same_queries_however_many_requests(desk):
    def queries_with(count):
        ConsultationRequest.objects.all().delete()
        friend = answer("A friend or family member")
        for number in range(count):
            received(
                timezone.now() - timedelta(days=number * 7),
                heard_about=friend if number % 2 else None,
                source=f"article-{number % 7}",
                calls=[ContactKind.CALLED] if number % 3 else [],
            )
        with CaptureQueriesContext(connection) as queries:
            assert desk.get(FUNNEL).status_code == HTTPStatus.OK
            assert desk.get(FUNNEL, {"format": "csv"}).status_code == HTTPStatus.OK
        return len(queries)

    assert queries_with(5) == queries_with(50)


@pytest.mark.parametrize("maker", [make_front_desk, make_clinician])
def test_clinicians_and_front_desk_may_see_the_report(client, maker):
    client.force_login(maker())

    assert client.get(FUNNEL).status_code == HTTPStatus.OK
    assert client.get(FUNNEL, {"format": "csv"}).status_code == HTTPStatus.OK


def test_staff_without_the_view_permission_are_refused(client):
    client.force_login(make_user("bookkeeper"))

    assert client.get(FUNNEL).status_code == HTTPStatus.FORBIDDEN
    assert client.get(FUNNEL, {"format": "csv"}).status_code == HTTPStatus.FORBIDDEN


def test_visitors_are_sent_to_sign_in(client):
    for query in ({}, {"format": "csv"}):
        response = client.get(FUNNEL, query)

        assert response.status_code == HTTPStatus.FOUND
        assert response["Location"].startswith("/admin/login/")


def test_the_admin_home_and_the_weekly_report_link_to_it(desk):
    for page in ("/admin/", f"{LIST}report/"):
        assert f'href="{FUNNEL}"' in desk.get(page).content.decode()
    assert f'href="{LIST}report/"' in funnel(desk).content.decode()


# Became a client on the triage desk ----------------------------------------------------------


def triage_form(consultation, **overrides):
    data = {
        "status": consultation.status,
        "assigned_to": consultation.assigned_to_id or "",
        "became_client_on": consultation.became_client_on or "",
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


def change(desk, consultation, **overrides):
    return desk.post(f"{LIST}{consultation.pk}/change/", triage_form(consultation, **overrides))


def form_errors(response):
    return response.context["adminform"].form.errors


@pytest.mark.usefixtures("frozen")
def test_becoming_a_client_sets_today_and_staff_can_correct_the_day(desk):
    consultation = received(on(2026, 11, 2), status=RequestStatus.CONTACTED)

    change(desk, consultation, status=RequestStatus.BECAME_CLIENT)
    consultation.refresh_from_db()
    assert consultation.became_client_on == date(2026, 11, 15)
    assert consultation.finished_at is not None

    response = change(desk, consultation, became_client_on="2026-11-09")
    assert response.status_code == HTTPStatus.FOUND
    consultation.refresh_from_db()
    assert consultation.became_client_on == date(2026, 11, 9)


@pytest.mark.usefixtures("frozen")
def test_a_later_save_keeps_the_day_they_became_a_client(desk):
    consultation = received(on(2026, 10, 1), status=RequestStatus.BECAME_CLIENT)
    ConsultationRequest.objects.filter(pk=consultation.pk).update(
        became_client_on=date(2026, 10, 3)
    )
    consultation.refresh_from_db()

    change(desk, consultation, assigned_to=desk.user.pk)

    consultation.refresh_from_db()
    assert consultation.assigned_to == desk.user
    assert consultation.became_client_on == date(2026, 10, 3)


@pytest.mark.usefixtures("frozen")
@pytest.mark.parametrize(
    ("status", "day", "error"),
    [
        (RequestStatus.CONTACTED, "2026-11-10", "only with the status “Became a client”"),
        (RequestStatus.BECAME_CLIENT, "2026-11-16", "That day is in the future."),
        (RequestStatus.BECAME_CLIENT, "2026-10-31", "before the request arrived"),
    ],
)
def test_a_wrong_client_date_is_explained_and_nothing_changes(desk, status, day, error):
    consultation = received(on(2026, 11, 2), status=RequestStatus.CONTACTED)

    response = change(desk, consultation, status=status, became_client_on=day)

    assert response.status_code == HTTPStatus.OK
    assert any(error in message for message in form_errors(response)["became_client_on"])
    consultation.refresh_from_db()
    assert consultation.status == RequestStatus.CONTACTED
    assert consultation.became_client_on is None


@pytest.mark.usefixtures("frozen")
def test_leaving_became_a_client_clears_its_date(desk):
    consultation = received(on(2026, 11, 2), status=RequestStatus.BECAME_CLIENT)

    response = change(desk, consultation, status=RequestStatus.CLOSED)

    assert response.status_code == HTTPStatus.FOUND
    consultation.refresh_from_db()
    assert consultation.status == RequestStatus.CLOSED
    assert consultation.became_client_on is None


def test_the_change_page_shows_how_they_heard_about_us_read_only(desk):
    consultation = make_request(heard_about=answer("Psychology Today"))

    response = desk.get(f"{LIST}{consultation.pk}/change/")

    html = response.content.decode()
    assert "Heard about us from" in html and "Psychology Today" in html
    assert 'name="heard_about"' not in html
    assert 'name="became_client_on"' in html
    # Posting it anyway changes nothing: it is what the visitor sent.
    change(desk, consultation, heard_about=answer("Social media").pk)
    consultation.refresh_from_db()
    assert consultation.heard_about.name == "Psychology Today"


def test_the_triage_list_filters_by_answer_and_by_became_a_client(desk):
    today = make_request(heard_about=answer("Psychology Today"))
    client = make_request(status=RequestStatus.BECAME_CLIENT)

    by_answer = desk.get(LIST, {"heard_about__id__exact": answer("Psychology Today").pk})
    by_status = desk.get(LIST, {"status__exact": RequestStatus.BECAME_CLIENT})
    not_given = desk.get(LIST, {"heard_about__isnull": "True"})

    assert list(by_answer.context["cl"].result_list) == [today]
    assert list(by_status.context["cl"].result_list) == [client]
    assert list(not_given.context["cl"].result_list) == [client]
    assert "Psychology Today" in by_answer.content.decode()  # offered as a filter


# The answers' admin ---------------------------------------------------------------------------


HEARD_ABOUT_LIST = "/admin/consultations/heardabout/"


def test_the_answers_list_shows_order_offered_and_how_many_chose_each(desk):
    friend = answer("A friend or family member")
    for _ in range(2):
        make_request(heard_about=friend)

    response = desk.get(HEARD_ABOUT_LIST)

    assert response.status_code == HTTPStatus.OK
    answers = list(response.context["cl"].result_list)
    assert answers[0] == friend and answers[0].requests == 2
    assert [a.position for a in answers] == sorted(a.position for a in answers)
    html = response.content.decode()
    assert f'href="{LIST}?heard_about__id__exact={friend.pk}">2</a>' in html
    assert "Deleting one keeps those requests too" in html


def test_staff_can_reorder_and_stop_offering_answers_from_the_list(desk):
    answers = list(HeardAbout.objects.all())
    data = {
        "form-TOTAL_FORMS": str(len(answers)),
        "form-INITIAL_FORMS": str(len(answers)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, item in enumerate(answers):
        data[f"form-{index}-id"] = str(item.pk)
        data[f"form-{index}-position"] = str(len(answers) - index)
        if item.name != "Social media":
            data[f"form-{index}-is_active"] = "on"

    response = desk.post(HEARD_ABOUT_LIST, data)

    assert response.status_code == HTTPStatus.FOUND
    assert HeardAbout.objects.first() == answers[-1]
    assert not answer("Social media").is_active


def test_the_answer_page_says_deleting_keeps_the_requests(desk):
    item = answer("Social media")

    html = desk.get(f"{HEARD_ABOUT_LIST}{item.pk}/change/").content.decode()

    assert "Deleting one keeps those requests too" in html


@pytest.mark.parametrize("maker", [make_front_desk, make_clinician])
def test_both_roles_may_keep_the_answers(client, maker):
    user = maker()
    client.force_login(user)

    assert client.get(HEARD_ABOUT_LIST).status_code == HTTPStatus.OK
    assert user.has_perm("consultations.delete_heardabout")


def test_staff_without_the_permission_cannot_open_the_answers(client):
    user = make_user("bookkeeper")
    user.user_permissions.add(Permission.objects.get(codename="view_consultationrequest"))
    client.force_login(user)

    assert client.get(HEARD_ABOUT_LIST).status_code == HTTPStatus.FORBIDDEN
