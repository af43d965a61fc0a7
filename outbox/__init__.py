"""The outbox: every e-mail the site sends is queued first, in the transaction of the change that
causes it, and delivered later by `manage.py send_queued_mail` (outbox/delivery.py).

The API for the rest of the site (outbox/queue.py):

- `send(to, subject, body, *, html_body="", attachments=(), holds_visitor_data=False,
  scheduled_time=None, sender=None, headers=None) -> Email`: queue one message;
- `cancel(message) -> CancelResult`: make sure a queued message never goes;
- `forget(address, *, list_mail_only=False) -> int`: delete every message to an address (a
  purged visitor's), or only its list mail (a reader who unsubscribed).

Django's own send_mail(), EmailMessage.send() and the error reports to ADMINS are queued too
(outbox/backends.py, through EMAIL_BACKEND).
"""

__all__ = ["CancelResult", "cancel", "forget", "send"]


def __getattr__(name):
    # The models behind these can be imported only once Django's apps are loaded, which they
    # are not while Django imports this package to find the app.
    if name in __all__:
        from . import queue

        return getattr(queue, name)
    raise AttributeError(f"module 'outbox' has no attribute {name!r}")
