"""Demo content for `manage.py load_demo`: pages, and (in DEBUG only) sign-in users.

Content lives in Markdown files with a small "key: value" header, so it reads like what a
clinician would type into the editor.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site

from practice.roles import CLINICIANS, FRONT_DESK

PAGES_DIR = Path(__file__).parent / "pages"
# In the order the footer and sitemap list them.
PAGE_SLUGS = ["about", "services", "faq", "fees", "privacy", "accessibility"]

DEMO_USERS = [
    # username, password, first name, last name, group
    ("dana", "demo-clinician-pass", "Dana", "Reyes", CLINICIANS),
    ("frontdesk", "demo-frontdesk-pass", "Jordan", "Lee", FRONT_DESK),
]


def read_document(path):
    """Split a demo file into its header fields and its Markdown body."""
    header, _, body = Path(path).read_text(encoding="utf-8").partition("\n\n")
    fields = {}
    for line in header.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields, body.strip() + "\n"


def load_pages():
    """Create the editable pages that are missing; never overwrite a page staff have edited."""
    site = Site.objects.get(id=settings.SITE_ID)
    created = 0
    for slug in PAGE_SLUGS:
        fields, body = read_document(PAGES_DIR / f"{slug}.md")
        page, was_created = FlatPage.objects.get_or_create(
            url=f"/{slug}/", defaults={"title": fields["title"], "content": body}
        )
        page.sites.add(site)
        created += was_created
    return created


def load_users():
    """Demo sign-ins for local development. Refuses to run outside DEBUG."""
    if not settings.DEBUG:
        raise RuntimeError("Demo users are only created when DJANGO_DEBUG=1.")
    for username, password, first_name, last_name, group_name in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.first_name, user.last_name = first_name, last_name
        user.is_staff = user.is_active = True
        user.set_password(password)  # reset each run, so the printed credentials always work
        user.save()
        user.groups.add(Group.objects.get(name=group_name))
    return [(username, password, group) for username, password, _, _, group in DEMO_USERS]
