"""Plain helpers that make valid objects; override any field by keyword."""

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site

from practice.roles import CLINICIANS, FRONT_DESK

PASSWORD = "a-long-test-password-9431"


def make_user(username="staff", group=None, **fields):
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=True, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_clinician(username="clinician", **fields):
    return make_user(username, group=CLINICIANS, **fields)


def make_front_desk(username="frontdesk", **fields):
    return make_user(username, group=FRONT_DESK, **fields)


def make_page(url="/about/", title="About us", content="We are a small practice.", **fields):
    page = FlatPage.objects.create(url=url, title=title, content=content, **fields)
    page.sites.add(Site.objects.get(id=settings.SITE_ID))
    return page
