import pytest
from django.contrib.auth.models import User
from django.contrib.flatpages.models import FlatPage
from django.core.management import call_command

from practice.demo import PAGE_SLUGS

pytestmark = pytest.mark.django_db


def test_load_demo_creates_every_editable_page(client):
    call_command("load_demo", stdout=None)

    assert sorted(FlatPage.objects.values_list("url", flat=True)) == sorted(
        f"/{slug}/" for slug in PAGE_SLUGS
    )
    for slug in PAGE_SLUGS:
        assert client.get(f"/pages/{slug}/").status_code == 200


def test_load_demo_twice_duplicates_nothing_and_keeps_staff_edits(settings):
    settings.DEBUG = True
    call_command("load_demo")
    FlatPage.objects.filter(url="/about/").update(content="Edited by a clinician.")

    call_command("load_demo")

    assert FlatPage.objects.count() == len(PAGE_SLUGS)
    assert User.objects.count() == 2
    assert FlatPage.objects.get(url="/about/").content == "Edited by a clinician."


def test_load_demo_creates_sign_in_users_only_in_debug(settings, client):
    settings.DEBUG = True
    call_command("load_demo")

    dana = User.objects.get(username="dana")
    assert dana.groups.filter(name="Clinicians").exists()
    assert User.objects.get(username="frontdesk").groups.filter(name="Front desk").exists()
    assert client.login(username="dana", password="demo-clinician-pass")


def test_production_never_gets_demo_users(settings):
    settings.DEBUG = False

    call_command("load_demo")

    assert not User.objects.exists()
