"""The content version changes once per committed change, and a silent cache costs little."""

import socket
import threading
from http import HTTPStatus

import pytest
from django.test import Client

from page_cache import versions
from practice.settings import redis_cache
from tests.support.factories import make_clinician, make_post, make_topic, post_form

committed = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def bumps(monkeypatch):
    """How many times a new content version is started."""
    started = []
    real_bump = versions.bump

    def counting_bump():
        started.append(1)
        return real_bump()

    monkeypatch.setattr(versions, "bump", counting_bump)
    return started


@committed
def test_saving_an_article_with_its_topics_in_the_admin_starts_one_new_version(bumps):
    clinician = make_clinician()
    post = make_post(author=clinician, topics=[make_topic(name="Sleep")])
    other = make_topic(name="Worry")
    staff = Client()
    staff.force_login(clinician)
    bumps.clear()

    response = staff.post(
        f"/admin/blog/post/{post.pk}/change/",
        post_form(
            title="Retitled",
            slug=post.slug,
            author=clinician.pk,
            topics=[other.pk],
            opened_version=post.edit_version,
        ),
    )

    assert response.status_code == HTTPStatus.FOUND
    assert len(bumps) == 1


@committed
def test_a_change_that_is_rolled_back_starts_no_version(bumps):
    from django.db import transaction

    post = make_post()
    bumps.clear()
    with transaction.atomic():
        post.title = "Never mind"
        post.save()
        transaction.set_rollback(True)

    assert bumps == []


class SilentServer:
    """Accepts connections and never answers: a Redis that has stopped responding."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self.listener.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent_redis(settings):
    server = SilentServer()
    # The production settings for REDIS_URL, pointed at the server that never answers.
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{server.port}/0")}
    yield server
    server.close()


@pytest.mark.django_db
def test_a_cache_that_stops_answering_is_left_alone_while_pages_are_served(client, silent_redis):
    make_post(title="Still readable")

    first = client.get("/blog/")
    asked_after_first = len(silent_redis.connections)
    second = client.get("/blog/")
    third = client.get("/")

    assert first.status_code == second.status_code == third.status_code == HTTPStatus.OK
    assert "Still readable" in second.content.decode()
    assert "X-Page-Cache" not in second
    assert asked_after_first >= 1  # the first request did try, and gave up
    assert len(silent_redis.connections) == asked_after_first  # the next ones did not ask
