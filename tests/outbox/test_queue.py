"""Queueing: in the caller's transaction, every kind of mail the site sends, exactly as written."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail import BadHeaderError, EmailMessage, send_mail
from django.db import transaction
from django.utils import timezone
from post_office.models import STATUS, Attachment, Email

import outbox
from outbox.models import Delivery, StoredFile
from tests.support.mail import deliver_queued_mail

pytestmark = pytest.mark.django_db

ICS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Clearwater//Calls//EN\r\nMETHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\nUID:call-7@clearwater.example\r\nDTSTART:20270105T170000Z\r\n"
    "SUMMARY:Consultation call with Zoë\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
).encode()


def test_a_message_is_written_in_the_callers_transaction_and_rolled_back_with_it():
    class ChangeFailed(Exception):
        pass

    with pytest.raises(ChangeFailed), transaction.atomic():
        outbox.send(
            "visitor@example.org",
            "Your call is booked",
            "See you then.",
            attachments=[("call.ics", ICS, "text/calendar; method=REQUEST")],
            holds_visitor_data=True,
        )
        send_mail("Staff notice", "Something changed.", None, ["desk@example.com"])
        assert Email.objects.count() == 2  # queued, inside the transaction
        raise ChangeFailed

    # Nothing queued, no attachment left behind, nothing to deliver.
    assert not Email.objects.exists()
    assert not Attachment.objects.exists()
    assert not StoredFile.objects.exists()
    assert not Delivery.objects.exists()
    assert deliver_queued_mail() == []


def test_a_committed_message_waits_for_a_delivery_pass():
    message = outbox.send(["a@example.org", "b@example.org"], "Subject", "Body.")

    assert mail.outbox == []  # queued, not sent
    assert (message.status, message.to) == (STATUS.queued, ["a@example.org", "b@example.org"])
    assert message.delivery.holds_visitor_data is False

    delivered = deliver_queued_mail()

    assert [(m.to, m.subject, m.body) for m in delivered] == [
        (["a@example.org", "b@example.org"], "Subject", "Body.")
    ]
    message.refresh_from_db()
    assert message.status == STATUS.sent
    assert deliver_queued_mail() == delivered  # sent once only


def test_djangos_own_mail_functions_go_through_the_outbox():
    send_mail("Plain", "Text.", "website@localhost", ["desk@example.com"])
    rich = EmailMessage("With a file", "See attached.", to=["desk@example.com"])
    rich.attach("notes.txt", "Line one\nLine two\n", "text/plain")
    rich.send()

    assert mail.outbox == []
    assert Email.objects.count() == 2
    delivered = deliver_queued_mail()
    assert [m.subject for m in delivered] == ["Plain", "With a file"]
    attachment = delivered[1].message().get_payload()[1]
    assert attachment.get_filename() == "notes.txt"
    assert attachment.get_payload(decode=True) == b"Line one\nLine two\n"


def test_braces_and_percent_signs_are_sent_as_written_never_as_template_code():
    # post-office's own mail.send() and backend would render these as Django templates.
    typed = "My {{ name }} is {% not a tag %} and {# this #} stays"

    outbox.send("visitor@example.org", "About {{ x }}", typed, holds_visitor_data=True)
    send_mail("Report {% if %}", typed, None, ["desk@example.com"])

    delivered = deliver_queued_mail()
    assert [(m.subject, m.body) for m in delivered] == [
        ("About {{ x }}", typed),
        ("Report {% if %}", typed),
    ]


def test_an_invalid_address_or_a_subject_with_a_line_break_queues_nothing():
    with pytest.raises(ValidationError):
        outbox.send("not an address", "Subject", "Body.")
    with pytest.raises(BadHeaderError):
        outbox.send("visitor@example.org", "Subject\nBcc: someone@example.net", "Body.")

    assert not Email.objects.exists()


def test_a_scheduled_message_waits_for_its_time(time_machine):
    time_machine.move_to("2027-01-04 09:00Z", tick=False)
    outbox.send(
        "visitor@example.org",
        "Reminder: your call tomorrow",
        "At 9:00.",
        scheduled_time=timezone.now() + timedelta(hours=24),
    )

    assert deliver_queued_mail() == []
    time_machine.move_to("2027-01-05 08:59Z", tick=False)
    assert deliver_queued_mail() == []
    time_machine.move_to("2027-01-05 09:00Z", tick=False)
    assert [m.subject for m in deliver_queued_mail()] == ["Reminder: your call tomorrow"]
