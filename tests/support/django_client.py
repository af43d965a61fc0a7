"""Staff signing in with Django's test client, through the admin's own login form (for a real
server see tests/support/http_client.py, for a browser tests/support/browser.py)."""

from tests.support.factories import PASSWORD

LOGIN = "/admin/login/"


def sign_in(client, username, password=PASSWORD, **extra):
    """Post the login form as a person would; the response redirects to /admin/ when it let
    them in (see `let_in`). `extra` goes with the request (REMOTE_ADDR, headers…)."""
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, **extra
    )


def let_in(response):
    """Whether a sign-in's response let the person in."""
    return response.status_code == 302 and response["Location"] == "/admin/"
