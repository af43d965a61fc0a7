"""Upgrading a database made by the previous release: nothing is lost on the way.

The previous release kept editable pages in Django's flatpages (with the sites framework), old
slugs in a model of their own, and the audit trail in the practice app. A database in that state
is made here by that release's migrations, filled, and migrated by this one.
"""

import pytest

from tests.support.subprocess_django import PRODUCTION, run_django

PREVIOUS_RELEASE = [
    ("sites", "0002_alter_domain_unique"),
    ("flatpages", "0001_initial"),
    ("blog", "0004_post_published_series_index"),
    ("practice", "0003_audit_events"),
    ("consultations", "0002_roles"),
]

FILL_THE_PREVIOUS_RELEASE = f"""
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

for app, migration in {PREVIOUS_RELEASE!r}:
    call_command("migrate", app, migration, verbosity=0)
apps = MigrationExecutor(connection).loader.project_state({PREVIOUS_RELEASE!r}).apps

FlatPage = apps.get_model("flatpages", "FlatPage")
about = FlatPage.objects.create(url="/about/", title="About us", content="We are **small**.")
about.sites.add(1)
FlatPage.objects.create(
    url="/handbook/", title="Staff handbook", content="Rotas.", registration_required=True
).sites.add(1)
user = apps.get_model("auth", "User").objects.create(username="dana")
apps.get_model("blog", "Author").objects.create(user=user, display_name="Dana Reyes", slug="dana")
Post = apps.get_model("blog", "Post")
live = Post.objects.create(
    title="Live", slug="live-now", body="Text.", body_html="<p>Text.</p>", author=user,
    published_at=timezone.now(),
)
draft = Post.objects.create(
    title="Back to draft", slug="back-to-draft", body="Text.", body_html="<p>Text.</p>",
    author=user, published_at=None,
)
OldSlug = apps.get_model("blog", "OldSlug")
OldSlug.objects.create(slug="live-before", post=live)
OldSlug.objects.create(slug="draft-before", post=draft)
apps.get_model("practice", "AuditEvent").objects.create(
    action="sign_in", username="dana", address="203.0.113.5"
)
"""

AFTER_THE_UPGRADE = """
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

call_command("migrate", verbosity=0)
from blog.models import OldPath
from pages.models import Page
from staff.models import AuditEvent

client = Client(HTTP_HOST="localhost")
result = {
    "pages": sorted(Page.objects.values_list("address", "title", "body", "staff_only")),
    "about_html": Page.objects.get(address="about").body_html,
    "old_addresses": sorted(OldPath.objects.values_list("path", "post__slug")),
    "audit": list(AuditEvent.objects.values_list("action", "username", "address")),
    "clinicians": sorted(
        Group.objects.get(name="Clinicians").permissions.filter(
            content_type__app_label="pages"
        ).values_list("codename", flat=True)
    ),
    "about": client.get("/pages/about/").status_code,
    "old_live": client.get("/blog/live-before/").get("Location"),
    "old_draft": client.get("/blog/draft-before/").status_code,
}
"""


@pytest.fixture
def previous_release(tmp_path):
    """A SQLite database as the previous release left it, with some of everything in it."""
    # The test settings (pages served with plain static files) over a database of its own.
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "DJANGO_SETTINGS_MODULE": "tests.settings",
    }
    previous = {**env, "DJANGO_SETTINGS_MODULE": "tests.support.previous_release_settings"}
    run_django(FILL_THE_PREVIOUS_RELEASE, timeout=120, **previous)
    return env


def test_an_upgrade_carries_pages_old_addresses_and_the_audit_trail_over(previous_release):
    after = run_django(AFTER_THE_UPGRADE, timeout=120, **previous_release)

    assert after["pages"] == [
        ["about", "About us", "We are **small**.", False],
        ["handbook", "Staff handbook", "Rotas.", True],
    ]
    assert after["about_html"] == "<p>We are <strong>small</strong>.</p>\n"
    assert after["about"] == 200
    assert after["old_addresses"] == [
        ["/blog/draft-before", "back-to-draft"],
        ["/blog/live-before", "live-now"],
    ]
    assert after["old_live"] == "/blog/live-now/"
    assert after["old_draft"] == 404  # an article back in draft does not give its address away
    assert after["audit"] == [["sign_in", "dana", "203.0.113.5"]]
    assert set(after["clinicians"]) >= {"add_page", "change_page", "delete_page", "view_page"}


def test_a_new_site_migrates_with_no_host_configured(tmp_path):
    # The previous release's migrations needed DJANGO_ALLOWED_HOSTS to name the Site row.
    result = run_django(
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from pages.models import Page\n"
        "result = Page.objects.count()",
        timeout=120,
        **PRODUCTION,
        DATABASE_URL=f"sqlite:///{tmp_path / 'new.sqlite3'}",
        DJANGO_ALLOWED_HOSTS="",
    )

    assert result == 0
