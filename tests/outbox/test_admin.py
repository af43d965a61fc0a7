"""Staff and queued mail: the count on the admin home, requeueing what failed, and visitor
mail's bodies hidden from everyone but superusers."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from post_office.models import STATUS, Email

import outbox
from outbox.checks import mail_is_sent_in_production
from outbox.models import StoredFile
from staff.roles import CLINICIANS, FRONT_DESK
from tests.support.factories import make_clinician, make_front_desk, make_user
from tests.support.mail import deliver_queued_mail

pytestmark = pytest.mark.django_db

LIST = "/admin/post_office/email/"
VISITOR_TEXT = "canary-message-text from Canary Namesake"


def change_url(message):
    return f"{LIST}{message.pk}/change/"


@pytest.fixture
def desk(client):
    client.force_login(make_front_desk())
    return client


def visitor_mail():
    return outbox.send(
        "visitor@example.org",
        "Your consultation call",
        VISITOR_TEXT,
        attachments=[("call.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")],
        holds_visitor_data=True,
    )


def failed(message):
    Email.objects.filter(pk=message.pk).update(status=STATUS.failed)
    return message


def test_both_roles_may_see_queued_mail_and_its_attempts():
    for role in (CLINICIANS, FRONT_DESK):
        codenames = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))
        assert {"view_email", "view_log"} <= codenames
        assert not {"change_email", "delete_email"} & codenames


def test_the_admin_home_counts_failed_and_waiting_mail_with_links_to_the_list(desk):
    failed(outbox.send("desk@example.com", "One", "Text."))
    outbox.send("desk@example.com", "Two", "Text.")
    outbox.send("desk@example.com", "Three", "Text.")
    deliver_queued_mail()
    failed(outbox.send("desk@example.com", "Four", "Text."))
    outbox.send("desk@example.com", "Five", "Text.")

    html = desk.get("/admin/").content.decode()

    assert f'href="{LIST}?status__exact=1"><strong>2</strong> failed</a>' in html
    assert f'href="{LIST}?status__in=2,3"><strong>1</strong> waiting</a>' in html
    failed_list = desk.get(f"{LIST}?status__exact=1").content.decode()
    assert "One" in failed_list and "Four" in failed_list
    assert "Two" not in failed_list and "Five" not in failed_list


def test_staff_without_the_permission_see_no_mail_count(client):
    client.force_login(make_user("writer"))  # staff, in no group

    response = client.get("/admin/")

    assert "Outgoing mail" not in response.content.decode()
    assert client.get(LIST).status_code == HTTPStatus.FORBIDDEN


def test_front_desk_requeues_failed_mail_and_it_goes_with_the_next_pass(desk):
    stuck = failed(outbox.send("desk@example.com", "Stuck", "Text."))
    sent = outbox.send("desk@example.com", "Went", "Text.")
    deliver_queued_mail()

    response = desk.post(
        LIST, {"action": "requeue", "_selected_action": [stuck.pk, sent.pk]}, follow=True
    )

    assert "1 requeued" in response.content.decode()
    assert "1 left alone: only failed e-mails can be requeued" in response.content.decode()
    assert [m.subject for m in deliver_queued_mail()] == ["Went", "Stuck"]  # "Went" once


def test_visitor_mail_bodies_are_shown_to_superusers_only(desk, admin_client):
    message = visitor_mail()
    notice = outbox.send("desk@example.com", "New consultation request", "Open it in the admin.")

    for_desk = desk.get(change_url(message)).content.decode()
    for_owner = admin_client.get(change_url(message)).content.decode()

    assert VISITOR_TEXT not in for_desk
    assert "call.ics" not in for_desk
    assert "Hidden: this message holds what a visitor wrote" in for_desk
    assert "visitor@example.org" in for_desk  # who and when stay visible
    assert VISITOR_TEXT in for_owner
    assert "call.ics" in for_owner
    # Mail without visitor data is readable by both roles.
    assert "Open it in the admin." in desk.get(change_url(notice)).content.decode()
    clinician = make_clinician()
    desk.force_login(clinician)
    assert VISITOR_TEXT not in desk.get(change_url(message)).content.decode()


def test_the_html_preview_of_visitor_mail_is_refused_to_other_staff(desk, admin_client):
    message = visitor_mail()
    Email.objects.filter(pk=message.pk).update(html_message=f"<p>{VISITOR_TEXT}</p>")
    preview = f"{LIST}{message.pk}/preview/"

    assert desk.get(preview).status_code == HTTPStatus.FORBIDDEN
    assert VISITOR_TEXT in admin_client.get(preview).content.decode()


def test_once_sent_a_visitors_message_is_erased_for_everyone(admin_client):
    message = visitor_mail()
    deliver_queued_mail()

    html = admin_client.get(change_url(message)).content.decode()

    assert VISITOR_TEXT not in html
    assert "Body and attachments erased after delivery" in html


def test_the_owner_deleting_a_failed_visitor_message_deletes_its_attachments(admin_client):
    message = failed(visitor_mail())
    other = outbox.send(
        "desk@example.com", "Staff copy", "Text.", attachments=[("a.txt", b"a", "text/plain")]
    )

    response = admin_client.post(f"{LIST}{message.pk}/delete/", {"post": "yes"})

    assert response.status_code == HTTPStatus.FOUND
    assert list(Email.objects.all()) == [other]
    assert StoredFile.objects.count() == 1  # the other message's only


def test_the_admin_cannot_send_around_the_outbox(admin_client, mailoutbox):
    # post-office's Resend sent from the admin at once, past the claim and the erasing.
    message = visitor_mail()

    admin_client.get(f"{LIST}{message.pk}/resend/", follow=True)

    assert mailoutbox == []
    assert Email.objects.get().status == STATUS.queued
    assert "/resend/" not in admin_client.get(change_url(message)).content.decode()


def test_production_without_an_smtp_server_is_warned_about(settings):
    settings.DEBUG = False
    settings.POST_OFFICE = {
        **settings.POST_OFFICE,
        "BACKENDS": {"default": "django.core.mail.backends.console.EmailBackend"},
    }
    assert [warning.id for warning in mail_is_sent_in_production(None)] == ["outbox.W001"]

    settings.POST_OFFICE["BACKENDS"]["default"] = "django.core.mail.backends.smtp.EmailBackend"
    assert mail_is_sent_in_production(None) == []
    call_command("check", "--deploy", "--tag", "outbox")  # registered for --deploy
