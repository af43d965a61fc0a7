"""The stored request: status rules, notifications, retention, business hours, CSV."""

import csv
import io
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from post_office.models import STATUS, Email

import outbox
from consultations import abuse, services
from consultations.business_hours import business_hours_before, waiting_in_words
from consultations.export import consultations_to_csv, neutralise
from consultations.forms import ConsultationForm
from consultations.models import ConsultationRequest, ContactLogEntry, RequestStatus
from tests.support.factories import make_front_desk, make_request
from tests.support.mail import deliver_queued_mail

pytestmark = pytest.mark.django_db

CANARY = {
    "name": "Canary Namesake",
    "phone": "(555) 010-7777",
    "email": "canary@example.org",
    "message": "canary-message-text",
    "source": "canary-article",
}
PACIFIC = ZoneInfo("America/Los_Angeles")


def submit(client, **fields):
    data = {
        "location": "OR",
        "age": "adult",
        "preferred_contact": "phone",
        "consent": "on",
        "form_token": abuse.new_form_token(),
        **CANARY,
        **fields,
    }
    return client.post("/consultation/", data)


@pytest.fixture(autouse=True)
def _instant_forms(settings):
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    settings.CONSULTATION_NOTIFY_EMAILS = ["desk@example.com", "dana@example.com"]


# Notifications ------------------------------------------------------------------------------


def test_staff_are_told_a_request_arrived_with_no_visitor_data(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        submit(client)
    deliver_queued_mail()

    (email,) = [email for email in mail.outbox if "desk@example.com" in email.to]
    assert email.subject == "New consultation request"
    assert email.to == ["desk@example.com", "dana@example.com"]
    request = ConsultationRequest.objects.get()
    assert f"/admin/consultations/consultationrequest/{request.pk}/change/" in email.body
    everything = email.message().as_string()
    for value in CANARY.values():
        assert value not in everything
    assert "7777" not in everything


def test_the_notification_is_queued_in_the_requests_own_transaction(client):
    form = ConsultationForm(
        {
            "location": "OR",
            "age": "adult",
            "preferred_contact": "phone",
            "consent": "on",
            "form_token": abuse.new_form_token(),
            **CANARY,
        }
    )
    assert form.is_valid(), form.errors

    with transaction.atomic():
        services.receive(form, "client", "https://practice.example/")
        queued_with_it = Email.objects.count()
        transaction.set_rollback(True)  # e.g. the request could not be stored after all

    assert queued_with_it == 2  # the visitor's acknowledgement and the staff notification
    assert not ConsultationRequest.objects.exists()
    assert not Email.objects.exists()


def test_a_failing_mail_server_loses_nothing_and_logs_no_visitor_data(
    client, settings, caplog, django_capture_on_commit_callbacks
):
    # The mail server is where the outbox delivers (post-office's delivery backend), as in
    # production: nothing listens on port 9 (discard).
    settings.POST_OFFICE = {
        **settings.POST_OFFICE,
        "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"},
    }
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    with django_capture_on_commit_callbacks(execute=True):
        response = submit(client)
    deliver_queued_mail()

    assert response["Location"] == "/consultation/thanks/"
    assert ConsultationRequest.objects.count() == 1
    notification = Email.objects.get(subject="New consultation request")
    assert f"Message #{notification.pk} not delivered" in caplog.text
    assert notification.status == STATUS.requeued  # kept, for the next attempt
    for value in CANARY.values():
        assert value not in caplog.text


def test_nothing_a_visitor_typed_reaches_the_logs(client, caplog):
    caplog.set_level("DEBUG")

    submit(client)
    submit(client, email="not-an-email")  # a validation error too

    for value in CANARY.values():
        assert value not in caplog.text


# The record ---------------------------------------------------------------------------------


def test_str_never_contains_the_name():
    request = make_request(name="Canary Namesake")

    assert str(request) == f"Request #{request.pk}"
    assert "Canary" not in str(ContactLogEntry.objects.create(request=request, kind="note"))


def test_the_database_refuses_an_unknown_status():
    request = make_request()

    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultationRequest.objects.filter(pk=request.pk).update(status="lost")


def test_the_database_refuses_a_request_with_no_way_to_reply():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_request(phone="", email="")


def test_logging_a_call_moves_a_new_request_to_contacted():
    request = make_request()

    ContactLogEntry.objects.create(request=request, kind="voicemail", author=make_front_desk())

    request.refresh_from_db()
    assert request.status == RequestStatus.CONTACTED
    assert request.first_contacted_at is not None


def test_a_note_does_not_count_as_contact():
    request = make_request()

    ContactLogEntry.objects.create(request=request, kind="note", text="Asked Dana to call.")

    request.refresh_from_db()
    assert request.status == RequestStatus.NEW
    assert request.first_contacted_at is None


def test_first_contact_time_is_kept_through_later_changes():
    request = make_request()
    request.status = RequestStatus.CONTACTED
    request.save()
    first = request.first_contacted_at

    request.status = RequestStatus.SCHEDULED
    request.save()

    assert request.first_contacted_at == first


def test_finishing_and_reopening_a_request_sets_and_clears_its_finish_time():
    request = make_request()
    request.status = RequestStatus.CLOSED
    request.save()
    assert request.finished_at is not None

    request.status = RequestStatus.SCHEDULED
    request.save()

    assert request.finished_at is None


# Overdue and waiting ------------------------------------------------------------------------


def at(*args):
    return datetime(*args, tzinfo=PACIFIC)


@pytest.mark.parametrize(
    ("now", "hours", "cutoff"),
    [
        (at(2026, 11, 25, 15, 0), 24, at(2026, 11, 24, 15, 0)),  # Wednesday → Tuesday
        (at(2026, 11, 23, 10, 0), 24, at(2026, 11, 20, 10, 0)),  # Monday → Friday
        (at(2026, 11, 28, 12, 0), 24, at(2026, 11, 27, 0, 0)),  # Saturday → Friday 00:00
        (at(2026, 11, 25, 15, 0), 0, at(2026, 11, 25, 15, 0)),
    ],
)
def test_response_target_counts_business_hours_only(now, hours, cutoff):
    assert business_hours_before(now, hours) == cutoff


def test_a_new_request_past_the_target_is_overdue_and_others_are_not(settings):
    settings.CONSULTATION_RESPONSE_HOURS = 24
    now = timezone.now()
    old = make_request(submitted_at=now - timedelta(days=5))
    make_request(submitted_at=now - timedelta(days=5), status=RequestStatus.CONTACTED)
    make_request(submitted_at=now - timedelta(minutes=5))

    assert list(ConsultationRequest.objects.overdue()) == [old]


@pytest.mark.parametrize(
    ("waited", "words"),
    [(timedelta(minutes=25), "25 min"), (timedelta(hours=3), "3 h"), (timedelta(days=2), "2 days")],
)
def test_waiting_time_in_words(waited, words):
    now = timezone.now()

    assert waiting_in_words(now - waited, now) == words


# Retention ----------------------------------------------------------------------------------


def finished(status, days_ago):
    request = make_request(status=status)
    ConsultationRequest.objects.filter(pk=request.pk).update(
        finished_at=timezone.now() - timedelta(days=days_ago)
    )
    ContactLogEntry.objects.create(request=request, kind="note", text="canary-note")
    return request


def test_purge_deletes_finished_requests_past_retention_with_their_logs(settings):
    settings.CONSULTATION_RETENTION_DAYS = 180
    expired = [finished(status, 181) for status in ("closed", "not_a_fit", "spam")]
    recent = finished("closed", 179)
    active = make_request(
        status=RequestStatus.SCHEDULED, submitted_at=timezone.now() - timedelta(days=900)
    )

    call_command("purge_consultations")

    remaining = set(ConsultationRequest.objects.all())
    assert remaining == {recent, active}
    assert not ContactLogEntry.objects.filter(request_id__in=[r.pk for r in expired]).exists()


def test_purge_deletes_the_e_mails_to_a_purged_visitor_but_not_to_one_still_kept(settings):
    settings.CONSULTATION_RETENTION_DAYS = 180
    gone = finished("closed", 181)
    ConsultationRequest.objects.filter(pk=gone.pk).update(email="Gone@Example.org")
    again = finished("closed", 181)
    ConsultationRequest.objects.filter(pk=again.pk).update(email="back@example.org")
    make_request(email="back@example.org")  # the same person asked again: kept
    for address in ("gone@example.org", "back@example.org"):
        outbox.send(address, "Clearwater Psychotherapy: your call", "…", holds_visitor_data=True)

    call_command("purge_consultations", stdout=io.StringIO())

    assert list(Email.objects.values_list("to", flat=True)) == [["back@example.org"]]


def test_purge_dry_run_counts_and_deletes_nothing(capsys):
    finished("closed", 400)

    call_command("purge_consultations", "--dry-run")

    assert "Would delete 1 request(s) and 1 contact log" in capsys.readouterr().out
    assert ConsultationRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_purge_leaves_no_deleted_text_in_the_sqlite_files():
    if connection.vendor != "sqlite":
        pytest.skip("the WAL file is SQLite's")
    finished("closed", 400)
    make_request(name="Keeper")

    call_command("purge_consultations")

    for path in [connection.settings_dict["NAME"], f"{connection.settings_dict['NAME']}-wal"]:
        with open(path, "rb") as handle:
            assert b"canary-note" not in handle.read()
    with sqlite3.connect(connection.settings_dict["NAME"]) as raw:
        assert raw.execute("SELECT COUNT(*) FROM consultations_consultationrequest").fetchone() == (
            1,
        )


# CSV ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+SUM(1,2)", "'+SUM(1,2)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("+1 555 010 0142", "'+1 555 010 0142"),
        ("Sam", "Sam"),
        ("(555) 010-0142", "(555) 010-0142"),
    ],
)
def test_csv_cells_never_start_a_formula(value, cell):
    assert neutralise(value) == cell


def test_csv_export_quotes_every_cell_and_keeps_phone_numbers_readable():
    make_request(name="=cmd|' /C calc'!A0", phone="+1 555 010 0142")

    rows = list(csv.reader(io.StringIO(consultations_to_csv(ConsultationRequest.objects.all()))))
    text = consultations_to_csv(ConsultationRequest.objects.all())

    assert rows[0][:4] == ["Request", "Submitted", "Status", "Name"]
    assert rows[1][3] == "'=cmd|' /C calc'!A0"
    assert rows[1][4] == "'+1 555 010 0142"
    assert all(line.startswith('"') for line in text.splitlines())
