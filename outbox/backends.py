"""Django's mail functions, queued in the outbox (EMAIL_BACKEND and the error reports' handler).

The real transport (SMTP, or the console) is post-office's delivery backend,
POST_OFFICE["BACKENDS"]["default"]; only `manage.py send_queued_mail` talks to it, except for
error reports that the database cannot take (ErrorReportBackend below).
"""

import logging

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, connection
from post_office.settings import get_backend

from .queue import queue_message

logger = logging.getLogger(__name__)


class EmailBackend(BaseEmailBackend):
    """Queues every message (send_mail, EmailMessage.send…) in the current transaction.

    Used instead of post-office's own EmailBackend, which renders subjects and bodies as Django
    templates (see outbox/queue.py).
    """

    holds_visitor_data = False

    def send_messages(self, email_messages):
        try:
            return self.queue_all(email_messages)
        except Exception:
            if not self.fail_silently:
                raise
            return 0

    def queue_all(self, email_messages):
        for message in email_messages:
            queue_message(message, holds_visitor_data=self.holds_visitor_data)
        return len(email_messages)


class ErrorReportBackend(EmailBackend):
    """Django's error reports to ADMINS (AdminEmailHandler): queued like any mail when the
    database can take them, sent straight away when it cannot.

    A report must not share the fate of what failed. When the database is down (or this
    connection's transaction is broken) it cannot be queued; inside a transaction it would be
    rolled back with the change that failed. Then it goes directly through the real transport,
    one attempt, as Django sends reports without an outbox; if that fails too, it is lost, but
    the same error is already in the console log, which every error reaches first. Reports may
    quote a request, so queued ones count as visitor data: erased once delivered.
    """

    holds_visitor_data = True

    def send_messages(self, email_messages):
        if not connection.in_atomic_block:
            try:
                return self.queue_all(email_messages)
            except DatabaseError as error:
                logger.warning(
                    "The outbox could not take an error report (%s); sending it directly.",
                    type(error).__name__,
                )
        transport = get_connection(get_backend("default"), fail_silently=self.fail_silently)
        return transport.send_messages(email_messages)
