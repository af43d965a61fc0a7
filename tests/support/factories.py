"""Plain helpers that make valid objects; override any field by keyword."""

import uuid
from datetime import time, timedelta
from io import BytesIO
from itertools import count

from django.contrib.auth.models import Group, User
from django.utils import timezone
from django.utils.text import slugify
from PIL import Image

from blog.models import Author, Post, Series, Topic
from consultations.forms import CONSENT_VERSION
from consultations.models import CallTaker, ConsultationRequest, WeeklyHours
from pages.models import Page
from staff.roles import CLINICIANS, FRONT_DESK

PASSWORD = "a-long-test-password-9431"


def make_user(username="staff", group=None, **fields):
    user = User.objects.create_user(username=username, password=PASSWORD, is_staff=True, **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def make_clinician(username="clinician", byline=None, **fields):
    """A clinician with an author profile (so articles can be credited to them), whose byline
    is `byline` (default: from the username)."""
    user = make_user(username, group=CLINICIANS, **fields)
    make_author(user, byline or username.title())
    return user


def make_author(user, display_name):
    slug = slugify(display_name.split(",")[0].split()[0])  # "Dana Reyes, LCSW" -> dana
    if Author.objects.filter(slug=slug).exists():  # another Dana (the demo's, say)
        slug = f"{slug}-{user.username}"
    return Author.objects.create(user=user, display_name=display_name, slug=slug)


def make_front_desk(username="frontdesk", **fields):
    return make_user(username, group=FRONT_DESK, **fields)


def png_bytes(size=(40, 30), **save_options):
    """A small, valid PNG image."""
    buffer = BytesIO()
    Image.new("RGB", size, "#5f7f7a").save(buffer, "PNG", **save_options)
    return buffer.getvalue()


def make_page(address="about", title="About us", body="We are a small practice.", **fields):
    return Page.objects.create(address=address, title=title, body=body, **fields)


def make_series(title="Understanding KAP", slug=None, **fields):

    return Series.objects.create(title=title, slug=slug or slugify(title), **fields)


def make_topic(name="Getting started", **fields):

    return Topic.objects.create(name=name, slug=slugify(name), **fields)


_post_numbers = count(1)


def make_post(**overrides):
    """A live post by default, approved as if reviewed (is_approved=False: waiting for review);
    pass published_at=None for a draft, a future time to schedule."""

    number = next(_post_numbers)
    fields = {
        "title": f"Article {number}",
        "slug": f"article-{number}",
        "summary": f"What article {number} is about.",
        "body": f"## Part of the story\n\nThe text of article {number}.",
        "published_at": timezone.now() - timedelta(days=number),
        "is_approved": True,
    }
    fields.update(overrides)
    if "author" not in fields:
        fields["author"], created = User.objects.get_or_create(username="writer")
        if created:
            make_author(fields["author"], "Dana Reyes, LCSW")
    topics = fields.pop("topics", [])
    post = Post(**fields)
    post.full_clean()
    post.save()
    post.topics.set(topics)
    return post


_request_numbers = count(1)


def make_request(**overrides):
    """A consultation request as the public form would store it (status New by default)."""
    number = next(_request_numbers)
    fields = {
        "name": f"Visitor {number}",
        "phone": "(555) 010-0100",
        "consent_version": CONSENT_VERSION,
        "consented_at": timezone.now(),
        "submission_token": uuid.uuid4(),
        "client_key": "test-client",
    }
    fields.update(overrides)
    return ConsultationRequest.objects.create(**fields)


def make_call_taker(user=None, hours=((9, 17),), weekdays=range(5)):
    """Someone who takes calls (a new front-desk member by default), with the same hours on
    each of `weekdays` (0 is Monday): `hours` is ((from, to), …) in whole hours."""
    user = user or make_front_desk(username=f"caller{next(_request_numbers)}")
    taker = CallTaker.objects.create(user=user)
    WeeklyHours.objects.bulk_create(
        WeeklyHours(taker=taker, weekday=day, starts=time(starts), ends=time(ends))
        for day in weekdays
        for starts, ends in hours
    )
    return taker


def post_form(**overrides):
    """What the add/change form posts, for a valid live article."""
    now = timezone.localtime()
    data = {
        "title": "Breathing before a session",
        "slug": "breathing-before-a-session",
        "summary": "A short exercise.",
        "body": "## Breathe\n\nIn for four, out for six.",
        "published_at_0": now.strftime("%Y-%m-%d"),
        "published_at_1": now.strftime("%H:%M:%S"),
        "series": "",
        "series_position": "",
        "cover_image_alt": "",
        "seo_title": "",
        "seo_description": "",
        # The related reading table (blog/related_admin.py): none chosen.
        "related_choices-TOTAL_FORMS": "0",
        "related_choices-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data
