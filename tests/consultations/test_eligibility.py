"""Who the practice can see: the form's first question (where the visitor will be, and whether
they are 18 or older), the kind page for those it cannot see, which keeps nothing but a count
per day, and the referrals staff choose for it."""

import io
import threading
from datetime import datetime
from http import HTTPStatus
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import close_old_connections
from django.utils import timezone
from post_office.models import Email

from blog.models import Author
from consultations import abuse, demo, eligibility, reports
from consultations.models import (
    ConsultationRequest,
    HeardAbout,
    Referral,
    TurnedAway,
    TurnedAwayDay,
)
from tests.support.factories import make_clinician, make_front_desk, make_request
from tests.support.mail import deliver_queued_mail

pytestmark = pytest.mark.django_db

URL = "/consultation/"
KIND_PAGE = "consultations/not_a_fit_here.html"
PACIFIC = ZoneInfo("America/Los_Angeles")


@pytest.fixture(autouse=True)
def _no_waiting(settings):
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    settings.CONSULTATION_NOTIFY_EMAILS = ["desk@example.com"]
    settings.CONSULTATION_STATES = []


@pytest.fixture
def oregon_and_washington():
    """A clinician licensed in Oregon and Washington, as typed in their author profile."""
    licensed("dana", "Oregon and wa")


def licensed(username, states):
    user = make_clinician(username)
    Author.objects.filter(user=user).update(licensed_states=states)
    return user


def form_data(**overrides):
    data = {
        "location": "OR",
        "age": "adult",
        "name": "Sam",
        "phone": "(555) 010-0199",
        "email": "sam@example.com",
        "preferred_contact": "phone",
        "consent": "on",
        "website": "",
        "form_token": abuse.new_form_token(),
    }
    data.update(overrides)
    return data


def turned_away_counts():
    return dict(TurnedAwayDay.objects.values_list("reason", "count"))


def template_names(response):
    return [template.name for template in response.templates]


def every_models_rows():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


# Which states ---------------------------------------------------------------------------------


def test_the_states_served_are_those_the_clinicians_are_licensed_in(settings):
    settings.CONSULTATION_STATES = ["California"]
    licensed("dana", "Oregon, Washington")
    licensed("sam", "OR and Idaho")

    assert eligibility.served_states() == {"OR", "WA", "ID"}


def test_until_a_profile_lists_states_the_setting_says_which(settings):
    settings.CONSULTATION_STATES = ["Oregon", "WA"]
    make_clinician("dana")  # no licensed states typed yet

    assert eligibility.served_states() == {"OR", "WA"}


def test_with_no_states_anywhere_nobody_is_turned_away_for_where_they_are():
    assert eligibility.served_states() == set()
    assert eligibility.turned_away("TX", adult=True) is None
    assert eligibility.turned_away("outside", adult=True) is None


@pytest.mark.parametrize(
    ("place", "adult", "reason"),
    [
        ("OR", True, None),
        ("WA", True, None),
        ("TX", True, TurnedAway.OUTSIDE_STATES),
        ("outside", True, TurnedAway.OUTSIDE_STATES),
        ("OR", False, TurnedAway.UNDER_18),
        ("TX", False, TurnedAway.UNDER_18),  # the young person's page suits them better
        (None, False, TurnedAway.UNDER_18),  # place not said: under 18 decides alone
        ("TX", None, TurnedAway.OUTSIDE_STATES),  # age not said: the place decides alone
        (None, True, None),  # the form asks for the place
        (None, None, None),
    ],
)
def test_who_is_turned_away_and_why(oregon_and_washington, place, adult, reason):
    assert eligibility.turned_away(place, adult) == reason


def test_licensed_states_accept_names_and_codes_in_any_case():
    author = Author.objects.get(user=make_clinician("dana"))
    author.licensed_states = "OR and wa"

    author.full_clean()

    assert eligibility.served_states() == set()  # not saved yet
    author.save()
    assert eligibility.served_states() == {"OR", "WA"}


def test_an_unknown_state_in_a_profile_gets_a_clear_error():
    author = Author.objects.get(user=make_clinician("dana"))
    author.licensed_states = "Oregon, Cascadia"

    with pytest.raises(ValidationError) as error:
        author.full_clean()

    assert "Not a US state we know: Cascadia." in str(error.value.message_dict["licensed_states"])


# The form ---------------------------------------------------------------------------------------


def test_the_first_question_is_where_the_visitor_will_be_then_their_age(client):
    html = client.get(URL).content.decode()

    form = html[html.index("<form") :]
    assert form.index('name="location"') < form.index('name="age"') < form.index('name="name"')
    assert "Where will you be during your sessions?" in form
    assert '<option value="" selected>Choose a state</option>' in form
    assert '<option value="OR">Oregon</option>' in form
    assert '<option value="outside">Outside the US</option>' in form
    assert "I am 18 or older" in form and "I am under 18" in form
    assert 'type="checkbox" name="age"' not in form


def test_the_form_says_which_states_are_served(client, oregon_and_washington):
    html = client.get(URL).content.decode()

    assert "Our clinicians are licensed in Oregon and Washington" in html


def test_a_served_state_stores_the_request_with_where_they_will_be(client, oregon_and_washington):
    response = client.post(URL, form_data(location="WA"))

    assert response.status_code == HTTPStatus.FOUND
    assert ConsultationRequest.objects.get().location == "WA"
    assert turned_away_counts() == {}


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"location": ""}, "location", "Please tell us where you will be during your sessions."),
        ({"location": "XX"}, "location", "Please choose a state from the list"),
        ({"age": ""}, "age", "Please tell us whether you are 18 or older."),
        ({"age": "maybe"}, "age", "Please tell us whether you are 18 or older."),
    ],
)
def test_a_missing_answer_gets_a_clear_error_and_keeps_what_was_typed(
    client, oregon_and_washington, answers, field, message
):
    response = client.post(URL, form_data(name="Unhurried Sam", **answers))

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert message in response.context["form"].errors[field][0]
    assert 'value="Unhurried Sam"' in html
    assert not ConsultationRequest.objects.exists()
    assert turned_away_counts() == {}


def test_outside_the_us_gets_the_kind_page_and_nothing_is_stored(client, oregon_and_washington):
    response = client.post(URL, form_data(location="outside"))

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK  # answered directly: no address to log
    assert KIND_PAGE in template_names(response)
    assert "no-store" in response["Cache-Control"]
    assert "We can only see people in Oregon and Washington" in html
    assert "You told us you will be outside the US" in html
    assert "Sam" not in html and "sam@example.com" not in html
    assert not ConsultationRequest.objects.exists()
    assert turned_away_counts() == {TurnedAway.OUTSIDE_STATES: 1}


def test_a_state_not_served_gets_the_kind_page(client, oregon_and_washington):
    response = client.post(URL, form_data(location="TX"))

    assert KIND_PAGE in template_names(response)
    assert "You told us you will be in Texas" in response.content.decode()
    assert not ConsultationRequest.objects.exists()
    assert turned_away_counts() == {TurnedAway.OUTSIDE_STATES: 1}


def test_a_state_not_in_the_setting_is_turned_away_when_no_profile_lists_states(client, settings):
    settings.CONSULTATION_STATES = ["Oregon"]

    client.post(URL, form_data(location="WA"))
    client.post(URL, form_data(location="OR"))

    assert ConsultationRequest.objects.get().location == "OR"
    assert turned_away_counts() == {TurnedAway.OUTSIDE_STATES: 1}


def test_without_any_states_set_every_place_is_accepted(client):
    client.post(URL, form_data(location="outside"))
    client.post(URL, form_data(location="TX"))

    assert sorted(ConsultationRequest.objects.values_list("location", flat=True)) == [
        "TX",
        "outside",
    ]
    assert turned_away_counts() == {}


def test_under_18_gets_the_young_persons_page_even_with_no_states_set(client):
    response = client.post(URL, form_data(age="under_18"))

    html = response.content.decode()
    assert KIND_PAGE in template_names(response)
    assert "We see adults only" in html
    assert "school counselor" in html
    assert 'href="tel:988"' in html
    assert not ConsultationRequest.objects.exists()
    assert turned_away_counts() == {TurnedAway.UNDER_18: 1}


def test_being_turned_away_is_decided_before_other_mistakes_are_pointed_out(
    client, oregon_and_washington
):
    response = client.post(
        URL, form_data(location="outside", name="", phone="", email="no", consent="")
    )

    assert KIND_PAGE in template_names(response)
    assert turned_away_counts() == {TurnedAway.OUTSIDE_STATES: 1}


def test_a_bot_saying_it_is_under_18_is_thanked_and_not_counted(client):
    response = client.post(URL, form_data(age="under_18", website="http://spam.test"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/consultation/thanks/"
    assert turned_away_counts() == {}


def test_the_kind_page_keeps_nothing_but_the_days_count_and_sends_no_mail(
    client, oregon_and_washington, django_capture_on_commit_callbacks
):
    make_request()  # something in the tables already
    before = every_models_rows()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, form_data(location="outside"))

    after = every_models_rows()
    changed = {label for label in after if after[label] != before[label]}
    assert changed == {"consultations.TurnedAwayDay"}
    assert Email.objects.count() == 0
    assert deliver_queued_mail() == []
    assert list(TurnedAwayDay.objects.values_list("count", flat=True)) == [1]


def test_how_they_heard_about_us_is_optional_and_stored(client):
    answer = HeardAbout.objects.filter(is_active=True).first()
    retired = HeardAbout.objects.create(name="A poster at the bus stop", is_active=False)

    html = client.get(URL).content.decode()
    client.post(URL, form_data(heard_about=answer.pk))
    client.post(URL, form_data())

    assert "How did you hear about us?" in html
    assert '<option value="" selected>— (optional)</option>' in html
    assert answer.name in html and retired.name not in html
    assert html.index('name="heard_about"') < html.index('name="consent"')
    assert sorted(ConsultationRequest.objects.values_list("heard_about", flat=True), key=str) == [
        answer.pk,
        None,
    ]


# Referrals --------------------------------------------------------------------------------------


def make_referral(name, **fields):
    defaults = {"offers": "Therapy", "serves": "Online", "phone": "(555) 010-0160"}
    return Referral.objects.create(name=name, **defaults | fields)


def names(referrals):
    return [referral.name for referral in referrals]


def test_referrals_are_chosen_for_the_place_and_kept_in_the_practices_order():
    make_referral("Everywhere", position=3)
    make_referral("Texas and Idaho", shown_for=["TX", "ID"], position=1)
    make_referral("Abroad", shown_for=["outside"], position=2)
    make_referral("Switched off", is_active=False)
    make_referral("For teens", shown_to_under_18=True, position=4)

    assert names(eligibility.referrals("TX", TurnedAway.OUTSIDE_STATES)) == [
        "Texas and Idaho",
        "Everywhere",
        "For teens",
    ]
    assert names(eligibility.referrals("outside", TurnedAway.OUTSIDE_STATES)) == [
        "Abroad",
        "Everywhere",
        "For teens",
    ]
    assert names(eligibility.referrals("CA", TurnedAway.OUTSIDE_STATES)) == [
        "Everywhere",
        "For teens",
    ]


def test_under_18_see_only_referrals_for_young_people_where_they_are():
    make_referral("For adults")
    make_referral("Teens anywhere", shown_to_under_18=True)
    make_referral("Teens in Oregon", shown_to_under_18=True, shown_for=["OR"])

    assert names(eligibility.referrals("OR", TurnedAway.UNDER_18)) == [
        "Teens anywhere",
        "Teens in Oregon",
    ]
    assert names(eligibility.referrals("TX", TurnedAway.UNDER_18)) == ["Teens anywhere"]
    assert names(eligibility.referrals(None, TurnedAway.UNDER_18)) == ["Teens anywhere"]


def test_the_kind_page_lists_referrals_with_phone_and_web_address(client, oregon_and_washington):
    make_referral(
        "Riverbend Online Therapy",
        offers="Video therapy for adults",
        serves="Online, across the US",
        phone="(555) 010-0160",
        web_address="https://riverbend.example/start/",
    )
    make_referral("Not for Texas", shown_for=["ID"])

    html = client.post(URL, form_data(location="TX")).content.decode()

    assert "<h3>Riverbend Online Therapy</h3>" in html
    assert "Video therapy for adults" in html
    assert "Where they serve: Online, across the US" in html
    assert '<a class="standalone-link" href="tel:+15550100160">Call (555) 010-0160</a>' in html
    assert 'href="https://riverbend.example/start/">riverbend.example/start/</a>' in html
    assert "Not for Texas" not in html
    assert "Psychology Today" in html  # and a general pointer too


def test_with_no_referral_to_show_the_page_points_to_general_help(client, oregon_and_washington):
    html = client.post(URL, form_data(location="TX")).content.decode()

    assert "Others who may be able to help" not in html
    assert "Psychology Today" in html
    assert 'href="tel:+18006624357"' in html  # SAMHSA's helpline


@pytest.mark.parametrize(
    ("phone", "href"),
    [
        ("(555) 010-0160", "tel:+15550100160"),
        ("1-800-662-4357", "tel:+18006624357"),
        ("+44 20 7946 0000", "tel:+442079460000"),
        ("988", "tel:988"),
    ],
)
def test_a_referrals_phone_is_a_number_a_phone_can_call(phone, href):
    assert Referral(phone=phone).phone_href() == href


# Counting ---------------------------------------------------------------------------------------


def test_visits_are_counted_per_day_in_the_practices_time_zone():
    # 11 pm in Oregon is already the next day in UTC: it counts for the Oregon date.
    with time_machine.travel(datetime(2026, 12, 1, 23, 0, tzinfo=PACIFIC), tick=False):
        eligibility.count_visit(TurnedAway.OUTSIDE_STATES)
        eligibility.count_visit(TurnedAway.UNDER_18)
    with time_machine.travel(datetime(2026, 12, 2, 9, 0, tzinfo=PACIFIC), tick=False):
        eligibility.count_visit(TurnedAway.OUTSIDE_STATES)
        eligibility.count_visit(TurnedAway.OUTSIDE_STATES)

    rows = TurnedAwayDay.objects.order_by("day", "reason").values_list("day", "reason", "count")
    assert [(str(day), reason, count) for day, reason, count in rows] == [
        ("2026-12-01", "outside_states", 1),
        ("2026-12-01", "under_18", 1),
        ("2026-12-02", "outside_states", 2),
    ]


# serialized_rollback: the rows made by data migrations (roles, answers) come back after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_visits_counted_at_the_same_moment_are_each_counted():
    def visit():
        try:
            eligibility.count_visit(TurnedAway.OUTSIDE_STATES)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=visit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert TurnedAwayDay.objects.get().count == 8


def test_the_weekly_report_shows_the_visits_turned_away(client):
    today = timezone.localdate()
    TurnedAwayDay.objects.create(day=today, reason=TurnedAway.OUTSIDE_STATES, count=3)
    TurnedAwayDay.objects.create(day=today, reason=TurnedAway.UNDER_18, count=2)
    client.force_login(make_front_desk())

    response = client.get("/admin/consultations/consultationrequest/report/")

    this_week = response.context["rows"][-1]
    assert (this_week["outside_states"], this_week["under_18"]) == (3, 2)
    assert sum(row["outside_states"] for row in response.context["rows"]) == 3
    html = response.content.decode()
    assert "Turned away: outside our states" in html
    assert "<td>3</td><td>2</td></tr>" in html


def test_weekly_figures_put_each_days_count_in_its_week():
    with time_machine.travel(datetime(2026, 12, 3, 12, 0, tzinfo=PACIFIC), tick=False):
        TurnedAwayDay.objects.create(day="2026-11-30", reason=TurnedAway.UNDER_18, count=1)
        TurnedAwayDay.objects.create(day="2026-11-29", reason=TurnedAway.UNDER_18, count=4)
        rows = reports.weekly_figures()

    assert [row["under_18"] for row in rows[-2:]] == [4, 1]  # Sunday, then this week's Monday


# Admin ------------------------------------------------------------------------------------------


def test_staff_add_a_referral_shown_for_chosen_places(client):
    client.force_login(make_front_desk())

    response = client.post(
        "/admin/consultations/referral/add/",
        {
            "name": "Lantern Teen Counseling",
            "offers": "Counseling for teens",
            "serves": "Online, across the US",
            "phone": "(555) 010-0170",
            "web_address": "",
            "shown_to_under_18": "on",
            "shown_for": ["OR", "outside"],
            "position": "1",
            "is_active": "on",
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    referral = Referral.objects.get()
    assert (referral.shown_for, referral.shown_to_under_18) == (["OR", "outside"], True)
    listing = client.get("/admin/consultations/referral/").content.decode()
    assert "Oregon, Outside the US" in listing


def test_a_referral_for_an_unknown_place_or_without_phone_or_web_address_is_refused(client):
    client.force_login(make_front_desk())
    data = {"name": "X", "offers": "Y", "serves": "Z", "position": "0", "is_active": "on"}

    response = client.post(
        "/admin/consultations/referral/add/", data | {"shown_for": ["XX"], "phone": ""}
    )

    errors = response.context["adminform"].form.errors
    assert "Select a valid choice. XX is not one of the available choices." in errors["shown_for"]
    assert "Give a phone number or a web address (or both)." in errors["__all__"]
    assert not Referral.objects.exists()


# The demo ---------------------------------------------------------------------------------------


def test_the_demo_serves_where_its_clinicians_are_licensed_and_lists_made_up_referrals(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())  # twice: nothing doubled

    assert eligibility.served_states() == {"OR", "WA"}
    assert Referral.objects.count() == len(demo.REFERRALS)
    assert all("(demo)" in name for name in Referral.objects.values_list("name", flat=True))
    assert names(eligibility.referrals("outside", TurnedAway.OUTSIDE_STATES)) == [
        "Harbourline International Counselling (demo)"
    ]
    assert names(eligibility.referrals("TX", TurnedAway.UNDER_18)) == [
        "Lantern Teen and Family Counseling (demo)"
    ]


def test_the_demo_lists_no_made_up_referrals_outside_debug(settings):
    settings.DEBUG = False
    call_command("load_demo", stdout=io.StringIO())

    assert not Referral.objects.exists()
