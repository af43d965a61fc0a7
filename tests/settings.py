"""Settings for the real gunicorn that tests start (DJANGO_SETTINGS_MODULE=tests.gunicorn_server).

Production settings, read from the environment exactly as `practice.settings` reads them, with
one change: static files are named as in the source tree instead of through the hashed-name
manifest, as tests/conftest.py does for in-process tests. Otherwise every page would need a
`collectstatic` into the project's shared `staticfiles/` first, and two test processes doing
that at once would trip over each other.
"""

from practice.settings import *  # noqa: F403
from practice.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
