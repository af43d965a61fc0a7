"""Queueing: send() and cancel(), the outbox's API for the rest of the site.

A message is a row of django-post-office's Email (with its attachments), plus our Delivery row
(outbox/models.py), all written in the caller's transaction: if it rolls back, nothing was
queued. post-office's own mail.send() is not used: it renders the subject and body as Django
templates (post_office/mail.py, create()), so a visitor's "{{" or "{%" would be read as template
code.
"""

import enum
import logging
import mimetypes
from email.mime.base import MIMEBase

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail.message import forbid_multi_line_headers
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from post_office.models import PRIORITY, STATUS, Attachment, Email
from post_office.signals import email_queued

from .models import Delivery

logger = logging.getLogger(__name__)

DEFAULT_MIMETYPE = "application/octet-stream"

# List mail: e-mail to the subscribers of a mailing list (it carries List-Unsubscribe). Who
# subscribes can be sensitive, so list mail is shown in the admin to superusers only, and
# leaves the outbox once delivered (outbox/delivery.py).
LIST_MAIL = Q(headers__has_key="List-Unsubscribe")


def is_list_mail(email):
    return "List-Unsubscribe" in (email.headers or {})


def send(
    to,
    subject,
    body,
    *,
    html_body="",
    attachments=(),
    holds_visitor_data=False,
    scheduled_time=None,
    sender=None,
    headers=None,
):
    """Queue one e-mail in the current transaction and return it (a post-office Email).

    `to` is an address or a list of them. `attachments` are (filename, content, mimetype)
    triples, content in bytes, e.g. ("call.ics", ics, "text/calendar; method=REQUEST"); they
    arrive byte for byte. `holds_visitor_data`: the body or attachments hold what a visitor
    wrote or is (their name, their message, their appointment); once delivered they are
    erased, keeping who it went to, its subject, when and how many attempts it took, so never
    put visitor data in a subject. `scheduled_time`: not before then (a reminder, say).
    `headers`: extra headers, e.g. {"List-Unsubscribe": "<https://…>"}; a message with a
    List-Unsubscribe header is list mail (see LIST_MAIL).

    Raises ValidationError for an address that is not one, BadHeaderError for a subject with a
    line break; nothing is queued then.
    """
    return queue(
        to=[to] if isinstance(to, str) else list(to),
        subject=subject,
        body=body,
        html_body=html_body,
        attachments=[(name, content, mimetype) for name, content, mimetype in attachments],
        holds_visitor_data=holds_visitor_data,
        scheduled_time=scheduled_time,
        sender=sender,
        headers=headers,
    )


def queue(
    *,
    to,
    subject,
    body,
    html_body="",
    cc=(),
    bcc=(),
    headers=None,
    attachments=(),
    holds_visitor_data=False,
    scheduled_time=None,
    sender=None,
):
    """Write one message, its attachments and its Delivery row, in one transaction."""
    forbid_multi_line_headers("Subject", subject, "utf-8")
    now = timezone.now()
    with transaction.atomic():
        email = Email(
            from_email=sender or settings.DEFAULT_FROM_EMAIL,
            to=list(to),
            cc=list(cc),
            bcc=list(bcc),
            subject=subject,
            message=body,
            html_message=html_body,
            headers=headers or None,
            scheduled_time=scheduled_time,
            priority=PRIORITY.medium,
            status=STATUS.queued,
        )
        email.save()  # post-office's save() validates every address first
        for filename, content, mimetype in attachments:
            attachment = Attachment(name=filename, mimetype=mimetype)
            attachment.file.save(filename, ContentFile(content), save=True)
            attachment.emails.add(email)
        Delivery.objects.create(
            email=email,
            holds_visitor_data=holds_visitor_data,
            due_since=scheduled_time if scheduled_time and scheduled_time > now else now,
        )
        logger.info("Message #%s queued.", email.pk)
        # In the transaction, so what listens (outbox/delivery.py with DEBUG on) can wait for
        # its commit.
        email_queued.send(sender=Email, emails=[email])
    return email


def queue_message(message, holds_visitor_data=False):
    """Queue a Django EmailMessage (send_mail, mail_admins…) as it would have been sent."""
    body, html_body = message.body, ""
    if message.content_subtype == "html":
        body, html_body = "", message.body
    for content, mimetype in getattr(message, "alternatives", ()):
        if mimetype == "text/html":
            html_body = content
    headers = dict(message.extra_headers)
    if message.reply_to:
        headers.setdefault("Reply-To", ", ".join(message.reply_to))
    return queue(
        to=message.to,
        cc=message.cc,
        bcc=message.bcc,
        sender=message.from_email,
        subject=str(message.subject),
        body=body,
        html_body=html_body,
        headers=headers,
        attachments=[attachment_triple(attachment) for attachment in message.attachments],
        holds_visitor_data=holds_visitor_data,
    )


def attachment_triple(attachment):
    """(filename, bytes, mimetype) of an attachment of a Django EmailMessage."""
    if isinstance(attachment, MIMEBase):
        mimetype = "; ".join(
            [attachment.get_content_type()]
            + [f"{key}={value}" for key, value in attachment.get_params()[1:] if key != "charset"]
        )
        return (
            attachment.get_filename() or "attachment",
            attachment.get_payload(decode=True),
            mimetype,
        )
    filename, content, mimetype = attachment
    if isinstance(content, str):
        content = content.encode()
    mimetype = mimetype or mimetypes.guess_type(filename or "")[0] or DEFAULT_MIMETYPE
    return filename or "attachment", content, mimetype


class CancelResult(enum.Enum):
    """What cancel() did; true only when the message will never go."""

    CANCELLED = "cancelled"
    ALREADY_SENT = "already sent"
    BEING_SENT = "being sent right now"
    NOT_QUEUED = "not in the outbox (cancelled before, or deleted)"

    def __bool__(self):
        return self is CancelResult.CANCELLED


def cancel(message):
    """Make sure a queued message (an Email or its id) never goes, e.g. a reminder for a call
    that was moved: it is deleted with its attachments, in the caller's transaction.

    A failed one is cancelled too (staff could have requeued it). One already sent, or being
    sent at this moment by a delivery process, cannot be: nothing changes, and the result says
    why. Once this returns CANCELLED and the transaction commits, the message is never sent.
    """
    pk = message.pk if isinstance(message, Email) else message
    with transaction.atomic():
        # Delivery processes claim a message by updating this row (outbox/delivery.py): locked,
        # it is either claimed already or will never be.
        email = Email.objects.select_for_update().filter(pk=pk).first()
        if email is None:
            result = CancelResult.NOT_QUEUED
        elif email.status == STATUS.sent:
            result = CancelResult.ALREADY_SENT
        elif Delivery.objects.filter(email=email, sending_until__gt=timezone.now()).exists():
            result = CancelResult.BEING_SENT
        else:
            email.delete()  # its attachments too (outbox/delivery.py)
            result = CancelResult.CANCELLED
    logger.info(
        "Message #%s: %s.", pk, result.value if result else f"not cancelled, {result.value}"
    )
    return result


def forget(address, *, list_mail_only=False):
    """Delete every message to `address` alone, whatever its state, with its attachments: when
    the last request of a visitor is purged, their address leaves the outbox too. With
    `list_mail_only`, only list mail (a reader who unsubscribed). Returns how many went."""
    messages = Email.objects.filter(to__iexact=address)
    if list_mail_only:
        messages = messages.filter(LIST_MAIL)
    messages = list(messages)
    for email in messages:
        email.delete()  # its attachments too (outbox/delivery.py)
    if messages:
        logger.info("%s message(s) to a forgotten address deleted.", len(messages))
    return len(messages)
