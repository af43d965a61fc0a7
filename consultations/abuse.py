"""Anti-abuse without a captcha: a honeypot, a signed form token with its showing time, and a
per-client rate limit counted in the database."""

import hashlib
import hmac
import re
import time
import uuid

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured

from staff.network import client_network

TOKEN_SALT = "consultations.form-token"
TOKEN_MAX_AGE = 24 * 60 * 60  # a form left open longer must be sent again
RATE = re.compile(r"^\s*(\d+)\s*/\s*([smhd])\s*$")
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def new_form_token():
    """A one-time token for one showing of the form, signed with the time it was shown."""
    return signing.dumps({"id": uuid.uuid4().hex, "shown": time.time()}, salt=TOKEN_SALT)


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def read_form_token(value):
    """(submission id, seconds since the form was shown); raises TokenExpired or TokenInvalid."""
    try:
        data = signing.loads(value or "", salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
        return uuid.UUID(data["id"]), time.time() - float(data["shown"])
    except signing.SignatureExpired as error:
        raise TokenExpired from error
    except (signing.BadSignature, KeyError, TypeError, ValueError) as error:
        raise TokenInvalid from error


def filled_too_fast(seconds_open):
    return seconds_open < settings.CONSULTATION_MIN_FILL_SECONDS


def rate_limit():
    """(requests, window in seconds) from CONSULTATION_RATE_LIMIT ("5/h"), or None when off."""
    value = settings.CONSULTATION_RATE_LIMIT.strip()
    if value in {"", "0"}:
        return None
    match = RATE.match(value)
    if not match:
        raise ImproperlyConfigured(f"CONSULTATION_RATE_LIMIT must look like 5/h, not {value!r}")
    count, unit = match.groups()
    return (int(count), SECONDS[unit]) if int(count) else None


def client_key(request):
    """A keyed hash of the visitor's address (an IPv6 address's /64): it counts requests without
    storing the address."""
    key = hashlib.sha256(f"consultations-client:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, client_network(request).encode(), hashlib.sha256).hexdigest()[:40]
