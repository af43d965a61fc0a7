"""The project's own pages: the home page, and the branded 404 and 500 pages."""

from http import HTTPStatus

import pytest
from django.test import RequestFactory

from practice.views import server_error

pytestmark = pytest.mark.django_db


def test_home_page_invites_a_consultation(client):
    response = client.get("/")

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'href="/consultation/"' in html
    assert "Clearwater Psychotherapy" in html


def test_unknown_page_gets_the_branded_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    html = response.content.decode()
    assert "We couldn’t find that page" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "If you are in crisis" in html


def test_server_error_page_is_branded_and_gives_a_way_to_reach_us():
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "(555) 010-0142" in html
    assert 'call or text <a href="tel:988">988</a>' in html
