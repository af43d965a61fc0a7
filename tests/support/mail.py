"""Mail in tests: queued in the outbox as in production, delivered by a pass of our own.

Tests run with the outbox's EMAIL_BACKEND (tests/conftest.py) and post-office's delivery backend
set to Django's locmem backend (tests/settings.py): sent mail waits in the outbox until
`deliver_queued_mail()` runs the pass `manage.py send_queued_mail` runs, and then what was
delivered is in Django's mail.outbox.
"""

from django.core import mail

from outbox.delivery import deliver_due


def deliver_queued_mail():
    """One delivery pass, as `manage.py send_queued_mail` makes; returns mail.outbox, every
    message delivered so far in this test."""
    deliver_due()
    return mail.outbox
