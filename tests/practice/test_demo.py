"""Demo content (`manage.py load_demo`): every page, a series, a draft, a scheduled article;
sign-in users only with DEBUG on."""

from datetime import time

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from blog.demo import POSTS_DIR
from blog.models import Post, Series
from consultations.models import CallTaker, ConsultationRequest, RequestStatus
from pages.demo import ADDRESSES
from pages.models import Page
from tests.support.django_client import let_in, sign_in

pytestmark = pytest.mark.django_db


def test_load_demo_creates_every_editable_page(client):
    call_command("load_demo", stdout=None)

    assert sorted(Page.objects.values_list("address", flat=True)) == sorted(ADDRESSES)
    for address in ADDRESSES:
        assert client.get(f"/pages/{address}/").status_code == 200


def test_load_demo_twice_duplicates_nothing_and_keeps_staff_edits(settings):
    settings.DEBUG = True
    call_command("load_demo")
    Page.objects.filter(address="about").update(body="Edited by a clinician.")

    call_command("load_demo")

    assert Page.objects.count() == len(ADDRESSES)
    assert Post.objects.count() == len(list(POSTS_DIR.glob("*.md")))
    assert sorted(User.objects.values_list("username", flat=True)) == ["dana", "frontdesk", "sam"]
    assert Page.objects.get(address="about").body == "Edited by a clinician."


def test_load_demo_creates_sign_in_users_only_in_debug(settings, client):
    settings.DEBUG = True
    call_command("load_demo")

    dana = User.objects.get(username="dana")
    assert dana.groups.filter(name="Clinicians").exists()
    assert User.objects.get(username="frontdesk").groups.filter(name="Front desk").exists()
    assert let_in(sign_in(client, "dana", "demo-clinician-pass"))


def test_the_demo_front_desk_takes_calls_on_weekdays_so_the_form_offers_times(settings, client):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")  # twice: the hours are not doubled

    hours = CallTaker.objects.get(user__username="frontdesk").weekly_hours.all()
    assert [(h.weekday, h.starts, h.ends) for h in hours] == [
        (day, time(9), time(17)) for day in range(5)
    ]
    assert "Pick a time for our call" in client.get("/consultation/").content.decode()


def test_production_never_gets_demo_users(settings, client):
    settings.DEBUG = False

    call_command("load_demo")

    # Only the demo articles' authors exist, and nobody can sign in as them.
    assert sorted(User.objects.values_list("username", flat=True)) == ["dana", "sam"]
    assert not User.objects.filter(is_staff=True).exists()
    assert not any(user.has_usable_password() for user in User.objects.all())
    assert not let_in(sign_in(client, "dana", "demo-clinician-pass"))


def test_load_demo_adds_a_series_a_draft_and_a_scheduled_article(client):
    call_command("load_demo")

    assert Series.objects.get(slug="understanding-kap").posts.published().count() >= 3
    assert Post.objects.drafts().exists()
    assert Post.objects.scheduled().exists()
    assert client.get("/blog/series/understanding-kap/").status_code == 200
    assert "<img" in client.get("/blog/what-to-expect/").content.decode()


def test_load_demo_keeps_edited_articles(settings):
    call_command("load_demo")
    Post.objects.filter(slug="what-is-kap").update(title="Edited title")

    call_command("load_demo")

    assert Post.objects.get(slug="what-is-kap").title == "Edited title"


def test_the_demo_triage_desk_shows_where_people_are_a_client_and_a_possible_duplicate(
    settings, client
):
    settings.DEBUG = True
    call_command("load_demo")
    requests = ConsultationRequest.objects.all()

    assert not requests.filter(location="").exists()
    client_request = requests.get(status=RequestStatus.BECAME_CLIENT)
    assert client_request.became_client_on < timezone.localdate()
    duplicate = requests.get(possible_duplicate_of__isnull=False)
    assert duplicate.possible_duplicate_of.phone_key == duplicate.phone_key
    assert requests.exclude(heard_about=None).count() >= 3
