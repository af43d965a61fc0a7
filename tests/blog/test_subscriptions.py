"""Readers' e-mail: "E-mail me when the next part is out" and "E-mail me new articles".

Double opt-in, one e-mail per article per reader (never for an edit), one-click unsubscribe,
no tracking, and who may see the addresses. Several processes announcing at once:
tests/end_to_end/test_article_mail_processes.py.
"""

import importlib
import io
import re
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from post_office.models import Email

import outbox
from blog import subscriptions
from blog.models import Announcement, Post, Subscriber
from tests.support.factories import make_clinician, make_front_desk, make_post, make_series
from tests.support.mail import deliver_queued_mail

pytestmark = pytest.mark.django_db

READER = "reader@example.org"
LINK = re.compile(r"https?://\S+")


def ask(client, email=READER, series=None, **extra):
    path = "/blog/subscribe/" + (f"?series={series.slug}" if series else "")
    return client.post(path, {"email": email, "website": "", **extra})


def links_in(message):
    return LINK.findall(message.body)


def confirm_link(message):
    return next(link for link in links_in(message) if "/subscribe/confirm/" in link)


def path_of(link):
    return "/" + link.split("/", 3)[3]


def subscribed(client, email=READER, series=None):
    """Ask, then follow the link in the confirmation e-mail, as a reader does."""
    mail.outbox.clear()
    ask(client, email, series)
    client.post(path_of(confirm_link(deliver_queued_mail()[-1])))  # the page's button
    mail.outbox.clear()
    return Subscriber.objects.get(email=email, series=series)


def send_article_mail():
    output = io.StringIO()
    call_command("send_article_mail", stdout=output)
    return output.getvalue()


def announce():
    send_article_mail()
    return deliver_queued_mail()


def series_with_a_part():
    """A series readers can see: its first part came out a month ago."""
    series = make_series()
    make_post(series=series, series_position=1, published_at=timezone.now() - timedelta(days=30))
    return series


def just_published(**fields):
    return make_post(published_at=timezone.now() - timedelta(minutes=1), **fields)


# --- Double opt-in ---------------------------------------------------------------------------


def test_asking_stores_an_unconfirmed_address_and_sends_only_the_confirmation(client):
    series = series_with_a_part()

    response = ask(client, " Reader@Example.ORG ", series)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/blog/subscribe/sent/"
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.series, subscriber.confirmed_at) == (READER, series, None)
    sent = deliver_queued_mail()
    assert [message.to for message in sent] == [[READER]]
    assert "/blog/subscribe/confirm/" in sent[0].body
    assert "Check your e-mail" in client.get("/blog/subscribe/sent/").content.decode()


def test_nothing_but_the_confirmation_goes_to_an_address_that_did_not_confirm(client):
    ask(client)
    deliver_queued_mail()
    mail.outbox.clear()

    just_published()

    assert announce() == []


def test_opening_the_link_only_asks_and_the_button_confirms(client):
    ask(client)
    link = path_of(confirm_link(deliver_queued_mail()[0]))

    opened = client.get(link)  # as a mail system's link checker would, too
    assert Subscriber.objects.get().confirmed_at is None
    assert "Yes, e-mail me" in opened.content.decode()
    first = client.post(link)
    again = client.post(link)

    assert first.status_code == again.status_code == HTTPStatus.OK
    assert "you are subscribed" in again.content.decode()
    assert "you are subscribed" in client.get(link).content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.confirmed_at is not None
    assert subscriber.asked_at is None  # kept only while unconfirmed


def test_confirming_an_address_deleted_meanwhile_says_the_link_does_not_work(client):
    ask(client)
    link = path_of(confirm_link(deliver_queued_mail()[0]))
    client.get(link)
    Subscriber.objects.all().delete()  # the 7 days ran out while the page was open

    response = client.post(link)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not Subscriber.objects.exists()


def test_a_confirmation_link_works_for_seven_days_only(client):
    ask(client)
    link = path_of(confirm_link(deliver_queued_mail()[0]))

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = client.post(link)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "This link does not work" in response.content.decode()
    assert Subscriber.objects.get().confirmed_at is None


def test_unconfirmed_addresses_are_deleted_after_seven_days(client):
    ask(client, "late@example.org")
    deliver_queued_mail()
    confirmed = subscribed(client)

    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        send_article_mail()
        assert Subscriber.objects.count() == 2
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        send_article_mail()

    assert list(Subscriber.objects.all()) == [confirmed]


def test_asking_again_looks_the_same_and_sends_nothing_new_to_a_confirmed_address(client):
    subscribed(client)

    response = ask(client)

    assert response["Location"] == "/blog/subscribe/sent/"
    assert deliver_queued_mail() == []
    assert Subscriber.objects.count() == 1


def test_asking_again_resends_the_link_at_most_once_an_hour(client):
    ask(client)
    ask(client)
    assert len(deliver_queued_mail()) == 1

    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        ask(client)

    assert len(deliver_queued_mail()) == 2
    assert Subscriber.objects.count() == 1


def test_a_bot_filling_in_the_hidden_field_is_thanked_and_nothing_is_kept(client):
    response = ask(client, website="https://spam.example")

    assert response["Location"] == "/blog/subscribe/sent/"
    assert not Subscriber.objects.exists()
    assert deliver_queued_mail() == []


def test_one_connection_may_send_the_form_ten_times_an_hour(client):
    for number in range(10):
        assert ask(client, f"reader{number}@example.org").status_code == HTTPStatus.FOUND

    response = ask(client, "one-more@example.org")

    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "Too many requests" in response.content.decode()
    assert not Subscriber.objects.filter(email="one-more@example.org").exists()


def test_a_mistyped_address_is_shown_again_with_the_error(client):
    response = ask(client, "reader@example,org")

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors["email"]
    assert not Subscriber.objects.exists()


def test_the_form_for_a_series_nobody_can_read_is_not_found(client):
    make_series(title="Not out yet")

    assert client.get("/blog/subscribe/?series=not-out-yet").status_code == HTTPStatus.NOT_FOUND


# --- Announcing ------------------------------------------------------------------------------


def test_an_article_going_live_is_emailed_once_to_each_confirmed_reader(client):
    subscribed(client, "one@example.org")
    subscribed(client, "two@example.org")
    post = just_published(title="Sleep and healing", summary="Why rest matters.")

    said = send_article_mail()
    sent = deliver_queued_mail()
    again = announce()

    assert sorted(message.to[0] for message in sent) == ["one@example.org", "two@example.org"]
    assert again == sent  # nothing more was delivered
    message = sent[0]
    assert message.subject == "New article: Sleep and healing"
    assert "Sleep and healing" in message.body
    assert "Why rest matters." in message.body
    assert f"{settings.PRACTICE_URL}/blog/{post.slug}/" in links_in(message)
    assert Announcement.objects.get(post=post).recipients == 2
    assert f"Article #{post.pk} announced: 2 e-mail(s) queued." in said


def test_a_process_that_finds_the_article_announced_meanwhile_queues_nothing(client):
    subscribed(client)
    post = just_published()
    assert subscriptions.announce(post) == 1  # another process, a moment earlier

    said = send_article_mail()  # its list of articles was read before that one committed
    late = subscriptions.announce(post)

    assert late is None
    assert "0 article(s) announced, 0 by another process" in said
    assert Email.objects.count() == 1


def test_series_readers_hear_of_their_series_and_new_article_readers_of_everything(client):
    series = series_with_a_part()
    subscribed(client, "series@example.org", series)
    subscribed(client, "all@example.org")
    just_published(title="Outside any series")
    just_published(title="Part two", series=series, series_position=2)

    sent = announce()

    assert sorted((m.to[0], m.subject) for m in sent) == [
        ("all@example.org", "New article: Outside any series"),
        ("all@example.org", "New in “Understanding KAP”: Part two"),
        ("series@example.org", "New in “Understanding KAP”: Part two"),
    ]


def test_a_reader_of_both_the_series_and_new_articles_gets_one_email(client):
    series = series_with_a_part()
    subscribed(client, READER, series)
    subscribed(client)
    just_published(series=series, series_position=2)

    sent = announce()

    assert len(sent) == 1
    assert "Understanding KAP" in sent[0].body and "new articles" in sent[0].body


def test_a_scheduled_article_is_announced_at_its_time_not_before(client):
    subscribed(client)
    goes_live = timezone.now() + timedelta(hours=2)
    post = make_post(published_at=goes_live)

    with time_machine.travel(goes_live - timedelta(minutes=1)):
        assert announce() == []
    with time_machine.travel(goes_live + timedelta(minutes=1)):
        sent = announce()

    assert [m.subject for m in sent] == [f"New article: {post.title}"]


def test_an_edit_of_a_live_article_sends_nothing(client):
    subscribed(client)
    post = just_published()
    assert len(announce()) == 1

    post.title = "A better title"
    post.body += "\n\nOne more paragraph."
    post.save()

    assert len(announce()) == 1  # still only the first


def test_drafts_and_articles_waiting_for_review_are_not_announced_until_they_are_live(client):
    subscribed(client)
    make_post(published_at=None)
    waiting = just_published(is_approved=False)

    assert announce() == []

    Post.objects.filter(pk=waiting.pk).update(is_approved=True)
    assert [m.subject for m in announce()] == [f"New article: {waiting.title}"]


def test_an_article_whose_publication_time_is_over_a_week_old_is_never_announced(client):
    subscribed(client)
    make_post(published_at=timezone.now() - timedelta(days=8))  # imported from the old site

    assert announce() == []


def test_articles_live_before_readers_could_subscribe_are_never_announced(client):
    live = make_post(published_at=timezone.now() - timedelta(hours=1))
    scheduled = make_post(published_at=timezone.now() + timedelta(hours=1))
    waiting = make_post(published_at=timezone.now() - timedelta(hours=1), is_approved=False)
    migration = importlib.import_module("blog.migrations.0009_subscriptions")

    migration.already_live_articles_are_announced(apps, None)

    assert set(Announcement.objects.values_list("post", flat=True)) == {live.pk}
    subscribed(client)
    Post.objects.filter(pk=waiting.pk).update(is_approved=True)
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        assert sorted(m.subject for m in announce()) == sorted(
            [f"New article: {scheduled.title}", f"New article: {waiting.title}"]
        )


# --- What every e-mail carries ---------------------------------------------------------------


def test_every_email_has_one_click_unsubscribe_headers_and_a_plain_link(client):
    ask(client)
    confirmation = deliver_queued_mail()[-1]
    subscribed(client, "other@example.org")
    just_published()
    announcement = announce()[-1]

    for message in (confirmation, announcement):
        link = re.fullmatch(r"<(.+)>", message.extra_headers["List-Unsubscribe"]).group(1)
        assert link.startswith(f"{settings.PRACTICE_URL}/blog/unsubscribe/")
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert link in links_in(message)  # the plain link in the text too


def test_emails_are_plain_text_with_no_images_and_links_as_they_are(client):
    subscribed(client)
    post = just_published()

    message = announce()[0]

    # No HTML part: nothing to load, nothing to track.
    assert (message.content_subtype, getattr(message, "alternatives", [])) == ("plain", [])
    assert "<img" not in message.body
    assert set(links_in(message)) == {
        f"{settings.PRACTICE_URL}{post.get_absolute_url()}",
        message.extra_headers["List-Unsubscribe"].strip("<>"),
    }


# --- Unsubscribing ---------------------------------------------------------------------------


def unsubscribe_link(message):
    return path_of(message.extra_headers["List-Unsubscribe"].strip("<>"))


def test_one_click_unsubscribe_deletes_the_address_in_one_post(client):
    subscribed(client)
    just_published()
    link = unsubscribe_link(announce()[0])
    mail_program = Client(enforce_csrf_checks=True)  # no cookie, no token: RFC 8058's POST

    response = mail_program.post(link, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == HTTPStatus.OK
    assert not Subscriber.objects.exists()
    assert "You are unsubscribed" in response.content.decode()


def test_opening_the_unsubscribe_link_only_asks(client):
    subscribed(client)
    just_published()
    link = unsubscribe_link(announce()[0])

    response = client.get(link)

    assert response.status_code == HTTPStatus.OK
    assert Subscriber.objects.count() == 1
    html = response.content.decode()
    assert "Stop the e-mails" in html and 'method="post"' in html


def test_unsubscribing_from_a_reader_of_both_stops_both(client):
    series = series_with_a_part()
    subscribed(client, READER, series)
    subscribed(client)
    just_published(series=series, series_position=2)
    link = unsubscribe_link(announce()[0])

    client.post(link)

    assert not Subscriber.objects.exists()


def test_a_made_up_unsubscribe_link_changes_nothing(client):
    subscribed(client)

    response = client.post("/blog/unsubscribe/WzFd:made-up:signature/")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert Subscriber.objects.count() == 1


def test_unsubscribing_deletes_reader_mail_still_queued_but_no_other_mail(client):
    subscribed(client)
    just_published()
    send_article_mail()  # queued, not delivered
    other = outbox.send(READER, "Your consultation call", "See you on Monday.")
    announcement = Email.objects.exclude(pk=other.pk).get()
    link = path_of(re.search(r"<(.+)>", announcement.headers["List-Unsubscribe"]).group(1))

    client.post(link)

    assert list(Email.objects.all()) == [other]


def test_delivered_reader_mail_leaves_the_outbox(client):
    subscribed(client)
    just_published()

    sent = announce()

    assert len(sent) == 1
    assert not Email.objects.exists()  # the confirmation and the announcement, both gone


# --- Public pages ----------------------------------------------------------------------------


def test_articles_series_and_list_link_to_the_form_without_a_form_of_their_own(client):
    series = series_with_a_part()
    part = just_published(series=series, series_position=2)
    alone = just_published()

    pages = {
        part.get_absolute_url(): "/blog/subscribe/?series=understanding-kap",
        series.get_absolute_url(): "/blog/subscribe/?series=understanding-kap",
        alone.get_absolute_url(): '/blog/subscribe/"',
        "/blog/": '/blog/subscribe/"',
    }
    for path, link in pages.items():
        html = client.get(path).content.decode()
        assert link in html, path
        assert "csrfmiddlewaretoken" not in html, path
    assert (
        "E-mail me when the next part is out"
        in client.get(series.get_absolute_url()).content.decode()
    )
    assert "E-mail me new articles" in client.get("/blog/").content.decode()


def test_the_form_page_is_never_cached_and_says_what_is_kept(client):
    series = series_with_a_part()
    just_published(series=series, series_position=2)

    response = client.get(f"/blog/subscribe/?series={series.slug}")

    assert response.status_code == HTTPStatus.OK
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    html = response.content.decode()
    assert "csrfmiddlewaretoken" in html
    assert "We keep only your address, what you asked for and when you confirmed" in html
    assert '<label for="id_email">Your e-mail address' in html


# --- Who sees what in the admin --------------------------------------------------------------


def test_only_the_owner_sees_the_addresses(client):
    subscribed(client)
    owner = make_clinician("owner", is_superuser=True)
    staff = [make_clinician(), make_front_desk()]

    client.force_login(owner)
    assert READER in client.get("/admin/blog/subscriber/").content.decode()
    for user in staff:
        client.force_login(user)
        assert client.get("/admin/blog/subscriber/").status_code == HTTPStatus.FORBIDDEN
        assert READER not in client.get("/admin/").content.decode()


def test_staff_see_how_many_readers_get_what_on_the_admin_home(client):
    series = series_with_a_part()
    subscribed(client, "a@example.org", series)
    subscribed(client, "b@example.org")
    ask(client, "c@example.org")
    client.force_login(make_front_desk())

    html = client.get("/admin/").content.decode()

    assert "Readers who get new articles by e-mail" in html
    assert "New articles: <strong>1</strong> confirmed · <strong>1</strong> waiting" in html
    assert "“Understanding KAP”: <strong>1</strong> confirmed</p>" in html
    assert "See their addresses" not in html


def test_staff_never_see_reader_mail_in_the_outbox(client):
    ask(client)  # the confirmation waits in the outbox
    client.force_login(make_clinician())

    html = client.get("/admin/post_office/email/").content.decode()

    assert READER not in html


def test_the_owner_deleting_an_address_deletes_its_queued_mail(client):
    ask(client)
    owner = make_clinician("owner", is_superuser=True)
    client.force_login(owner)
    subscriber = Subscriber.objects.get()

    client.post(f"/admin/blog/subscriber/{subscriber.pk}/delete/", {"post": "yes"})

    assert not Subscriber.objects.exists()
    assert not Email.objects.exists()
