"""Staff sign-in: throttling, two-step sign-in, passwords, sessions and the audit trail."""

import shutil
from datetime import timedelta
from http import HTTPStatus
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.models import AuditAction, AuditEvent
from tests.support.django_client import LOGIN, sign_in
from tests.support.factories import (
    make_clinician,
    make_front_desk,
    make_page,
    make_post,
    make_request,
    png_bytes,
)
from tests.support.subprocess_django import PRODUCTION, migrated_database, run_django

pytestmark = pytest.mark.django_db


# Throttling -----------------------------------------------------------------------------------


def fail_five_times(client, username, **extra):
    for _ in range(5):
        sign_in(client, username, "wrong-password-123", **extra)


def test_five_wrong_passwords_pause_signing_in_with_a_clear_message(client):
    make_front_desk(username="jordan")
    fail_five_times(client, "jordan")

    response = sign_in(client, "jordan")  # even the right password, for now

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "signing in is paused for 15 minutes" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.LOCKED_OUT, username="jordan").exists()


def test_the_pause_ends_after_the_cool_off(client, time_machine):
    make_front_desk(username="jordan")
    time_machine.move_to(timezone.now())
    fail_five_times(client, "jordan")

    time_machine.shift(timedelta(minutes=16))

    assert sign_in(client, "jordan")["Location"] == "/admin/"


def test_an_attacker_elsewhere_cannot_lock_the_real_user_out(client):
    make_front_desk(username="jordan")
    fail_five_times(client, "jordan", REMOTE_ADDR="203.0.113.9")

    response = sign_in(client, "jordan", REMOTE_ADDR="198.51.100.7")

    assert response["Location"] == "/admin/"


def test_wrong_passwords_from_one_ipv6_network_count_together(client, settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    make_front_desk(username="jordan")
    for number in range(1, 13):
        sign_in(client, "jordan", "wrong-password-123", HTTP_X_REAL_IP=f"2001:db8:5:6::{number}")

    response = sign_in(client, "jordan", HTTP_X_REAL_IP="2001:db8:5:6:ffff::1")
    elsewhere = sign_in(client, "jordan", HTTP_X_REAL_IP="2001:db8:5:7::1")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert elsewhere["Location"] == "/admin/"  # another network is not locked out
    # The audit trail keeps each real address.
    failed = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED)
    assert "2001:db8:5:6::12" in set(failed.values_list("address", flat=True))


def test_a_forged_forwarding_header_does_not_reset_the_count(client):
    make_front_desk(username="jordan")
    for number in range(5):
        sign_in(client, "jordan", "wrong-password-123", HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")

    response = sign_in(client, "jordan", HTTP_X_FORWARDED_FOR="10.0.0.99")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_the_trusted_proxy_header_gives_the_address(client, settings):
    settings.CLIENT_IP_HEADER = "X-Real-IP"
    make_front_desk(username="jordan")
    fail_five_times(client, "jordan", HTTP_X_REAL_IP="203.0.113.9")

    response = sign_in(client, "jordan", HTTP_X_REAL_IP="198.51.100.7")

    assert response["Location"] == "/admin/"
    assert (
        AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED, address="203.0.113.9").count()
        == 5
    )


# Two-step sign-in -----------------------------------------------------------------------------


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.two_factor
def test_a_password_alone_does_not_open_the_admin(client):
    make_front_desk(username="jordan")

    sign_in(client, "jordan")
    response = client.get("/admin/")

    assert response.status_code == HTTPStatus.FOUND
    follow = client.get(response["Location"])
    assert follow["Location"].startswith("/admin/two-factor/")
    assert client.get("/admin/consultations/consultationrequest/").status_code == 302


@pytest.mark.two_factor
def test_first_sign_in_sets_up_an_app_with_a_qr_code_and_gives_recovery_codes(client):
    user = make_front_desk(username="jordan")
    sign_in(client, "jordan")

    setup = client.get("/admin/two-factor/setup/")
    assert setup.status_code == HTTPStatus.OK
    html = setup.content.decode()
    assert "<svg" in html and "QR code for your authenticator app" in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    done = client.post("/admin/two-factor/setup/", {"code": code_for(device), "next": "/admin/"})

    assert done.status_code == HTTPStatus.OK
    assert len(done.context["codes"]) == 10
    assert client.get("/admin/").status_code == HTTPStatus.OK
    assert AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_ENROLLED, user=user).exists()


@pytest.mark.two_factor
def test_later_sign_ins_ask_for_a_code_and_refuse_a_wrong_one(client, time_machine):
    user = make_front_desk(username="jordan")
    time_machine.move_to(timezone.now())
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "jordan")

    wrong = client.post("/admin/two-factor/", {"code": "000000"})
    assert "That code did not work" in wrong.content.decode()
    assert client.get("/admin/").status_code == HTTPStatus.FOUND

    # django-otp pauses a device briefly after a wrong code; let that pause pass.
    time_machine.shift(timedelta(seconds=30))
    right = client.post("/admin/two-factor/", {"code": code_for(device), "next": "/admin/"})
    assert right["Location"] == "/admin/"
    assert client.get("/admin/").status_code == HTTPStatus.OK


@pytest.mark.two_factor
def test_where_staff_were_going_survives_the_second_step(client):
    user = make_front_desk(username="jordan")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "jordan")
    going_to = "/admin/consultations/consultationrequest/?status__exact=new&overdue=yes"

    to_sign_in = client.get(going_to)
    to_second_step = client.get(to_sign_in["Location"])
    form = client.get(to_second_step["Location"])
    verified = client.post(to_second_step["Location"], {"code": code_for(device)})

    assert form.context["next"] == going_to
    assert verified["Location"] == going_to


@pytest.mark.two_factor
def test_a_recovery_code_works_once(client):
    user = make_front_desk(username="jordan")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    recovery = user.staticdevice_set.create(name="Recovery codes")
    StaticToken.objects.create(device=recovery, token="abcd1234")

    sign_in(client, "jordan")
    assert client.post("/admin/two-factor/", {"code": "abcd1234"})["Location"] == "/admin/"
    client.post("/admin/logout/")
    sign_in(client, "jordan")
    again = client.post("/admin/two-factor/", {"code": "abcd1234"})

    assert again.status_code == HTTPStatus.OK
    assert "That code did not work" in again.content.decode()


@pytest.mark.two_factor
def test_only_the_owner_can_reset_someones_two_step_sign_in(client, admin_user):
    user = make_front_desk(username="jordan")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user)
    client.post("/admin/two-factor/", {"code": code_for(device)})
    assert client.get("/admin/otp_totp/totpdevice/").status_code == HTTPStatus.FORBIDDEN

    admin_user.totpdevice_set.create(name="owner phone", confirmed=True)
    client.force_login(admin_user)
    owner_device = admin_user.totpdevice_set.get()
    client.post("/admin/two-factor/", {"code": code_for(owner_device)})
    client.post(
        "/admin/otp_totp/totpdevice/",
        {"action": "delete_selected", "_selected_action": [device.pk], "post": "yes"},
    )

    assert not TOTPDevice.objects.filter(user=user).exists()


@pytest.fixture
def password_only(client):
    """A clinician enrolled in two-step sign-in, in a new session that knows only the password."""
    user = make_clinician(username="dana")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    sign_in(client, "dana")
    return SimpleNamespace(client=client, device=device)


def verify(password_only):
    password_only.client.post("/admin/two-factor/", {"code": code_for(password_only.device)})


@pytest.mark.two_factor
def test_a_password_alone_does_not_show_a_draft(password_only):
    draft = make_post(title="Unfinished thoughts", published_at=None)

    refused = password_only.client.get(draft.get_absolute_url())
    verify(password_only)
    allowed = password_only.client.get(draft.get_absolute_url())

    assert refused.status_code == HTTPStatus.NOT_FOUND
    assert "Unfinished thoughts" not in refused.content.decode()
    assert allowed.status_code == HTTPStatus.OK
    assert "Draft preview" in allowed.content.decode()


@pytest.mark.two_factor
def test_a_password_alone_does_not_reach_the_editor_preview(password_only):
    refused = password_only.client.post("/editor/preview/", {"content": "**hello**"})
    verify(password_only)
    allowed = password_only.client.post("/editor/preview/", {"content": "**hello**"})

    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert allowed.content.decode() == "<p><strong>hello</strong></p>\n"


@pytest.mark.two_factor
def test_a_password_alone_uploads_nothing(password_only, settings):
    def upload():
        image = SimpleUploadedFile("lamp.png", png_bytes(), content_type="image/png")
        return password_only.client.post("/editor/upload/", {"image": image})

    refused = upload()
    stored_after_refusal = list(Path(settings.MEDIA_ROOT).rglob("*.png"))
    verify(password_only)
    allowed = upload()

    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert stored_after_refusal == []
    assert allowed.status_code == HTTPStatus.OK
    assert len(list(Path(settings.MEDIA_ROOT).rglob("*.png"))) == 1


@pytest.mark.two_factor
def test_a_password_alone_does_not_open_a_staff_only_page(password_only):
    make_page(address="handbook", title="Staff handbook", staff_only=True)

    refused = password_only.client.get("/pages/handbook/")
    verify(password_only)
    allowed = password_only.client.get("/pages/handbook/")

    assert refused.status_code == HTTPStatus.FOUND
    assert refused["Location"].startswith("/admin/login/?next=/pages/handbook/")
    assert allowed.status_code == HTTPStatus.OK
    assert "Staff handbook" in allowed.content.decode()
    assert "no-store" in allowed["Cache-Control"]


def test_visitors_are_sent_to_sign_in_for_a_staff_only_page(client):
    make_page(address="handbook", title="Staff handbook", staff_only=True)

    response = client.get("/pages/handbook/")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/admin/login/?next=/pages/handbook/"


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated SQLite file, made once for this module (tests change copies)."""
    return migrated_database(tmp_path_factory.mktemp("migrated"))


@pytest.mark.parametrize(
    ("env", "required"),
    [
        (PRODUCTION, True),
        ({"DJANGO_DEBUG": "1"}, False),
        ({**PRODUCTION, "DJANGO_REQUIRE_2FA": "0"}, False),
    ],
)
def test_two_step_sign_in_is_required_in_production_by_default(env, required, migrated, tmp_path):
    # Under the settings as deployed (not the tests'): a clinician signs in with a password
    # and asks for the editor's preview, which needs a fully signed-in clinician.
    database = tmp_path / "site.sqlite3"
    shutil.copy(migrated.removeprefix("sqlite:///"), database)
    code = (
        "from django.contrib.auth.models import Group, User\n"
        "from django.test import Client\n"
        "from staff.roles import CLINICIANS\n"
        "dana = User.objects.create_user('dana', password='harbor-violin-tangerine-41',"
        " is_staff=True)\n"
        "dana.groups.add(Group.objects.get(name=CLINICIANS))\n"
        "client = Client(HTTP_X_FORWARDED_PROTO='https')\n"
        "signed_in = client.post(\n"
        "    '/admin/login/',\n"
        "    {'username': 'dana', 'password': 'harbor-violin-tangerine-41', 'next': '/admin/'},\n"
        ")\n"
        "preview = client.post('/editor/preview/', {'content': '**hello**'})\n"
        "result = [signed_in.status_code, preview.status_code]"
    )

    result = run_django(
        code, DATABASE_URL=f"sqlite:///{database}", DJANGO_ALLOWED_HOSTS="testserver", **env
    )

    assert result == [HTTPStatus.FOUND, HTTPStatus.FORBIDDEN if required else HTTPStatus.OK]


# Passwords and sessions -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "short-pw-1",
        "password1234",
        "Ketamine-Spring-2026",
        "clearwater!!sunrise",
        "MyTherapy#Room77",
    ],
)
def test_weak_and_guessable_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password, User(username="jordan"))


def test_a_long_unrelated_password_is_accepted():
    validate_password("harbor-violin-tangerine-41", User(username="jordan"))


def test_a_staff_session_ends_after_a_working_day_of_eight_hours(client, time_machine):
    make_front_desk(username="jordan")
    time_machine.move_to(timezone.now())
    sign_in(client, "jordan")

    time_machine.shift(timedelta(hours=7, minutes=59))
    late_in_the_day = client.get("/admin/")
    time_machine.shift(timedelta(minutes=2))  # eight hours and a minute after signing in
    next_morning = client.get("/admin/")

    assert late_in_the_day.status_code == HTTPStatus.OK
    assert next_morning.status_code == HTTPStatus.FOUND
    assert next_morning["Location"].startswith(LOGIN)


def test_the_staff_session_cookie_ends_when_the_browser_closes(client):
    make_front_desk(username="jordan")

    response = sign_in(client, "jordan")

    cookie = response.cookies["sessionid"]
    assert cookie.value
    # A browser keeps a cookie with neither Max-Age nor Expires only until it is closed.
    assert (cookie["max-age"], cookie["expires"]) == ("", "")


def test_signing_out_ends_the_session_for_good(client):
    make_front_desk(username="jordan")
    sign_in(client, "jordan")
    old_session = client.cookies["sessionid"].value

    client.post("/admin/logout/")
    client.cookies["sessionid"] = old_session

    assert client.get("/admin/").status_code == HTTPStatus.FOUND


def test_signing_in_gives_a_new_session_key(client):
    make_front_desk(username="jordan")
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key

    sign_in(client, "jordan")

    assert client.cookies["sessionid"].value != before


# Audit trail ----------------------------------------------------------------------------------

CANARY = "Canary Q. Visitor"


def test_sign_ins_and_failures_are_recorded_with_user_and_address(client):
    user = make_front_desk(username="jordan")

    sign_in(client, "jordan", "wrong-password-123", REMOTE_ADDR="198.51.100.7")
    sign_in(client, "jordan", REMOTE_ADDR="198.51.100.7")

    failed = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    signed_in = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert (failed.username, failed.address) == ("jordan", "198.51.100.7")
    assert (signed_in.user, signed_in.address) == (user, "198.51.100.7")


def test_viewing_changing_exporting_and_deleting_a_request_are_recorded(client, admin_client):
    desk = make_front_desk(username="jordan")
    request = make_request(name=CANARY)
    url = f"/admin/consultations/consultationrequest/{request.pk}/change/"
    client.force_login(desk)

    client.get(url)
    client.post(
        "/admin/consultations/consultationrequest/",
        {"action": "mark_scheduled", "_selected_action": [request.pk]},
    )
    client.post(
        "/admin/consultations/consultationrequest/",
        {"action": "export_csv", "_selected_action": [request.pk]},
    )
    admin_client.post(
        f"/admin/consultations/consultationrequest/{request.pk}/delete/", {"post": "yes"}
    )

    trail = list(
        AuditEvent.objects.filter(request_id=request.pk)
        .order_by("pk")
        .values_list("action", "username")
    )
    assert trail == [
        (AuditAction.VIEW_REQUEST, "jordan"),
        (AuditAction.CHANGE_REQUEST, "jordan"),
        (AuditAction.EXPORT_REQUEST, "jordan"),
        (AuditAction.DELETE_REQUEST, "admin"),
    ]
    assert not any(CANARY in str(event.detail) for event in AuditEvent.objects.all())


def test_front_desk_sees_who_opened_and_changed_a_request(client):
    clinician = make_clinician(username="dana")
    request = make_request()
    client.force_login(clinician)
    client.get(f"/admin/consultations/consultationrequest/{request.pk}/change/")
    client.force_login(make_front_desk(username="jordan"))

    html = client.get(
        f"/admin/consultations/consultationrequest/{request.pk}/change/"
    ).content.decode()

    assert "Who has opened or changed this request" in html
    assert "dana · Viewed request" in html


@pytest.mark.parametrize("separator", ["\n", "\r", "\u2028", "\x1b[2K\r"])
def test_a_sign_in_name_cannot_start_a_forged_audit_line(client, caplog, separator):
    caplog.set_level("INFO", logger="staff.audit")
    forged = f"nobody{separator}INFO staff.audit: sign_in user=owner address=203.0.113.1"

    sign_in(client, forged, "wrong-password-123")

    (line,) = [record.getMessage() for record in caplog.records if record.name == "staff.audit"]
    assert line.startswith("sign_in_failed user=nobody\\")
    assert line.isprintable()  # no line break, carriage return or terminal control left
    assert AuditEvent.objects.get().username == forged  # the trail itself keeps what was typed


def test_no_log_line_ever_holds_visitor_data(client, caplog, settings):
    caplog.set_level("DEBUG")
    settings.CONSULTATION_MIN_FILL_SECONDS = 0
    settings.CONSULTATION_NOTIFY_EMAILS = ["desk@example.com"]
    from consultations import abuse

    client.post(
        "/consultation/",
        {
            "name": CANARY,
            "phone": "(555) 010-4321",
            "email": "canary@example.org",
            "location": "OR",
            "age": "adult",
            "preferred_contact": "phone",
            "message": "canary message text",
            "consent": "on",
            "form_token": abuse.new_form_token(),
        },
    )
    request = make_request(name=CANARY, phone="(555) 010-4321")
    client.force_login(make_front_desk(username="jordan"))
    client.get(f"/admin/consultations/consultationrequest/{request.pk}/change/")
    client.post(
        "/admin/consultations/consultationrequest/",
        {"action": "export_csv", "_selected_action": [request.pk]},
    )

    assert "staff.audit" in caplog.text
    for canary in [CANARY, "010-4321", "canary@example.org", "canary message text"]:
        assert canary not in caplog.text
