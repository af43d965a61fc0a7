"""Delivery to a real SMTP server (tests/support/smtp_server.py) that refuses, hangs up, then
accepts: nothing lost, each message sent once, retries on the back-off schedule for 24 hours,
visitor data erased once sent and never logged. The clock is moved, never waited for."""

import hashlib
import logging
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.core.mail import send_mail
from django.utils import timezone
from post_office.models import STATUS, Attachment, Email, Log

import outbox
from outbox.delivery import LEASE, claim, deliver_due
from outbox.models import Delivery, StoredFile

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
CANARY = {
    "name": "Canary Namesake",
    "address": "canary.visitor@example.org",
    "message": "canary-message-text",
}


def minutes_since_start():
    return round((timezone.now() - START).total_seconds() / 60, 3)


def booking_calendar():
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Clearwater Psychotherapy//Consultation calls//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = icalendar.Event()
    event.add("uid", "call-41@clearwater.example")
    event.add("dtstart", datetime(2027, 3, 2, 17, 0, tzinfo=UTC))
    event.add("dtend", datetime(2027, 3, 2, 17, 15, tzinfo=UTC))
    event.add("summary", f"Free consultation call with {CANARY['name']} (Zoë)")
    calendar.add_component(event)
    return calendar.to_ical()


def queue_booking():
    return outbox.send(
        CANARY["address"],
        "Your consultation call",
        f"Dear {CANARY['name']}, you wrote: {CANARY['message']}",
        attachments=[
            ("call.ics", booking_calendar(), "text/calendar; method=REQUEST"),
            ("intake.pdf", bytes(range(256)) * 40, "application/pdf"),
            ("note.txt", "naïve\nbare line feeds\r\nand a CR\r".encode("latin-1"), "text/plain"),
        ],
        holds_visitor_data=True,
    )


def test_attachments_arrive_byte_for_byte(delivered_by_smtp):
    calendar = booking_calendar()
    queue_booking()

    deliver_due()

    (received,) = delivered_by_smtp.messages()
    parts = {part.get_filename(): part for part in received.iter_attachments()}
    assert parts["call.ics"].get_payload(decode=True) == calendar
    assert parts["call.ics"].get_content_type() == "text/calendar"
    assert parts["call.ics"].get_param("method") == "REQUEST"
    pdf = parts["intake.pdf"].get_payload(decode=True)
    assert hashlib.sha256(pdf).digest() == hashlib.sha256(bytes(range(256)) * 40).digest()
    assert parts["note.txt"].get_payload(
        decode=True
    ) == "naïve\nbare line feeds\r\nand a CR\r".encode("latin-1")
    assert received.get_body(("plain",)).get_content().startswith("Dear Canary Namesake")


def test_a_refusing_then_hanging_up_server_loses_nothing_and_delivers_once_on_schedule(
    delivered_by_smtp, time_machine
):
    server = delivered_by_smtp
    server.refusals, server.hang_ups = 2, 1
    time_machine.move_to(START, tick=False)
    message = outbox.send("desk@example.com", "Weekly report ready", "It is in the admin.")
    attempts_at = []

    def pass_at(minutes):
        time_machine.move_to(START + timedelta(minutes=minutes), tick=False)
        before = server.attempts
        deliver_due()
        if server.attempts > before:
            attempts_at.append(minutes_since_start())

    # Refused at 0, refused at 1, hung up on at 3 (waits of 1, 2, 4 minutes), accepted at 7;
    # the passes in between find nothing due.
    for minutes in (0, 0.5, 0.99, 1, 2, 2.99, 3, 5, 6.99, 7, 8, 60, 24 * 60):
        pass_at(minutes)

    assert attempts_at == [0, 1, 3, 7]
    assert len(server.messages()) == 1  # delivered once
    message.refresh_from_db()
    assert message.status == STATUS.sent
    assert message.delivery.attempts == 4
    logs = list(message.logs.order_by("date").values_list("status", "exception_type"))
    assert logs == [
        (STATUS.failed, "SMTPDataError"),
        (STATUS.failed, "SMTPDataError"),
        (STATUS.failed, "SMTPServerDisconnected"),
        (STATUS.sent, ""),
    ]


def test_after_24_hours_of_refusals_a_message_is_failed_and_keeps_its_body(
    delivered_by_smtp, time_machine
):
    server = delivered_by_smtp
    server.refusals = 10_000
    time_machine.move_to(START, tick=False)
    message = queue_booking()
    attempts_at = []

    while True:  # each pass at the very moment the next attempt is due
        before = server.attempts
        deliver_due()
        assert server.attempts == before + 1
        attempts_at.append(minutes_since_start())
        message.refresh_from_db()
        if message.status != STATUS.requeued:
            break
        time_machine.move_to(message.scheduled_time, tick=False)

    # 1, 2, 4… minutes apart, at most an hour, until 24 hours after it was queued.
    assert attempts_at[:9] == [0, 1, 3, 7, 15, 31, 63, 123, 183]
    assert attempts_at[-1] == 24 * 60
    gaps = [after - before for before, after in zip(attempts_at, attempts_at[1:], strict=False)]
    assert max(gaps) == 60
    assert message.status == STATUS.failed
    assert message.delivery.attempts == len(attempts_at) == 30
    assert server.messages() == []
    # Failed visitor mail keeps what it says, for staff to requeue.
    assert CANARY["message"] in message.message
    assert message.attachments.count() == 3
    # And nothing more happens to it.
    time_machine.move_to(START + timedelta(days=3), tick=False)
    assert deliver_due() == {}


def test_a_visitors_message_is_erased_once_delivered_and_nothing_of_it_is_logged(
    delivered_by_smtp, time_machine, caplog
):
    caplog.set_level(logging.DEBUG)
    delivered_by_smtp.refusals = 1
    time_machine.move_to(START, tick=False)
    message = queue_booking()
    message.html_message = f"<p>{CANARY['message']}</p>"
    message.context = {"name": CANARY["name"]}
    message.save()
    staff_notice = outbox.send("desk@example.com", "A booking", "See the admin.")

    deliver_due()
    time_machine.move_to(START + timedelta(minutes=1), tick=False)
    deliver_due()

    (visitor_mail,) = [m for m in delivered_by_smtp.messages() if m["To"] == CANARY["address"]]
    assert CANARY["message"] in visitor_mail.get_body(("plain",)).get_content()
    message.refresh_from_db()
    # Who, when and how many attempts stay; what the visitor wrote or is goes.
    assert (message.to, message.subject, message.status) == (
        [CANARY["address"]],
        "Your consultation call",
        STATUS.sent,
    )
    assert (message.message, message.html_message, message.context) == ("", "", None)
    assert message.delivery.attempts == 2
    assert message.delivery.erased_at == START + timedelta(minutes=1)
    assert message.logs.count() == 2
    assert not Attachment.objects.exists()
    assert not StoredFile.objects.exists()
    # Mail without visitor data is kept as it was sent.
    staff_notice.refresh_from_db()
    assert (staff_notice.message, staff_notice.delivery.erased_at) == ("See the admin.", None)
    # The log says which message, never who or what.
    assert f"Message #{message.pk} sent (attempt 2)" in caplog.text
    for value in [*CANARY.values(), "Your consultation call", "Zoë"]:
        assert value not in caplog.text


def test_a_message_claimed_by_one_process_is_not_claimed_by_another_until_its_lease_ends(
    time_machine,
):
    time_machine.move_to(START, tick=False)
    message = outbox.send("desk@example.com", "Subject", "Body.")

    assert claim(message.pk) is not None  # a delivery process takes it, then dies
    assert claim(message.pk) is None
    assert deliver_due() == {}

    time_machine.move_to(START + LEASE - timedelta(seconds=1), tick=False)
    assert deliver_due() == {}
    time_machine.move_to(START + LEASE, tick=False)
    assert deliver_due() == {"sent": 1}
    assert Delivery.objects.get().attempts == 2  # the one that died counts


def test_a_failing_pass_reuses_no_broken_connection(delivered_by_smtp):
    # One message refused, the next hung up on, the third accepted: each on a sound connection.
    delivered_by_smtp.refusals, delivered_by_smtp.hang_ups = 1, 1
    for number in range(3):
        send_mail(f"Notice {number}", "Text.", None, ["desk@example.com"])

    assert deliver_due() == {"to retry": 2, "sent": 1}
    assert [m["Subject"] for m in delivered_by_smtp.messages()] == ["Notice 2"]
    assert Log.objects.filter(status=STATUS.failed).count() == 2
    assert set(Email.objects.values_list("status", flat=True)) == {STATUS.requeued, STATUS.sent}
