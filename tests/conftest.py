"""Fixtures every test gets, and the browser's. The settings themselves are in tests/settings.py.

Tests live in one folder per app or service (tests/blog/, tests/staff/…), end-to-end tests
(browsers, real gunicorn servers) in tests/end_to_end/, and their helpers in tests/support/.
"""

import os
import shutil

import pytest

from tests.support.browser import ARTIFACTS
from tools.chromium import CHROMIUM_FLAGS

# --- Every test ----------------------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="session")
def _jinja2_templates_reported_to_the_test_client():
    """response.context and response.templates for the visitor pages (Jinja2 templates), as
    Django's test setup gives them for its own templates: each render sends template_rendered
    with the template and the whole context (request and context processors included)."""
    import jinja2
    from django.test.signals import template_rendered

    render = jinja2.Template.render

    def instrumented_render(self, *args, **kwargs):
        # Only the template a view asked for: Jinja2 renders its includes and parents inside.
        context = dict(*args, **kwargs)
        template_rendered.send(sender=self, template=self, context=context)
        return render(self, context)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(jinja2.Template, "render", instrumented_render)
        yield


@pytest.fixture(autouse=True)
def _production_two_step_rule_where_tested(request, settings):
    # Tests sign in with a password alone (tests/settings.py); tests marked `two_factor` keep
    # the production rule that staff need a second factor.
    if request.node.get_closest_marker("two_factor") is not None:
        settings.TWO_FACTOR_REQUIRED = True


@pytest.fixture(autouse=True)
def _no_cache_outage_left_from_another_test(monkeypatch):
    # The page cache remembers an outage for a while, per process (page_cache/outage.py).
    from page_cache import outage

    monkeypatch.setattr(outage, "_paused_until", 0.0)
    monkeypatch.setattr(outage, "version_change_pending", False)


@pytest.fixture(autouse=True)
def _mail_is_queued_as_in_production(settings):
    # Django's test runner sends mail straight to its locmem backend (mail.outbox); here it
    # goes into the outbox as in production, and a delivery pass (tests/support/mail.py)
    # takes it from there to locmem, as send_queued_mail would to the mail server.
    settings.EMAIL_BACKEND = "outbox.backends.EmailBackend"


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    # Uploads made by tests (and by load_demo) never land in the project's media/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _an_empty_redis_cache_for_each_test(settings):
    # The database cache table is rolled back after each test like any table; Redis keeps what
    # the last test stored (a page cached with other articles, say). And every xdist worker
    # shares it, so cache.clear() (FLUSHDB) would empty it under the others' running tests
    # too: each test process keeps its keys under a prefix of its own and empties only those,
    # before each test and after it (so a run leaves nothing behind).
    if not os.environ.get("REDIS_URL"):
        yield
        return
    import redis

    prefix = f"tests-{os.getpid()}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    with redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]) as client:

        def empty():
            stale = list(client.scan_iter(match=f"{prefix}:*", count=1000))
            if stale:
                client.delete(*stale)

        empty()
        yield
        empty()


# --- Browser tests (Playwright, Debian's chromium) -----------------------------------------------

PLAYWRIGHT_FIRST = "_start_playwright_before_the_database"


def pytest_collection_modifyitems(items):
    """Start Playwright first in this run only when a collected test uses it.

    Playwright's sync API runs tests in another execution context, and Django keeps one
    database connection per context. Had the test database been set up outside it, browser tests
    would get a fresh connection without the snapshot that `serialized_rollback` restores, and
    the roles made by data migrations would vanish after the first browser test. So when any
    collected test uses Playwright (its `page`, `browser`… fixtures all rest on `playwright`),
    every test asks for PLAYWRIGHT_FIRST before anything else: whichever test runs first starts
    Playwright before anything sets up the database. A run without such a test (`pytest
    tests/blog`, say) never starts Playwright or chromium.
    """
    if any("playwright" in getattr(item, "fixturenames", ()) for item in items):
        for item in items:
            if hasattr(item, "fixturenames") and PLAYWRIGHT_FIRST not in item.fixturenames:
                item.fixturenames.insert(0, PLAYWRIGHT_FIRST)


@pytest.fixture(scope="session")
def _start_playwright_before_the_database(playwright):
    """Playwright, started (see pytest_collection_modifyitems) before the test database."""
    # Playwright's sync API runs an event loop in the test thread; the ORM calls our tests make
    # alongside it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    return playwright


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's chromium; Playwright cannot download a browser here, and we never skip."""
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Browser tests need Debian's chromium: run `sudo apt-get install -y chromium`.")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_FLAGS],
    }


@pytest.fixture
def screenshot(page, request):
    """Save a full-page screenshot under test-artifacts/ for people to look at."""

    def take(name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def csp_violations(page):
    """Collects Content-Security-Policy violations reported in the browser console."""
    messages = []
    page.on(
        "console",
        lambda message: (
            messages.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return messages
