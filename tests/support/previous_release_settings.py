"""Settings that can still run the previous release's migrations, which had Django's flatpages
and sites framework: tests/practice/test_upgrade.py builds a database as that release left it."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.sites", "django.contrib.flatpages"]  # noqa: F405
SITE_ID = 1
