"""Settings for every test: production settings (DEBUG off), with only what tests need changed.

pytest uses this module (DJANGO_SETTINGS_MODULE in pyproject.toml), and so does every gunicorn
that the end-to-end tests start (tests/support/servers.py). Settings that only some tests need
stay with those tests: fixtures in tests/conftest.py (uploads in a temporary folder per test,
the production two-step sign-in for tests marked `two_factor`) or the tests' own `settings`.
Tests of production settings as they are, untouched, run them in a fresh process
(tests/support/subprocess_django.py).
"""

import os
from unittest import mock

# practice/settings.py reads the environment once, as it is imported. Whatever the shell says,
# tests get production behaviour (DEBUG off), which refuses to start without a secret key, so
# they bring one of their own. The environment itself is left as it was.
PRODUCTION_FOR_TESTS = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "test-only-secret-not-for-production-0123456789abcdefghij",
}
with mock.patch.dict(os.environ, PRODUCTION_FOR_TESTS):
    from practice.settings import *  # noqa: F403
    from practice.settings import POST_OFFICE, STORAGES

# Plain http on localhost: the test client, the browser and the test servers never use TLS, so
# the redirect to HTTPS is off. Everything else about HTTPS stays (Secure cookies, HSTS, the
# proxy's X-Forwarded-Proto header).
SECURE_SSL_REDIRECT = False

# The hashed-name static storage needs `collectstatic` first; tests serve the source files
# instead. Otherwise every page would need a `collectstatic` into the project's shared
# staticfiles/ first, and two test processes doing that at once would trip over each other.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Real password hashing is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Production requires two-step sign-in for staff; tests of other features sign in with a
# password alone. Tests marked `two_factor` keep the production rule (tests/conftest.py).
TWO_FACTOR_REQUIRED = False

# Mail is queued as in production (tests/conftest.py keeps EMAIL_BACKEND, which Django's test
# runner replaces) and delivered by a delivery pass (tests/support/mail.py) to Django's locmem
# backend, where tests read it in mail.outbox.
POST_OFFICE = {
    **POST_OFFICE,
    "BACKENDS": {"default": "django.core.mail.backends.locmem.EmailBackend"},
}
