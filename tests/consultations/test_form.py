"""The public form: what a visitor types, what we keep, what we refuse and how we say so."""

import subprocess
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core import signing
from django.utils import timezone

from consultations import abuse
from consultations.forms import CONSENT_VERSION
from consultations.models import ConsultationRequest
from tests.support.mail import deliver_queued_mail
from tests.support.subprocess_django import PRODUCTION, run_django

pytestmark = pytest.mark.django_db

URL = "/consultation/"


@pytest.fixture(autouse=True)
def _no_waiting(settings):
    settings.CONSULTATION_MIN_FILL_SECONDS = 0


def form_data(**overrides):
    data = {
        "name": "Sam",
        "phone": "(555) 010-0199",
        "email": "",
        "location": "OR",
        "age": "adult",
        "preferred_contact": "phone",
        "best_times": ["morning", "evening"],
        "voicemail_ok": "on",
        "message": "",
        "consent": "on",
        "source": "",
        "website": "",
        "form_token": abuse.new_form_token(),
    }
    data.update(overrides)
    return data


def test_form_page_shows_the_crisis_notice_first_and_is_never_cached(client):
    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    assert html.index("This form is not for emergencies") < html.index("<form")
    assert 'call or text <a href="tel:988">988</a> (Suicide &amp; Crisis Lifeline)' in html


def test_a_valid_request_is_stored_and_the_visitor_thanked(client):
    response = client.post(URL, form_data(source="what-is-kap"))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/consultation/thanks/"
    request = ConsultationRequest.objects.get()
    assert (request.name, request.phone, request.status) == ("Sam", "(555) 010-0199", "new")
    assert request.best_times == ["morning", "evening"]
    assert request.voicemail_ok is True
    assert request.source == "what-is-kap"
    assert request.consent_version == CONSENT_VERSION
    assert request.consented_at is not None


def test_thank_you_page_says_what_happens_next_and_carries_no_visitor_data(client):
    client.post(URL, form_data(name="Unmistakable Canary"))

    response = client.get("/consultation/thanks/")

    html = response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "This request is not for emergencies." in html
    assert 'call or text <a href="tel:988">988</a>' in html
    assert "within 24 business hours" in html  # the target, until there are calls to measure
    assert "(555) 010-0142" in html
    assert "Unmistakable Canary" not in html


def test_from_parameter_prefills_the_hidden_source(client):
    html = client.get(URL, {"from": "what-is-kap"}).content.decode()

    assert 'name="source" value="what-is-kap"' in html


@pytest.mark.parametrize("source", ["<script>", "a b", "x" * 300, "../etc"])
def test_a_strange_source_is_dropped_not_shown_as_an_error(client, source):
    response = client.post(URL, form_data(source=source))

    assert response.status_code == HTTPStatus.FOUND
    assert ConsultationRequest.objects.get().source == ""


@pytest.mark.parametrize(
    "name", ["José", "Nguyễn Thị", "张伟", "محمد", "O'Brien", "Z", "Anne-Marie de la Cruz"]
)
def test_names_in_any_script_are_accepted(client, name):
    assert client.post(URL, form_data(name=name)).status_code == HTTPStatus.FOUND
    assert ConsultationRequest.objects.get().name == name


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Sam\u202e", "Sam"),  # right-to-left override
        ("S\u200bam", "Sam"),  # zero-width space
        ("\u2066Sam\u2069", "Sam"),  # isolates
        ("\ufeffSam", "Sam"),  # byte-order mark
    ],
)
def test_invisible_disguising_characters_are_stripped(client, typed, stored):
    client.post(URL, form_data(name=typed, message=f"hello{typed}"))

    request = ConsultationRequest.objects.get()
    assert request.name == stored
    assert request.message == f"hello{stored}"


def test_an_email_with_a_zero_width_space_is_cleaned_not_refused(client):
    client.post(URL, form_data(email="sam\u200b@example.com"))

    assert ConsultationRequest.objects.get().email == "sam@example.com"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Please tell us what to call you."),
        ({"name": "Sam\nSmith"}, "name", "Please write your name on one line."),
        ({"name": "Sam\rSmith"}, "name", "Please write your name on one line."),
        ({"name": "Sam\x00"}, "name", "Null characters are not allowed."),
        ({"name": "Sam\x07"}, "name", "This contains characters we cannot store."),
        ({"name": "x" * 101}, "name", "Ensure this value has at most 100 characters"),
        ({"phone": "", "email": ""}, "phone", "Please give us a phone number or an e-mail"),
        ({"phone": "call me"}, "phone", "Please enter a phone number with its area code"),
        ({"phone": "12345"}, "phone", "Please enter a phone number with its area code"),
        ({"email": "not-an-address"}, "email", "Please check your e-mail address"),
        ({"preferred_contact": "email"}, "email", "Please add your e-mail address"),
        ({"phone": "", "email": "sam@example.com"}, "phone", "Please add your phone number"),
        ({"message": "x" * 1001}, "message", "Please keep your message to 1,000 characters"),
        ({"message": "hi\x1b[31m"}, "message", "This contains characters we cannot store."),
        ({"consent": ""}, "consent", "Please tick the consent box"),
        ({"preferred_contact": "pigeon"}, "preferred_contact", "Select a valid choice."),
        ({"best_times": ["midnight"]}, "best_times", "Select a valid choice."),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_lost(
    client, overrides, field, message
):
    data = form_data(message="Please call after 4.")
    data.update(overrides)

    response = client.post(URL, data)

    assert response.status_code == HTTPStatus.OK
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert not ConsultationRequest.objects.exists()
    html = response.content.decode()
    assert "Everything you typed is still here." in html
    if field != "name":
        assert 'value="Sam"' in html  # what was typed is kept
    if field != "message":
        assert "Please call after 4." in html


def test_a_phone_number_with_an_extension_is_accepted(client):
    client.post(URL, form_data(phone="+1 555 010 0199 ext. 12"))

    assert ConsultationRequest.objects.get().phone == "+1 555 010 0199 ext. 12"


def test_a_huge_body_is_a_clear_400_not_a_500(client):
    response = client.post(URL, form_data(message="x" * 5_000_000))  # the limit is 4 MB

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not ConsultationRequest.objects.exists()


def test_consent_is_unticked_when_the_form_is_first_shown(client):
    html = client.get(URL).content.decode()

    assert 'name="consent"' in html
    checkbox = html[html.index('name="consent"') - 200 : html.index('name="consent"') + 200]
    assert "checked" not in checkbox


# Anti-abuse ---------------------------------------------------------------------------------


def test_a_filled_honeypot_is_thanked_and_nothing_is_stored(client, mailoutbox, settings):
    settings.CONSULTATION_NOTIFY_EMAILS = ["desk@example.com"]

    response = client.post(URL, form_data(website="http://spam.example"))
    deliver_queued_mail()

    assert response["Location"] == "/consultation/thanks/"
    assert not ConsultationRequest.objects.exists()
    assert mailoutbox == []


def test_a_form_sent_too_fast_is_thanked_and_nothing_is_stored(client, settings):
    settings.CONSULTATION_MIN_FILL_SECONDS = 3

    response = client.post(URL, form_data())

    assert response["Location"] == "/consultation/thanks/"
    assert not ConsultationRequest.objects.exists()


def test_a_form_filled_at_human_speed_is_accepted(client, settings, time_machine):
    settings.CONSULTATION_MIN_FILL_SECONDS = 3
    time_machine.move_to(timezone.now())
    shown = client.get(URL).context["form"]["form_token"].value()

    time_machine.shift(10)  # ten seconds of typing
    client.post(URL, form_data(form_token=shown))

    assert ConsultationRequest.objects.count() == 1


FORGED_TOKENS = {
    "missing": lambda: "",
    "forged": lambda: "forged",
    "other-salt": lambda: signing.dumps({"id": "0" * 32, "shown": 0}, salt="other"),
}


@pytest.mark.parametrize("kind", FORGED_TOKENS)
def test_a_missing_or_forged_token_is_treated_as_a_bot(client, kind):
    response = client.post(URL, form_data(form_token=FORGED_TOKENS[kind]()))

    assert response["Location"] == "/consultation/thanks/"
    assert not ConsultationRequest.objects.exists()


def test_an_expired_form_asks_to_send_again_and_keeps_everything(client, time_machine):
    token = abuse.new_form_token()
    time_machine.move_to(timezone.now() + timedelta(seconds=abuse.TOKEN_MAX_AGE + 60))

    response = client.post(URL, form_data(form_token=token, name="Kept Name"))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "This form was open for more than a day" in html
    assert 'value="Kept Name"' in html
    assert not ConsultationRequest.objects.exists()
    assert (
        client.post(
            URL, form_data(form_token=response.context["form"].data["form_token"])
        ).status_code
        == HTTPStatus.FOUND
    )


def test_the_same_form_sent_twice_makes_one_request_and_both_see_thanks(client):
    data = form_data()

    first = client.post(URL, data)
    second = client.post(URL, data)

    assert first["Location"] == second["Location"] == "/consultation/thanks/"
    assert ConsultationRequest.objects.count() == 1


def test_the_rate_limit_stops_the_sixth_request_in_an_hour_and_keeps_its_text(client, settings):
    settings.CONSULTATION_RATE_LIMIT = "5/h"
    for _ in range(5):
        assert client.post(URL, form_data()).status_code == HTTPStatus.FOUND

    response = client.post(URL, form_data(name="Sixth"))

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    html = response.content.decode()
    assert "several requests from your connection" in html
    assert "(555) 010-0142" in html
    assert 'value="Sixth"' in html
    assert ConsultationRequest.objects.count() == 5


def test_the_rate_limit_counts_each_address_separately(client, settings):
    settings.CONSULTATION_RATE_LIMIT = "1/h"
    client.post(URL, form_data(), REMOTE_ADDR="192.0.2.1")

    response = client.post(URL, form_data(), REMOTE_ADDR="192.0.2.2")

    assert response.status_code == HTTPStatus.FOUND
    assert ConsultationRequest.objects.count() == 2


def test_the_rate_limit_counts_one_ipv6_network_as_one_visitor(client, settings):
    # One home or phone gets a whole /64; a new address per request must not reset the count.
    settings.CONSULTATION_RATE_LIMIT = "5/h"
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    statuses = [
        client.post(URL, form_data(), HTTP_X_REAL_IP=f"2001:db8:1:2::{number:x}").status_code
        for number in range(1, 9)
    ]
    elsewhere = client.post(URL, form_data(), HTTP_X_REAL_IP="2001:db8:1:3::1")

    assert statuses == [HTTPStatus.FOUND] * 5 + [HTTPStatus.TOO_MANY_REQUESTS] * 3
    assert elsewhere.status_code == HTTPStatus.FOUND  # the next /64 is someone else
    assert ConsultationRequest.objects.count() == 6


def test_an_ipv4_visitor_written_as_ipv6_is_the_same_visitor(client, settings):
    settings.CONSULTATION_RATE_LIMIT = "1/h"
    client.post(URL, form_data(), REMOTE_ADDR="192.0.2.1")

    response = client.post(URL, form_data(), REMOTE_ADDR="::ffff:192.0.2.1")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_the_rate_limit_can_be_turned_off(client, settings):
    settings.CONSULTATION_RATE_LIMIT = "0"

    for _ in range(7):
        client.post(URL, form_data())

    assert ConsultationRequest.objects.count() == 7


def test_the_address_itself_is_never_stored(client):
    client.post(URL, form_data(), REMOTE_ADDR="198.51.100.23")

    request = ConsultationRequest.objects.get()
    assert "198.51.100.23" not in str(list(ConsultationRequest.objects.values().get().values()))
    assert len(request.client_key) == 40


def test_a_mistyped_rate_limit_stops_the_site_at_start_up():
    with pytest.raises(subprocess.CalledProcessError) as failure:
        run_django("result = 1", CONSULTATION_RATE_LIMIT="five an hour", **PRODUCTION)

    assert "CONSULTATION_RATE_LIMIT must look like 5/h" in failure.value.stderr
