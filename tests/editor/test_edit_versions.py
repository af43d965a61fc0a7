"""Two clinicians editing one article or page: the second save is refused and both texts kept."""

import threading
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client

from blog.models import Post
from pages.models import Page
from tests.support.factories import make_clinician, make_page, make_post, post_form

pytestmark = pytest.mark.django_db


def article_form(post, **changes):
    return post_form(
        title=post.title,
        slug=post.slug,
        author=post.author_id,
        opened_version=post.edit_version,
        **changes,
    )


def signed_in(username, full_name=""):
    client = Client()
    first, _, last = full_name.partition(" ")
    client.force_login(make_clinician(username=username, first_name=first, last_name=last))
    return client


def test_every_save_moves_the_version_on():
    post = make_post()
    first = post.edit_version
    post.save()
    assert post.edit_version == first + 1
    assert Post.objects.get(pk=post.pk).edit_version == first + 1


def test_the_second_of_two_saves_opened_at_one_version_is_refused_with_both_texts_kept():
    post = make_post(body="The text as it was.")
    dana, sam = signed_in("dana", "Dana Reyes"), signed_in("sam")
    url = f"/admin/blog/post/{post.pk}/change/"
    dana_form = article_form(post, body="Dana's new paragraph.")
    sam_form = article_form(post, body="Sam's rewrite, an hour of work.")

    assert dana.post(url, dana_form).status_code == HTTPStatus.FOUND
    refused = sam.post(url, sam_form)

    assert refused.status_code == HTTPStatus.OK
    post.refresh_from_db()
    assert post.body == "Dana's new paragraph."  # nothing of Sam's replaced it
    html = refused.content.decode()
    assert "Not saved: Dana Reyes saved this article at" in html
    assert "Saved meanwhile by Dana Reyes" in html
    form = refused.context["adminform"].form
    assert form["body"].value() == "Sam's rewrite, an hour of work."  # Sam's text, intact
    assert form["saved_meanwhile"].value() == "Dana's new paragraph."  # and Dana's, to read


def test_saving_again_after_seeing_the_conflict_goes_through():
    post = make_post()
    dana, sam = signed_in("dana"), signed_in("sam")
    url = f"/admin/blog/post/{post.pk}/change/"
    dana.post(url, article_form(post, body="Dana's words."))
    refused = sam.post(url, article_form(post, body="Dana's words. Sam's words."))

    # The refused page carries the version it showed; saving from it is a deliberate choice.
    again = refused.context["adminform"].form["opened_version"].value()
    saved = sam.post(
        url, article_form(post, body="Dana's words. Sam's words.") | {"opened_version": again}
    )

    assert saved.status_code == HTTPStatus.FOUND
    post.refresh_from_db()
    assert post.body == "Dana's words. Sam's words."


def test_a_change_form_without_its_version_is_refused():
    post = make_post(body="Kept.")
    data = article_form(post, body="Replaced?")
    del data["opened_version"]

    response = signed_in("dana").post(f"/admin/blog/post/{post.pk}/change/", data)

    assert response.status_code == HTTPStatus.OK
    assert "did not say which version it was opened at" in response.content.decode()
    post.refresh_from_db()
    assert post.body == "Kept."


def test_pages_are_checked_the_same_way():
    page = make_page(body="Our fees.")
    opened = page.edit_version
    dana, sam = signed_in("dana"), signed_in("sam")
    url = f"/admin/pages/page/{page.pk}/change/"
    form = {"title": page.title, "address": page.address, "opened_version": opened}

    assert dana.post(url, form | {"body": "Dana's fees."}).status_code == HTTPStatus.FOUND
    refused = sam.post(url, form | {"body": "Sam's fees."})

    assert refused.status_code == HTTPStatus.OK
    assert "Not saved: dana saved this page at" in refused.content.decode()
    assert Page.objects.get(pk=page.pk).body == "Dana's fees."


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_saves_at_the_same_instant_cannot_both_win():
    post = make_post(body="Before.")
    url = f"/admin/blog/post/{post.pk}/change/"
    clients = [signed_in("dana"), signed_in("sam")]
    forms = [article_form(post, body=f"Text {n}.") for n in range(2)]
    start = threading.Barrier(2)
    statuses = []

    def save(client, form):
        start.wait()
        statuses.append(client.post(url, form).status_code)
        connection.close()

    threads = [
        threading.Thread(target=save, args=pair) for pair in zip(clients, forms, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [HTTPStatus.OK, HTTPStatus.FOUND]  # one saved, one refused
    post.refresh_from_db()
    assert post.body in {"Text 0.", "Text 1."}
    assert post.history.count() == 2  # made, then saved once
