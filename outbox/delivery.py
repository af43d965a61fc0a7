"""Delivering the outbox: claim a due message, send it, record what happened.

Every step that decides anything is one short transaction on post-office's Email row:

- **Claim.** One UPDATE moves the message's scheduled time LEASE ahead, matching only while it
  is still queued and due. It is a compare-and-set on one row: on SQLite every write waits for
  the database's one write lock, and on PostgreSQL the second of two UPDATEs waits for the
  first's row lock and then finds the row no longer due. So of any number of delivery
  processes, on any number of machines, exactly one claims a message, and only that one sends
  it. Our Delivery row records the claim (`sending_until`), which cancel() respects.
- **Send** through post-office's dispatch() and its delivery backend (SMTP, or the console),
  outside any transaction.
- **Record.** Sent: a Log row, and the body and attachments of visitor mail erased, in one
  transaction; list mail (outbox/queue.py, LIST_MAIL) is deleted instead. Failed: a Log row,
  and the next attempt 1, 2, 4, 8… minutes later (at most an hour apart) until 24 hours after
  the message was first due; a failure then marks it failed, for staff to requeue from the
  admin.

A process that dies mid-send leaves its claim to expire: LEASE later the message is due again
and another pass sends it. (Had it died after the mail server accepted the message but before
recording it, the message goes twice: the one way to lose nothing.) Times are each process's
own clock: on several machines, keep their clocks in step (NTP), well within LEASE.

Logging lines name messages by number only, never an address, a subject or a body.
"""

import logging
from collections import Counter
from datetime import timedelta
from email import encoders
from email.mime.base import MIMEBase

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from post_office.connections import connections
from post_office.models import STATUS, Attachment, Email, Log

from .models import Delivery
from .queue import is_list_mail

logger = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # far longer than one send takes (EMAIL_TIMEOUT is 10 s a step)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
RETRY_FOR = timedelta(hours=24)
BATCH_SIZE = 100
WAITING = (STATUS.queued, STATUS.requeued)  # queued, or failed and waiting for a retry

SENT, RETRY, FAILED = "sent", "to retry", "failed"


def is_due(now):
    return Q(status__in=WAITING) & (Q(scheduled_time__isnull=True) | Q(scheduled_time__lte=now))


def retry_wait(failures):
    """How long after the `failures`-th failed attempt in a row the next one comes."""
    return min(FIRST_RETRY * 2 ** min(failures - 1, 16), LONGEST_WAIT)


def deliver_due(only=None, should_stop=lambda: False):
    """One pass: send every message that is due (of `only`, ids, when given) and not claimed
    by another process. Returns how many were sent, are to be retried, and failed."""
    outcomes = Counter()
    try:
        while not should_stop():
            due = Email.objects.filter(is_due(timezone.now()))
            if only is not None:
                due = due.filter(pk__in=only)
            batch = list(due.order_by("-priority", "pk").values_list("pk", flat=True)[:BATCH_SIZE])
            if not batch:
                break
            # Each message of the batch is claimed, or was claimed by another process: either
            # way it is no longer due, so the next batch holds other messages.
            for pk in batch:
                if should_stop():
                    break
                outcome = deliver_one(pk)
                if outcome:
                    outcomes[outcome] += 1
    finally:
        connections.close()  # post-office's connections to the mail server, for this thread
    return outcomes


def deliver_after_commit(sender, emails, **kwargs):
    """With OUTBOX_DELIVER_ON_COMMIT (DEBUG, `make run`): deliver what was just queued as soon
    as its transaction commits, so nobody has to run send_queued_mail locally."""
    if not getattr(settings, "OUTBOX_DELIVER_ON_COMMIT", False):
        return
    pks = [email.pk for email in emails]
    transaction.on_commit(lambda: deliver_due(only=pks), robust=True)


def deliver_one(pk):
    """Claim, send and record one message; its outcome, or None when it was not ours to send."""
    delivery = claim(pk)
    if delivery is None:
        return None
    email = Email.objects.prefetch_related("attachments").get(pk=pk)
    try:
        message = email.prepare_email_message()  # post-office keeps it for dispatch() below
        message.attachments = [as_sent(attachment) for attachment in email.attachments.all()]
        email.dispatch(commit=False, disconnect_after_delivery=False)
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the message is retried
        connections.close()  # never reuse a connection that failed
        return record_failure(email, delivery, error)
    return record_success(email, delivery)


def claim(pk):
    """Take message `pk` for LEASE if it is still queued and due; its Delivery, or None."""
    now = timezone.now()
    until = now + LEASE
    with transaction.atomic():
        claimed = Email.objects.filter(is_due(now), pk=pk).update(
            scheduled_time=until, last_updated=now
        )
        if not claimed:
            return None
        # Mail queued by post-office's own functions has no Delivery row yet.
        delivery, _ = Delivery.objects.get_or_create(email_id=pk, defaults={"due_since": now})
        delivery.attempts += 1
        delivery.sending_until = until
        delivery.save(update_fields=["attempts", "sending_until"])
    return delivery


def as_sent(attachment):
    """An attachment as a base64 MIME part, so its bytes arrive exactly as they were given.

    post-office would send a text attachment (an .ics, say) as text, whose line endings and
    encoding may change on the way.
    """
    with attachment.file.storage.open(attachment.file.name) as stored:
        content = stored.read()
    kind, *parameters = (attachment.mimetype or "application/octet-stream").split(";")
    maintype, _, subtype = kind.strip().partition("/")
    part = MIMEBase(maintype, subtype or "octet-stream")
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        part.set_param(key.strip(), value.strip().strip('"'))
    if maintype == "text" and not part.get_param("charset"):
        try:
            content.decode("utf-8")
            part.set_param("charset", "utf-8")
        except UnicodeDecodeError:
            pass
    part.set_payload(content)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=attachment.name)
    for key, value in (attachment.headers or {}).items():
        if key.lower() not in {"content-transfer-encoding", "content-type"}:
            del part[key]
            part[key] = value
    return part


def record_success(email, delivery):
    now = timezone.now()
    with transaction.atomic():
        if Email.objects.filter(pk=email.pk).update(
            status=STATUS.sent, scheduled_time=None, last_updated=now
        ):
            if is_list_mail(email):
                # List mail: who reads what is the list's to keep, not the outbox's.
                Email.objects.filter(pk=email.pk).delete()  # its Delivery and attachments too
                logger.info("Message #%s sent and deleted (list mail).", email.pk)
                return SENT
            Log.objects.create(email_id=email.pk, status=STATUS.sent, message="")
            done = {"sending_until": None}
            if delivery.holds_visitor_data:
                erase(email.pk)
                done["erased_at"] = now
            Delivery.objects.filter(pk=email.pk).update(**done)
    logger.info("Message #%s sent (attempt %s).", email.pk, delivery.attempts)
    return SENT


def record_failure(email, delivery, error):
    now = timezone.now()
    reason = type(error).__name__
    deadline = delivery.due_since + RETRY_FOR
    with transaction.atomic():
        if not Email.objects.filter(pk=email.pk).exists():
            return None  # deleted by staff meanwhile
        # The Log row (for staff, in the admin) may quote the mail server; the logging lines
        # below never do: what it says can name a recipient.
        Log.objects.create(
            email_id=email.pk, status=STATUS.failed, message=str(error), exception_type=reason
        )
        failures = Log.objects.filter(
            email_id=email.pk, status=STATUS.failed, date__gte=delivery.due_since
        ).count()
        if now >= deadline:
            status, next_attempt = STATUS.failed, None
        else:
            status, next_attempt = STATUS.requeued, min(now + retry_wait(failures), deadline)
        Email.objects.filter(pk=email.pk).update(
            status=status, scheduled_time=next_attempt, number_of_retries=failures, last_updated=now
        )
        Delivery.objects.filter(pk=email.pk).update(sending_until=None)
    if status == STATUS.failed:
        logger.error(
            "Message #%s failed: not delivered in %s attempts over 24 hours (last: %s). Staff "
            "can requeue it in the admin.",
            email.pk,
            delivery.attempts,
            reason,
        )
        return FAILED
    logger.warning(
        "Message #%s not delivered (attempt %s: %s); next attempt at %s.",
        email.pk,
        delivery.attempts,
        reason,
        next_attempt.isoformat(timespec="seconds"),
    )
    return RETRY


def erase(pk):
    """Erase what a visitor wrote or is from a delivered message: its body, HTML body, context
    and attachments. Who it went to, its subject, when, its status and attempts stay."""
    Email.objects.filter(pk=pk).update(message="", html_message="", context=None)
    delete_attachments(pk)


def delete_attachments(pk):
    """Delete message `pk`'s attachments and their stored bytes; those another message also
    carries only lose their link to this one."""
    for attachment in Attachment.objects.filter(emails=pk):
        if attachment.emails.exclude(pk=pk).exists():
            attachment.emails.remove(pk)
            continue
        attachment.file.delete(save=False)
        attachment.delete()


def attachments_go_with_their_message(sender, instance, **kwargs):
    """pre_delete of an Email (cancel(), staff deleting a failed message…): post-office would
    leave its attachments behind, visitor data included."""
    delete_attachments(instance.pk)
