"""cancel(): a queued message that must not go any more never goes; one that went stays."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from post_office.models import STATUS, Attachment, Email

import outbox
from outbox.delivery import LEASE, claim, deliver_due
from outbox.models import StoredFile
from outbox.queue import CancelResult
from tests.support.mail import deliver_queued_mail

pytestmark = pytest.mark.django_db

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def reminder(**fields):
    return outbox.send(
        "visitor@example.org",
        "Reminder: your call tomorrow",
        "Your call is at 9:00.",
        attachments=[("call.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")],
        holds_visitor_data=True,
        **fields,
    )


def test_a_cancelled_message_never_goes_and_leaves_nothing_behind():
    message = reminder()

    result = outbox.cancel(message)

    assert result is CancelResult.CANCELLED
    assert result  # true: it will never go
    assert deliver_queued_mail() == []
    assert not Email.objects.exists()
    assert not Attachment.objects.exists()
    assert not StoredFile.objects.exists()


def test_a_scheduled_reminder_for_a_call_that_moved_is_cancelled_and_replaced(time_machine):
    time_machine.move_to(START, tick=False)
    old = reminder(scheduled_time=START + timedelta(days=1))

    with transaction.atomic():  # moving the call: one change, one transaction
        assert outbox.cancel(old.pk)
        new = reminder(scheduled_time=START + timedelta(days=2))

    time_machine.move_to(START + timedelta(days=3), tick=False)
    delivered = deliver_queued_mail()
    assert len(delivered) == 1
    assert Email.objects.get().pk == new.pk


def test_cancelling_a_message_already_sent_does_nothing_and_says_so():
    message = outbox.send("desk@example.com", "Notice", "Text.")
    deliver_queued_mail()

    result = outbox.cancel(message)

    assert result is CancelResult.ALREADY_SENT
    assert not result
    assert Email.objects.get().status == STATUS.sent


def test_a_message_being_sent_cannot_be_cancelled_until_its_sender_is_known_dead(
    time_machine,
):
    time_machine.move_to(START, tick=False)
    message = reminder()
    claim(message.pk)  # a delivery process is sending it right now

    assert outbox.cancel(message) is CancelResult.BEING_SENT
    assert Email.objects.filter(pk=message.pk).exists()

    # That process died: once its claim has run out the message can be cancelled, and then
    # no other process sends it.
    time_machine.move_to(START + LEASE, tick=False)
    assert outbox.cancel(message) is CancelResult.CANCELLED
    assert deliver_due() == {}


def test_a_failed_message_is_cancelled_so_staff_cannot_requeue_it():
    message = reminder()
    Email.objects.filter(pk=message.pk).update(status=STATUS.failed)

    assert outbox.cancel(message) is CancelResult.CANCELLED
    assert outbox.cancel(message) is CancelResult.NOT_QUEUED


def test_a_cancel_rolled_back_with_its_transaction_cancels_nothing():
    message = reminder()

    with pytest.raises(RuntimeError), transaction.atomic():
        assert outbox.cancel(message)
        raise RuntimeError("the change that cancelled it failed")

    assert [m.subject for m in deliver_queued_mail()] == ["Reminder: your call tomorrow"]
