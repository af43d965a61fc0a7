"""People talking HTTP to real servers (tests/support/servers.py), through the shared client
(tools/serving.HttpClient): a visitor sending the consultation form, and a clinician signing in
to the admin and changing something there, exactly as their browsers would behind our proxy.

Every request names the same site (SITE_NAME), whichever server answers it, as it would behind
one proxy.
"""

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus

from tests.support.factories import PASSWORD
from tools.serving import (
    FORM_PATH,
    REQUEST_TIMEOUT,
    Forms,
    HttpClient,
    consultation_fields,
    thanked,
)

SITE_NAME = "localhost"  # the Host header of every request (in ALLOWED_HOSTS)


@dataclass
class SiteClient(HttpClient):
    """A browser's HTTP client on our site, whichever server answers (see HttpClient)."""

    host: str | None = SITE_NAME


# --- A visitor asking for a consultation ---------------------------------------------------------


@dataclass
class Visitor(SiteClient):
    """Someone who fills in the consultation form on one server and may send it to any server."""

    name: str = "Visitor"
    phone: str = "(555) 010-0100"
    form: list = field(default_factory=list)

    def open_form(self, server):
        response = self.get(server, FORM_PATH)
        assert response.status == HTTPStatus.OK, response.body[:2000]
        hidden = dict(Forms(response.body).with_field("form_token"))
        assert hidden.get("csrfmiddlewaretoken"), "the form has no CSRF token"
        assert hidden.get("form_token"), "the form has no form token"
        assert "csrftoken" in self.cookies, "no CSRF cookie was set"
        self.form = consultation_fields(
            hidden, self.name, self.phone, "Sent by a test of real servers."
        )
        return self

    def submit(self, server):
        return self.post(server, FORM_PATH, self.form)


def describe(responses):
    """Every response that is not the redirect to the thank-you page, briefly."""
    problems = [
        f"{response.status} {response.headers.get('location', '')} "
        + re.sub(r"\s+", " ", response.body)[:300]
        for response in responses
        if not thanked(response)
    ]
    return f"{len(problems)} of {len(responses)} were not thanked: {problems[:5]}"


def open_forms(visitors, servers):
    """Visitor number i opens the form on server number i (round the list), a few at a time."""

    def open_form(number):
        return visitors[number].open_form(servers[number % len(servers)])

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(open_form, range(len(visitors)), timeout=3 * REQUEST_TIMEOUT))


# --- A clinician in the admin --------------------------------------------------------------------


def sign_in(http_client, server, username, password=PASSWORD):
    """Sign in through the admin's own login form, as a person would."""
    login_path = "/admin/login/?next=/admin/"
    page = http_client.get(server, login_path)
    assert page.status == HTTPStatus.OK, page.body[:2000]
    fields = dict(Forms(page.body).named(id="login-form"))
    fields.update(username=username, password=password)
    response = http_client.post(server, login_path, list(fields.items()))
    assert response.status == HTTPStatus.FOUND, response.body[:2000] + server.logs()
    assert response.headers["location"] == "/admin/"


def change_in_admin(http_client, server, obj, **changes):
    """Open `obj`'s change form, change some fields as typed, and press Save."""
    path = f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"
    page = http_client.get(server, path)
    assert page.status == HTTPStatus.OK, page.body[:2000] + server.logs()
    fields = Forms(page.body).named(id=f"{obj._meta.model_name}_form")
    assert changes.keys() <= dict(fields).keys(), f"the form has no {changes.keys()} fields"
    typed = [(name, changes.get(name, value)) for name, value in fields]
    response = http_client.post(server, path, [*typed, ("_save", "Save")])
    # The change list again means saved; the form again (200) would mean it was refused.
    assert response.status == HTTPStatus.FOUND, form_errors(response.body) + server.logs()
    return response


def form_errors(html):
    """What the admin said was wrong with a form, as text."""
    errors = re.findall(r'class="(?:errornote|errorlist)[^"]*"[^>]*>(.*?)</(?:p|ul)>', html, re.S)
    return "Form errors: " + " | ".join(re.sub(r"<[^>]+>|\s+", " ", e).strip() for e in errors)
