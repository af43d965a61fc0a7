"""The audit trail: sign-ins and every look at, change to, export and deletion of a request.

Each event is stored (AuditEvent) and written to the `staff.audit` log. Neither ever holds
what a visitor typed: only who, when, from where, and a request number.
"""

import logging
import re
from ipaddress import ip_address

from axes.signals import user_locked_out
from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditAction, AuditEvent
from .network import client_address

logger = logging.getLogger(__name__)

# C0 and C1 controls, and Unicode's own line and paragraph separators; a backslash too, so an
# escape typed by someone cannot pass for one written here.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\\]")


def record(action, request=None, user=None, username="", request_ids=(None,), detail=""):
    """Store and log one event per request number (or one event with none)."""
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    username = username or (user.get_username() if user else "")
    address = _address(request)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=action,
            user=user,
            username=username[:150],
            address=address,
            request_id=request_id,
            detail=detail[:200],
        )
        for request_id in request_ids
    )
    for request_id in request_ids:
        logger.info(
            "%s user=%s address=%s%s%s",
            action,
            printable(username) or "-",
            address or "-",
            f" request=#{request_id}" if request_id else "",
            f" ({printable(detail)})" if detail else "",
        )


def printable(text):
    """`text` with line breaks and other control characters written as escapes (\\n, \\x1b),
    so a name typed at sign-in can never start a line of its own in the log."""
    return CONTROL_CHARACTERS.sub(lambda match: ascii(match.group())[1:-1], text)


def _address(request):
    if request is None:
        return None
    try:
        return str(ip_address(client_address(request)))
    except ValueError:
        return None


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    record(AuditAction.SIGN_IN, request, user=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditAction.SIGN_OUT, request, user=user)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django has already replaced the password in `credentials`; we keep only the name.
    record(AuditAction.SIGN_IN_FAILED, request, username=str(credentials.get("username", "")))


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    record(AuditAction.LOCKED_OUT, request, username=str(username or ""))
