"""Real gunicorn servers for the end-to-end tests, started by the shared harness
(tools/serving.py) on the tests' own settings (tests/settings.py).

Each suite gives its servers what it needs on top (a database, a cache, the client address
header…) as environment variables, exactly as a deployment would.
"""

import contextlib

from tools.serving import clean_environment, running_gunicorn

WORKERS = 4  # enough for requests to race across processes
TEST_SERVER = {
    "DJANGO_SETTINGS_MODULE": "tests.settings",
    "CONSULTATION_MIN_FILL_SECONDS": "0",  # our visitors fill the form in instantly
}


def server_environment(**settings):
    """What a test server reads: none of this process's site settings, the tests' settings
    module, and `settings`."""
    return clean_environment(**TEST_SERVER, **settings)


@contextlib.contextmanager
def running_server(env, folder, name="gunicorn", workers=WORKERS):
    """A real gunicorn with `workers` processes on a free port, stopped on the way out."""
    with running_gunicorn(env, folder, name, workers=workers) as server:
        yield server
