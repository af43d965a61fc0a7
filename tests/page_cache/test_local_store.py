"""Each worker keeps the pages it served in its own memory, filed under the content version:
a hit reads only the version from the shared cache, and a new version, from whichever worker or
server, is seen on the very next request."""

import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from blog.models import Post
from page_cache import local
from page_cache.middleware import page_address, page_key
from page_cache.versions import STATE_KEY, current_version
from tests.support.factories import make_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_store():
    local.clear()
    yield
    local.clear()


def another_server_starts_a_new_version():
    """What a save on another server leaves in the shared cache: only a new version."""
    cache.set(STATE_KEY, (uuid.uuid4().hex, None), timeout=None)


def test_a_page_this_worker_holds_is_not_read_from_the_shared_cache_again(client):
    post = make_post(title="Breathing before a session")
    client.get(post.get_absolute_url())
    client.get(post.get_absolute_url())  # served from this worker's memory from now on
    # The shared copy goes (evicted, say): this worker still has its own, for this version.
    address = page_address(RequestFactory().get(post.get_absolute_url()))
    cache.delete(page_key(address, current_version()))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(post.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"
    assert "Breathing before a session" in response.content.decode()
    assert all("page-cache:state" in query["sql"] for query in queries)  # the version alone


def test_a_new_version_from_another_server_retires_the_pages_this_worker_holds(client):
    post = make_post(title="Breathing before a session")
    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "hit"
    # The other server changed the row (no signal reaches this process) and the version.
    Post.objects.filter(pk=post.pk).update(title="Slow breathing before a session")
    another_server_starts_a_new_version()

    response = client.get(post.get_absolute_url())

    assert response["X-Page-Cache"] == "miss"
    assert "Slow breathing before a session" in response.content.decode()


def page_of(size):
    return local.Page(200, {"Content-Type": "text/html"}, b"x" * size)


def test_the_store_stays_within_its_size_dropping_the_least_recently_used(settings):
    budget = settings.PAGE_CACHE_LOCAL_BYTES
    version = "v1"
    assert local.get(version, "https://example.org/first") is None  # this version from now on
    local.put(version, "https://example.org/first", page_of(budget // 10))
    for number in range(40):
        local.get(version, "https://example.org/first")  # read all along: stays
        local.put(version, f"https://example.org/{number}", page_of(budget // 10))

    assert local._pages.currsize <= budget
    assert local.get(version, "https://example.org/first") is not None
    assert local.get(version, "https://example.org/0") is None  # the oldest unread ones went
    assert local.get(version, "https://example.org/39") is not None


def test_a_page_too_large_for_the_store_is_left_to_the_shared_cache(settings):
    local.get("v1", "https://example.org/")
    local.put("v1", "https://example.org/huge", page_of(settings.PAGE_CACHE_LOCAL_BYTES // 2))

    assert local.get("v1", "https://example.org/huge") is None


def test_pages_of_an_older_version_are_never_kept():
    local.get("v2", "https://example.org/")  # this worker has seen v2
    local.put("v1", "https://example.org/late", page_of(100))  # rendered under v1, stored late

    assert local.get("v2", "https://example.org/late") is None
