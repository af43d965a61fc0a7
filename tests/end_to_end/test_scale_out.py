"""Past one machine: two real gunicorn servers, A and B, sharing one PostgreSQL and one Redis.

This is the production shape with several app servers behind one proxy, so whatever one server
does must hold on the other on the very next request: an edit saved through A shows through B
(although B had the page in the shared cache), and the consultation rate limit and one-time
tokens count across both. Both servers use pytest-django's test database (tests here commit,
so the servers see their data) and a Redis database of their own, emptied before each test.

Needs DATABASE_URL=postgres://… and REDIS_URL; skipped otherwise, but failed instead when
PRACTICE_REQUIRE_SCALE_OUT=1 (CI sets it), so CI can never pass without running these.
"""

import os
import time
from http import HTTPStatus
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.db import connection

from consultations.models import ConsultationRequest
from tests.support.factories import make_clinician, make_post
from tests.support.http_client import (
    SiteClient,
    Visitor,
    change_in_admin,
    describe,
    open_forms,
    sign_in,
)
from tests.support.servers import running_server, server_environment
from tools.serving import simultaneously, thanked

# serialized_rollback: the roles made by data migrations come back after each test.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SERVER_WORKERS = 3
RATE_LIMIT = 3  # requests per address per hour: low, so the limit is quick to reach
DOUBLE_POSTS = 10
CROWD = 200
RATE_LIMITED = "We have already received several requests from your connection recently"


# --- Two servers, one database, one Redis -----------------------------------------------------


@pytest.fixture(scope="module")
def postgresql_and_redis():
    """REDIS_URL, once this run has what these tests need; skips (or fails, in CI) otherwise."""
    missing = []
    if connection.vendor != "postgresql":
        missing.append("DATABASE_URL=postgres://…")
    if not os.environ.get("REDIS_URL"):
        missing.append("REDIS_URL=redis://…")
    if missing:
        reason = f"Two app servers need a shared PostgreSQL and Redis: set {' and '.join(missing)}."
        if os.environ.get("PRACTICE_REQUIRE_SCALE_OUT") == "1":
            pytest.fail(f"{reason} (PRACTICE_REQUIRE_SCALE_OUT=1 forbids skipping.)")
        pytest.skip(reason)
    return os.environ["REDIS_URL"]


@pytest.fixture(scope="module")
def shared_redis_url(postgresql_and_redis):
    """REDIS_URL with a database number of this worker's own, other than REDIS_URL's: each
    xdist worker starts its own pair of servers on its own test database, so each needs its
    own Redis too (and the other tests keep theirs in REDIS_URL's database)."""
    url = urlsplit(postgresql_and_redis)
    own = int(url.path.strip("/") or 0)
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    free = [number for number in range(16) if number != own]  # Redis has 16 by default
    if worker >= len(free):
        pytest.fail(f"Redis has no database left for xdist worker {worker}: use -n {len(free)}.")
    return urlunsplit(url._replace(path=f"/{free[worker]}"))


@pytest.fixture(scope="module")
def servers(shared_redis_url, django_db_setup, django_db_blocker, tmp_path_factory):
    """(A, B): two gunicorns with the same settings, as two machines behind one proxy would be."""
    env = server_environment(
        DATABASE_URL=url_of_the_test_database(),
        REDIS_URL=shared_redis_url,
        DJANGO_CLIENT_IP_HEADER="X-Forwarded-For",  # the proxy says who the visitor is
        CONSULTATION_RATE_LIMIT=f"{RATE_LIMIT}/h",
    )
    # Like every test not marked two_factor, the servers let staff in with a password alone
    # (tests/settings.py): a TOTP step here would test nothing more about two servers, whose
    # shared state (sessions in the database) a password sign-in uses.
    folder = tmp_path_factory.mktemp("scale-out")
    try:
        with (
            running_server(env, folder, "A", workers=SERVER_WORKERS) as a,
            running_server(env, folder, "B", workers=SERVER_WORKERS) as b,
        ):
            yield a, b
    finally:
        with django_db_blocker.unblock():
            wait_for_server_connections_to_close()
        with redis.Redis.from_url(shared_redis_url) as client:
            client.flushdb()


@pytest.fixture(autouse=True)
def shared_cache(servers, shared_redis_url, settings):
    """An empty shared Redis for each test, which this process uses too.

    Saves made here (make_post) then bump the content version the servers read, as saves by
    any process of a deployed site do; and no page cached by an earlier test survives it.
    """
    with redis.Redis.from_url(shared_redis_url) as client:
        client.flushdb()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": shared_redis_url,
        }
    }


def url_of_the_test_database():
    """DATABASE_URL, naming the test database this process uses (one per xdist worker)."""
    url = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"]))


def wait_for_server_connections_to_close(timeout=15):
    # PostgreSQL ends a stopped server's sessions a moment later; until then, pytest-django
    # could not drop the test database at the end of the run.
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.1)


# --- The tests ---------------------------------------------------------------------------------


def read_on_every_worker(client, server, path, attempts=200):
    """GET `path` until each of the server's workers has answered it (its access log says which
    one did); the responses, in order."""
    answered_before = len(server.access_lines())
    responses = []
    while len(responses) < attempts:
        responses.append(client.get(server, path))
        answered = {pid for pid, *request in server.access_lines()[answered_before:]
                    if request[:2] == ["GET", path]}  # fmt: skip
        if len(answered) == SERVER_WORKERS:
            return responses
    raise AssertionError(f"not every worker of {server.name} answered {path}{server.logs()}")


def test_an_article_edited_through_server_a_shows_its_new_title_through_server_b_at_once(
    servers,
):
    a, b = servers
    article = make_post(title="Sleeping through worry", slug="sleeping-through-worry")
    make_clinician("clinician")
    reader = SiteClient()
    for path in (article.get_absolute_url(), "/blog/"):
        first, *others = read_on_every_worker(reader, b, path)
        assert all(r.status == HTTPStatus.OK for r in [first, *others]), b.logs()
        assert all("Sleeping through worry" in r.body for r in [first, *others])
        # Every worker of B now holds the page, in the shared cache and in its own memory
        # (page_cache/local.py): the next visitor, through either server, would get exactly this.
        assert first.headers.get("x-page-cache") == "miss", first.headers
        assert {r.headers.get("x-page-cache") for r in others} == {"hit"}

    clinician = SiteClient(address="192.0.2.10")
    sign_in(clinician, a, "clinician")
    change_in_admin(clinician, a, article, title="Rest when anxiety keeps you up")

    for path in (article.get_absolute_url(), "/blog/"):
        # Each of B's workers, which all held the old page, shows the new one at once.
        responses = read_on_every_worker(reader, b, path)
        assert responses[0].headers.get("x-page-cache") == "miss", responses[0].headers
        for response in responses:
            assert response.status == HTTPStatus.OK, b.logs()
            assert "Rest when anxiety keeps you up" in response.body, path
            assert "Sleeping through worry" not in response.body, path


def test_the_request_limit_counts_requests_sent_to_either_server(servers):
    a, b = servers
    responses = []
    for number in range(RATE_LIMIT + 2):
        server = (a, b)[number % 2]  # the proxy sends each request to the other server
        visitor = Visitor(address="198.51.100.7", name=f"Persistent {number}")
        responses.append(visitor.open_form(server).submit(server))

    allowed, refused = responses[:RATE_LIMIT], responses[RATE_LIMIT:]
    assert all(thanked(response) for response in allowed), describe(allowed)
    assert [response.status for response in refused] == [HTTPStatus.TOO_MANY_REQUESTS] * 2
    assert all(RATE_LIMITED in response.body for response in refused)
    stored = ConsultationRequest.objects.values_list("name", flat=True)
    assert sorted(stored) == [f"Persistent {number}" for number in range(RATE_LIMIT)]


def test_the_request_limit_holds_when_one_address_sends_to_both_servers_at_once(servers):
    a, b = servers
    visitors = open_forms(
        [Visitor(address="198.51.100.8", name=f"Burst {n}") for n in range(2 * RATE_LIMIT)],
        servers,
    )

    responses = simultaneously(
        [lambda v=visitor, n=n: v.submit((a, b)[n % 2]) for n, visitor in enumerate(visitors)]
    )

    statuses = sorted(response.status for response in responses)
    assert statuses == [HTTPStatus.FOUND] * RATE_LIMIT + [HTTPStatus.TOO_MANY_REQUESTS] * RATE_LIMIT
    assert sum(thanked(response) for response in responses) == RATE_LIMIT, describe(responses)
    refused = [response for response in responses if not thanked(response)]
    assert all(RATE_LIMITED in response.body for response in refused)
    assert ConsultationRequest.objects.count() == RATE_LIMIT


def test_one_form_posted_to_both_servers_at_once_is_stored_once_and_every_post_is_thanked(
    servers,
):
    a, b = servers
    visitor = Visitor(address="198.51.100.9", name="Double clicker").open_form(a)

    # A double click that the proxy spreads over both servers, many times over.
    at_once = simultaneously(
        [lambda n=n: visitor.submit((a, b)[n % 2]) for n in range(DOUBLE_POSTS)]
    )
    later = [visitor.submit(b), visitor.submit(a)]  # back and send again, or a retry

    assert all(thanked(response) for response in at_once + later), describe(at_once + later)
    assert list(ConsultationRequest.objects.values_list("name", flat=True)) == ["Double clicker"]


def test_200_simultaneous_requests_over_both_servers_are_each_stored_exactly_once(servers):
    a, b = servers
    people = {f"Crowd visitor {n:03d}": f"(555) 010-{n:04d}" for n in range(CROWD)}
    visitors = [
        Visitor(address=f"10.{n // 250}.{n % 250}.1", name=name, phone=phone)
        for n, (name, phone) in enumerate(people.items())
    ]
    open_forms(visitors, servers)  # visitor n gets the form from server n % 2…

    started = time.monotonic()
    responses = simultaneously(  # …and the proxy sends the form back to the other one
        [lambda v=visitor, n=n: v.submit((b, a)[n % 2]) for n, visitor in enumerate(visitors)]
    )
    seconds = time.monotonic() - started
    print(f"\n{CROWD} simultaneous submissions over two servers took {seconds:.2f} s")

    assert all(thanked(response) for response in responses), (
        describe(responses) + a.logs() + b.logs()
    )
    stored = ConsultationRequest.objects.values_list("name", "phone", "submission_token")
    assert {name: phone for name, phone, _ in stored} == people  # nobody lost, nothing mixed up
    assert len(stored) == CROWD
    assert len({token for *_, token in stored}) == CROWD
