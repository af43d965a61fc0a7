"""List mail: e-mail to a mailing list's subscribers, known by its List-Unsubscribe header.
It arrives with its headers, leaves the outbox once delivered, is shown in the admin to
superusers only, and can be forgotten for one address without touching its other mail."""

import pytest
from post_office.models import Email

import outbox
from tests.support.factories import make_clinician, make_user
from tests.support.mail import deliver_queued_mail

pytestmark = pytest.mark.django_db

READER = "reader@example.org"
HEADERS = {
    "List-Unsubscribe": "<https://clinic.example/blog/unsubscribe/abc/>",
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
}


def list_mail(to=READER):
    return outbox.send(to, "New article: Rest", "Read it here.", headers=HEADERS)


def test_headers_given_to_send_arrive_as_given():
    list_mail()

    [message] = deliver_queued_mail()

    assert message.extra_headers == HEADERS


def test_list_mail_leaves_the_outbox_once_delivered_and_other_mail_stays():
    list_mail()
    other = outbox.send(READER, "Your call", "See you on Monday.")

    assert len(deliver_queued_mail()) == 2

    assert list(Email.objects.all()) == [other]


def test_forgetting_an_address_s_list_mail_keeps_its_other_mail():
    list_mail()
    list_mail("someone-else@example.org")
    other = outbox.send(READER, "Your call", "See you on Monday.")

    assert outbox.forget(READER, list_mail_only=True) == 1

    assert sorted(Email.objects.values_list("to", flat=True)) == sorted(
        [[READER], ["someone-else@example.org"]]
    )
    assert Email.objects.filter(pk=other.pk).exists()


def test_only_superusers_see_list_mail_in_the_admin(client):
    list_mail()
    outbox.send("staff-visible@example.org", "Your call", "See you on Monday.")

    client.force_login(make_clinician())
    staff_view = client.get("/admin/post_office/email/").content.decode()
    client.force_login(make_user("owner", is_superuser=True))
    owner_view = client.get("/admin/post_office/email/").content.decode()

    assert "staff-visible@example.org" in staff_view and READER not in staff_view
    assert READER in owner_view
