"""Bringing the old blog over: `manage.py import_wordpress`, from WordPress and Squarespace."""

import io
import re
import time
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from PIL import Image

from blog.models import OldPath, Post, Series, Topic
from blog.wordpress.convert import MAX_BLOCKS, MAX_BODY_CHARACTERS
from blog.wordpress.wxr import MAX_FILE_BYTES
from tests.support.factories import make_clinician, make_post, make_user
from tests.support.wordpress import SQUARESPACE, WORDPRESS, WXR, make_old_uploads, run_import

pytestmark = pytest.mark.django_db

IMPORTED_IMAGE = re.compile(r"/media/uploads/imported/[0-9a-f]{32}\.(jpg|png)")


@pytest.fixture(autouse=True)
def _practice_time_zone(settings):
    # Dates without a GMT time are read in the site's zone; pin it, whatever the environment says.
    settings.TIME_ZONE = "America/Los_Angeles"


@pytest.fixture
def authors(db):
    """The clinicians here, matching the exports' authors by username or by e-mail."""
    return {
        "dana": make_clinician("dana", email="dana@oldpractice.example"),
        "samira": make_clinician("samira", email="sam@clearwater.example"),
        "dreyes": make_clinician("dreyes", email="Dana.Reyes@harbor-counseling.example"),
    }


@pytest.fixture
def old_uploads(tmp_path):
    return make_old_uploads(tmp_path / "old-uploads")


def prose(response):
    """The article's own text on its page, without the page around it."""
    html = response.content.decode()
    return re.search(r'<div class="prose">(.*?)</div>', html, re.DOTALL).group(1)


def is_imported_image(address):
    return IMPORTED_IMAGE.fullmatch(address) is not None


def nothing_written():
    return not (Post.objects.exists() or Topic.objects.exists() or OldPath.objects.exists())


# --- What the articles become ----------------------------------------------------------------


def test_articles_keep_title_slug_author_topics_and_summary(authors):
    run_import(WORDPRESS, SQUARESPACE)

    mornings = Post.objects.get(slug="calmer-mornings")
    assert mornings.title == "Five small steps toward calmer mornings"
    assert mornings.author == authors["dana"]
    assert mornings.summary == "A gentle five-minute routine for anxious mornings."
    # Categories and tags both become topics; WordPress's "Uncategorized" does not.
    assert sorted(mornings.topics.values_list("name", flat=True)) == ["Anxiety", "Morning routines"]
    assert not Topic.objects.filter(slug="uncategorized").exists()

    # Matched by the e-mail address of the old author (login sam_w is nobody here).
    assert Post.objects.get(slug="couples-check-ins").author == authors["samira"]
    # An empty slug is made from the title.
    assert Post.objects.filter(slug="notes-on-grief").exists()

    # Squarespace: a path-like post name and ".html" are trimmed to the slug; the author is an
    # e-mail address, matched without regard to case.
    therapist = Post.objects.get(slug="finding-a-therapist")
    assert therapist.author == authors["dreyes"]
    assert list(therapist.topics.order_by("name").values_list("slug", flat=True)) == [
        "first-steps",
        "therapy-basics",
    ]
    journaling = Post.objects.get(slug="journaling-prompts")
    # One topic, shared by both posts that name it.
    assert journaling.topics.filter(pk__in=therapist.topics.all()).count() == 1
    assert Post.objects.count() == 6


def test_publication_times_are_read_in_the_right_time_zone(authors):
    run_import(WORDPRESS, SQUARESPACE)

    # WordPress gives GMT: used as UTC.
    mornings = Post.objects.get(slug="calmer-mornings")
    assert mornings.published_at == datetime(2024, 5, 3, 16, 30, tzinfo=UTC)
    # Squarespace gave only the site's local time (8:15 in Los Angeles, in winter).
    therapist = Post.objects.get(slug="finding-a-therapist")
    assert therapist.published_at == datetime(2023, 11, 20, 16, 15, tzinfo=UTC)
    assert Post.objects.get(slug="sleep-and-worry").published_at == datetime(
        2099, 3, 2, 17, tzinfo=UTC
    )


def test_imported_articles_are_not_announced_as_updated_today(authors, client):
    run_import(WORDPRESS, SQUARESPACE)

    # Last changed on the old site a week after it came out.
    mornings = Post.objects.get(slug="calmer-mornings")
    assert mornings.updated_at == datetime(2024, 5, 10, 15, tzinfo=UTC)
    assert 'Updated <time datetime="2024-05-10">10 May 2024</time>' in (
        client.get(mornings.get_absolute_url()).content.decode()
    )
    # Squarespace does not say: the publication time stands in.
    therapist = Post.objects.get(slug="finding-a-therapist")
    assert therapist.updated_at == therapist.published_at
    assert "Updated" not in client.get(therapist.get_absolute_url()).content.decode()


def test_published_scheduled_and_draft_posts_keep_their_state(authors, client):
    run_import(WORDPRESS, SQUARESPACE)

    def slugs(queryset):
        return set(queryset.values_list("slug", flat=True))

    assert slugs(Post.objects.published()) == {"calmer-mornings", "finding-a-therapist"}
    assert slugs(Post.objects.scheduled()) == {"sleep-and-worry"}
    # Draft, pending review and (Squarespace) a draft with a 0000-00-00 GMT date.
    assert slugs(Post.objects.drafts()) == {
        "notes-on-grief",
        "couples-check-ins",
        "journaling-prompts",
    }
    assert client.get("/blog/sleep-and-worry/").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/blog/journaling-prompts/").status_code == HTTPStatus.NOT_FOUND


def test_the_body_becomes_markdown_a_clinician_can_edit(authors):
    run_import(WORDPRESS, SQUARESPACE)

    body = Post.objects.get(slug="calmer-mornings").body
    # Paragraphs WordPress kept only as blank lines are still paragraphs.
    assert body.startswith(
        "Mornings set the tone for the day. If yours start with a racing mind, you are "
        "**not alone**.\n\nA few small changes can help."
    )
    assert "\n\n## Start before you reach for the phone\n\n" in body
    assert (
        "- Breathe slowly for six breaths\n"
        "    - in through the nose\n"
        "    - out a little longer than in\n"
        "- Drink a glass of water\n"
    ) in body
    assert "[NIMH page on anxiety](https://www.nimh.nih.gov/health/topics/anxiety-disorders)" in (
        body
    )
    for hostile in ("<script", "document.cookie", "<style", "display: none", "<iframe", "style="):
        assert hostile not in body
    assert "wp:paragraph" not in body

    squarespace = Post.objects.get(slug="finding-a-therapist").body
    assert "### Questions worth asking" in squarespace
    assert "1. How do you usually work?\n\n    - Short-term or open-ended\n" in squarespace
    assert "| Session | Length |" in squarespace


def test_the_article_page_shows_none_of_the_hostile_content(authors, client):
    run_import(WORDPRESS, SQUARESPACE)

    response = client.get("/blog/calmer-mornings/")

    assert response.status_code == HTTPStatus.OK
    article = prose(response)
    for hostile in (
        "<script", "tracker.example", "<style", "display: none", "<iframe", "<object", "<embed",
        "old-player.swf", "style=", "onmouseover", "javascript:",
    ):  # fmt: skip
        assert hostile not in article, hostile
    assert "<h2>Start before you reach for the phone</h2>" in article
    assert re.search(r"<li>Breathe slowly for six breaths\s*<ul>\s*<li>in through the", article)
    # The sneaky link keeps its words, not its script.
    assert "this sneaky link" in article
    # The embedded video is a plain link to it now, so nothing is silently lost.
    assert re.search(
        r'<a href="https://www.youtube.com/embed/calm-breathing-demo"[^>]*>'
        r"Embedded content from www.youtube.com</a>",
        article,
    )
    therapist = prose(client.get("/blog/finding-a-therapist/"))
    assert "<iframe" not in therapist and "style=" not in therapist
    assert "<table>" in therapist


# --- Images --------------------------------------------------------------------------------


def test_images_come_from_the_media_folder_through_the_upload_checks(
    authors, old_uploads, client, settings
):
    output = run_import(WORDPRESS, SQUARESPACE, media_dir=old_uploads)

    body = Post.objects.get(slug="calmer-mornings").body
    # The resized copy WordPress showed falls back to its original, found by 2024/05/name.
    image = re.search(r"\[!\[A path along a quiet lake at sunrise\]\((.+?)\)\]\((.+?)\)", body)
    assert image, body
    shown, linked = image.groups()
    assert is_imported_image(shown) and shown == linked
    assert "oldpractice.example/wp-content" not in body
    stored = Path(settings.MEDIA_ROOT) / shown.removeprefix("/media/")
    with Image.open(stored) as copy:
        assert (copy.format, copy.size) == ("JPEG", (640, 420))
    # Kept in smaller sizes and in WebP and AVIF too, as every upload is (images/sizes.py).
    copies = sorted(path.name.removeprefix(stored.stem) for path in stored.parent.iterdir())
    assert {"-480w.jpg", "-480w.webp", "-640w.webp", "-480w.avif", "-640w.avif"} <= set(copies)

    # Squarespace's lazy-loaded CDN image, found by its file name alone; alt text kept.
    therapist = Post.objects.get(slug="finding-a-therapist")
    room = re.search(r"!\[Two armchairs by a window in our office\]\((.+?)\)", therapist.body)
    assert is_imported_image(room.group(1))
    assert "squarespace-cdn" not in therapist.body
    # The article shows our copy, with its size so the text does not jump.
    article = prose(client.get(therapist.get_absolute_url()))
    assert re.search(rf'<img src="{room.group(1)}" alt="Two armchairs[^>]*width="300"', article)
    assert client.get(room.group(1)).status_code == HTTPStatus.OK
    assert "Images: 2 brought over, 0 could not be." in output  # WordPress's run
    assert "Images: 1 brought over, 0 could not be." in output  # Squarespace's


def test_without_a_media_folder_every_image_is_listed_per_article(authors):
    output = run_import(WORDPRESS, SQUARESPACE)

    assert "Images: 0 brought over, 2 could not be (add them in the editor" in output
    assert "Images: 0 brought over, 1 could not be (add them in the editor" in output
    assert (
        "  “Five small steps toward calmer mornings”:\n"
        "    - https://www.oldpractice.example/wp-content/uploads/2024/05/lakeside-walk-300x200.jpg"
        " — no --media-dir given\n"
        "    - https://www.oldpractice.example/wp-content/uploads/2024/05/lakeside-walk.jpg"
        " — no --media-dir given\n"
    ) in output
    assert (
        "  “Finding a therapist who fits”:\n"
        "    - https://images.squarespace-cdn.com/content/v1/5f00aa11bb22/1700000000000-QWERTY/"
        "calm-room.png — no --media-dir given\n"
    ) in output
    # The old address stays in the text, so the clinician can see what to replace.
    body = Post.objects.get(slug="calmer-mornings").body
    assert "![A path along a quiet lake at sunrise](https://www.oldpractice.example/" in body


def test_an_image_missing_from_the_media_folder_is_listed(authors, tmp_path):
    (tmp_path / "empty-uploads").mkdir()

    output = run_import(SQUARESPACE, media_dir=tmp_path / "empty-uploads")

    assert "/calm-room.png — not found in the media folder\n" in output


def test_a_file_the_upload_checks_refuse_is_listed_and_left_out(authors, old_uploads, settings):
    (old_uploads / "2024" / "05" / "lakeside-walk.jpg").write_text("<html>not a photo</html>")

    output = run_import(WORDPRESS, media_dir=old_uploads)

    assert (
        "lakeside-walk.jpg — lakeside-walk.jpg was refused: This file is not a JPEG, PNG or "
        "WebP image."
    ) in output
    assert "Images: 0 brought over, 2 could not be" in output
    assert not (Path(settings.MEDIA_ROOT) / "uploads" / "imported").exists()


# --- Old addresses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "old_address",
    [
        "/2024/05/03/calmer-mornings/",
        "/2024/05/03/calmer-mornings",
        "/?p=101",  # WordPress's short link
    ],
)
def test_old_addresses_redirect_permanently_to_the_article(authors, client, old_address):
    run_import(WORDPRESS)

    response = client.get(old_address)

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/blog/calmer-mornings/"
    assert client.get(response["Location"]).status_code == HTTPStatus.OK


def test_squarespace_addresses_without_a_slash_lead_to_the_article(authors, client):
    run_import(SQUARESPACE)

    response = client.get("/blog/finding-a-therapist", follow=True)

    assert response.redirect_chain == [("/blog/finding-a-therapist/", HTTPStatus.MOVED_PERMANENTLY)]
    assert response.context["post"].slug == "finding-a-therapist"


def test_old_addresses_of_unpublished_articles_do_not_redirect(authors, client):
    run_import(WORDPRESS)
    assert OldPath.objects.filter(path="/?p=103").exists()  # scheduled: it will redirect later

    assert client.get("/?p=103").status_code == HTTPStatus.OK  # the home page, as for anyone
    assert client.get("/?p=104").status_code == HTTPStatus.OK
    assert client.get("/2019/12/01/holiday-hours/").status_code == HTTPStatus.NOT_FOUND  # trashed


def test_old_addresses_follow_a_later_change_of_slug(authors, client):
    run_import(WORDPRESS)
    post = Post.objects.get(slug="calmer-mornings")
    post.slug = "calm-mornings"
    post.save()

    response = client.get("/2024/05/03/calmer-mornings/")

    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "/blog/calm-mornings/"


def test_an_address_with_a_nul_byte_is_simply_not_found(authors, client):
    run_import(WORDPRESS)

    # PostgreSQL refuses NUL in a query's text: without the guard this is a 500 there.
    assert client.get("/2024/05/03/calmer%00mornings/").status_code == HTTPStatus.NOT_FOUND


def test_posting_to_an_old_address_is_not_redirected(authors, client):
    run_import(WORDPRESS)

    assert client.post("/2024/05/03/calmer-mornings/").status_code == HTTPStatus.NOT_FOUND


def test_clinicians_see_the_old_addresses_in_the_admin(authors, client):
    run_import(WORDPRESS)
    client.force_login(authors["dana"])

    response = client.get("/admin/blog/oldpath/")

    assert response.status_code == HTTPStatus.OK
    assert "/2024/05/03/calmer-mornings" in response.content.decode()


def test_a_clinician_adds_an_old_address_by_hand(authors, client):
    post = make_post(slug="what-to-expect")
    client.force_login(authors["dana"])

    response = client.post(
        "/admin/blog/oldpath/add/", {"path": "/services/first-visit/", "post": post.pk}
    )
    # The same address typed again, with its slash: found to be taken, not a server error.
    duplicate = client.post(
        "/admin/blog/oldpath/add/", {"path": "/services/first-visit/", "post": post.pk}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert "Old address with this Path already exists." in duplicate.content.decode()
    assert client.get("/services/first-visit").headers["Location"] == "/blog/what-to-expect/"


# --- The summary, a second run, a dry run --------------------------------------------------


def test_the_summary_says_what_was_imported_skipped_and_redirected(authors):
    output = run_import(WORDPRESS)

    assert "Articles: 4 imported, 0 updated, 0 unchanged (of 4 in the export)." in output
    assert (
        "  + “Five small steps toward calmer mornings” → /blog/calmer-mornings/ (live, 3 May "
        in (output)
    )
    assert (
        "  + “Sleep and worry: a plan for the week ahead” → /blog/sleep-and-worry/ "
        "(scheduled for 2 Mar 2099, 09:00 PST)"
    ) in output
    assert "  + “Notes on grief” → /blog/notes-on-grief/ (draft)" in output
    assert "Skipped: 4 items, not imported." in output
    assert "  - posts in the old site's trash: 1 (“Holiday hours 2019”)" in output
    assert "  - pages, not blog articles: 1 (“About the practice”)" in output
    assert "  - uploaded files, not articles (images come over with --media-dir): 1\n" in output
    assert "  - menu entries: 1 (“Home”)" in output
    assert "Topics: 4 new." in output
    assert "  “Five small steps toward calmer mornings”: https://www.youtube.com/embed/" in output
    # calmer-mornings: its path and ?p=101; the other three: their ?p= short links.
    assert "Redirects: 5 new old addresses now lead to their articles." in output
    assert OldPath.objects.count() == 5


def test_progress_is_shown_on_long_imports_unless_asked_for_quiet(authors):
    errors = io.StringIO()
    call_command("import_wordpress", str(WORDPRESS), stdout=io.StringIO(), stderr=errors)
    assert errors.getvalue() == "Imported 4 of 4…\n"

    quiet = io.StringIO()
    call_command(
        "import_wordpress", str(WORDPRESS), verbosity=0, stdout=io.StringIO(), stderr=quiet
    )
    assert quiet.getvalue() == ""


def test_a_second_run_creates_nothing_and_updates_what_changed(
    authors, tmp_path, old_uploads, settings
):
    run_import(WORDPRESS, SQUARESPACE, media_dir=old_uploads)
    first = {post.pk: post.body for post in Post.objects.all()}
    counts = (Topic.objects.count(), OldPath.objects.count())
    imported = Path(settings.MEDIA_ROOT) / "uploads" / "imported"
    files = sorted(imported.iterdir())  # the images and their copies in other sizes
    changed = tmp_path / "wordpress-again.xml"
    changed.write_text(
        WORDPRESS.read_text().replace(
            "Five small steps toward calmer mornings", "Six small steps toward calmer mornings"
        )
    )

    output = run_import(changed, media_dir=old_uploads)

    assert "Articles: 0 imported, 1 updated, 3 unchanged (of 4 in the export)." in output
    assert "  ~ “Six small steps toward calmer mornings”: title changed (live, " in output
    assert "Redirects: 0 new" in output
    assert {post.pk: post.body for post in Post.objects.all()} == first  # same images reused
    assert (Topic.objects.count(), OldPath.objects.count()) == counts
    assert Post.objects.get(slug="calmer-mornings").title.startswith("Six small steps")
    assert sorted(imported.iterdir()) == files
    assert len([path for path in files if not re.search(r"-\d+w\.", path.name)]) == 2


def test_an_article_written_here_with_the_same_slug_is_left_alone(authors, client):
    mine = make_post(
        slug="calmer-mornings", title="Calmer mornings, my way", body="My draft.", published_at=None
    )

    output = run_import(WORDPRESS)

    mine.refresh_from_db()
    assert (mine.title, mine.body, mine.published_at) == (
        "Calmer mornings, my way",
        "My draft.",
        None,
    )
    assert client.get("/blog/calmer-mornings/").status_code == HTTPStatus.NOT_FOUND  # still a draft
    imported = Post.objects.get(slug="calmer-mornings-101")
    assert imported.title.startswith("Five small steps")
    assert "Articles: 4 imported, 0 updated" in output
    assert (
        "is at /blog/calmer-mornings-101/, because “Calmer mornings, my way”, written here, is "
        "there and is left as it is." in output
    )
    # The old site's links lead to the imported article, not to the one written here.
    assert client.get("/?p=101")["Location"] == "/blog/calmer-mornings-101/"


def test_a_dry_run_says_a_clash_with_an_article_written_here_is_left_alone(authors):
    make_post(slug="calmer-mornings", title="Calmer mornings, my way")

    output = run_import(WORDPRESS, dry_run=True)

    assert "Articles: 4 imported, 0 updated" in output
    assert " ~ " not in output
    assert "/blog/calmer-mornings-101/, because “Calmer mornings, my way”, written here" in output
    assert Post.objects.get().title == "Calmer mornings, my way"


def test_a_second_import_finds_its_articles_even_after_their_old_addresses_are_deleted(authors):
    run_import(WORDPRESS)
    OldPath.objects.all().delete()

    output = run_import(WORDPRESS)

    assert "Articles: 0 imported, 0 updated, 4 unchanged" in output
    assert Post.objects.count() == 4


def test_an_old_address_made_by_hand_for_an_article_written_here_is_kept(authors, client):
    mine = make_post(slug="my-mornings")
    OldPath.objects.create(path="/?p=101", post=mine)

    output = run_import(WORDPRESS)

    assert client.get("/?p=101")["Location"] == "/blog/my-mornings/"
    assert "Note: /?p=101 already leads to “" in output


def test_a_dry_run_writes_nothing(authors, old_uploads, settings):
    output = run_import(WORDPRESS, SQUARESPACE, media_dir=old_uploads, dry_run=True)

    assert output.startswith("Dry run: nothing was saved. This is what the import would do:\n")
    assert "Articles: 4 imported" in output and "Images: 2 brought over" in output
    assert nothing_written()
    assert not Series.objects.exists()
    assert not (Path(settings.MEDIA_ROOT) / "uploads").exists()


# --- Exports that cannot be imported --------------------------------------------------------


def test_an_entity_expansion_bomb_is_refused_at_once(authors):
    started = time.monotonic()

    with pytest.raises(CommandError, match="declares a document type or entities") as error:
        run_import(WXR / "billion-laughs.xml")

    assert time.monotonic() - started < 2
    assert "Nothing was imported." in str(error.value)
    assert nothing_written()


def test_an_external_entity_is_never_read(authors):
    with pytest.raises(CommandError, match="declares a document type or entities") as error:
        run_import(WXR / "external-entity.xml")

    assert "root:" not in str(error.value)
    assert nothing_written()


def test_a_damaged_file_is_a_clear_error(authors):
    with pytest.raises(CommandError, match=r"malformed.xml is not well-formed XML \(line \d+"):
        run_import(WXR / "malformed.xml")
    assert nothing_written()


def test_a_missing_required_field_stops_the_whole_import(authors):
    with pytest.raises(CommandError) as error:
        run_import(WXR / "missing-post-id.xml")

    assert str(error.value).startswith("Item 2 (“An article without its id”) has no <wp:post_id>")
    assert "Nothing was imported." in str(error.value)
    assert nothing_written()  # not even the complete article before it


def test_a_problem_found_halfway_leaves_no_article_and_no_image(
    authors, old_uploads, tmp_path, settings
):
    # The first article (with its image) is saved before the second one is converted.
    nested = "<div>" * 150 + "deep" + "</div>" * 150
    broken = tmp_path / "broken.xml"
    broken.write_text(
        WORDPRESS.read_text().replace("<p>A weekly check-in can be short and kind.</p>", nested)
    )

    with pytest.raises(CommandError, match="nested more than 100 tags deep") as error:
        run_import(broken, media_dir=old_uploads)

    assert "“Couples check-ins that do not turn into arguments” cannot be imported" in str(
        error.value
    )
    assert nothing_written()
    assert not list((Path(settings.MEDIA_ROOT) / "uploads" / "imported").glob("*"))


def test_a_huge_article_body_is_refused(authors, tmp_path):
    huge = tmp_path / "huge.xml"
    huge.write_text(
        WORDPRESS.read_text().replace(
            "<p>A weekly check-in can be short and kind.</p>",
            "<p>" + "word " * (MAX_BODY_CHARACTERS // 5 + 1) + "</p>",
        )
    )

    with pytest.raises(CommandError, match=r"has a body of 1,000,0\d\d characters, more than"):
        run_import(huge)
    assert nothing_written()


def test_an_article_of_endless_paragraphs_is_refused(authors, tmp_path):
    # Small in bytes, but rendering it would keep the server busy for minutes.
    endless = tmp_path / "endless.xml"
    endless.write_text(
        WORDPRESS.read_text().replace(
            "<p>A weekly check-in can be short and kind.</p>", "<p>Yes.</p>" * (MAX_BLOCKS + 1)
        )
    )

    with pytest.raises(CommandError, match="more than 5,000 paragraphs, list items and table"):
        run_import(endless)
    assert nothing_written()


def test_a_file_too_large_for_an_export_is_refused_unread(authors, tmp_path):
    large = tmp_path / "large.xml"
    with large.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)

    with pytest.raises(CommandError, match="large.xml is larger than 50 MB"):
        run_import(large)


def test_an_ordinary_feed_is_not_mistaken_for_an_export(authors, tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        "<item><title>Hello</title><link>https://example.org/hello</link></item>"
        "</channel></rss>"
    )

    with pytest.raises(CommandError, match="looks like an ordinary RSS feed, not a WordPress"):
        run_import(feed)


def test_an_unknown_author_without_author_option_is_named(db):
    make_user("dana", email="dana@oldpractice.example")

    with pytest.raises(CommandError) as error:
        run_import(WORDPRESS, SQUARESPACE)

    message = str(error.value)
    assert "No user here matches these authors of the export: sam_w (Sam Whitfield, " in message
    assert "sam@clearwater.example" in message
    assert "pass --author USERNAME" in message
    assert nothing_written()


def test_unknown_authors_are_credited_to_the_author_option(db):
    make_clinician("dana", email="dana@oldpractice.example")
    editor = make_clinician("editor")

    output = run_import(WORDPRESS, SQUARESPACE, author="editor")

    assert Post.objects.get(slug="couples-check-ins").author == editor
    assert Post.objects.get(slug="finding-a-therapist").author == editor
    assert Post.objects.get(slug="calmer-mornings").author.username == "dana"
    assert "Credited to editor (no user here matches the old author): sam_w (" in output


def test_an_author_option_naming_nobody_is_a_clear_error(authors):
    with pytest.raises(CommandError, match="There is no user “nobody” here"):
        run_import(WORDPRESS, author="nobody")
    assert User.objects.count() == 3


# --- Series ------------------------------------------------------------------------------------


def test_imported_articles_join_a_series_in_date_order(authors):
    output = run_import(SQUARESPACE, WORDPRESS, series="From the old blog")

    series = Series.objects.get(title="From the old blog")
    parts = list(series.posts.order_by("series_position").values_list("slug", flat=True))
    # Squarespace's run: its two articles; WordPress's run adds its four after them, by date.
    assert parts == [
        "finding-a-therapist",
        "journaling-prompts",
        "calmer-mornings",
        "notes-on-grief",
        "couples-check-ins",
        "sleep-and-worry",
    ]
    assert "Series “From the old blog”: 2 articles added as parts 1–2." in output
    assert "Series “From the old blog”: 4 articles added as parts 3–6." in output


def test_running_again_with_the_series_keeps_the_parts_in_place(authors):
    run_import(WORDPRESS, series="From the old blog")
    before = dict(Post.objects.values_list("slug", "series_position"))

    output = run_import(WORDPRESS, series="from the old blog")

    assert dict(Post.objects.values_list("slug", "series_position")) == before
    assert Series.objects.count() == 1
    assert "Series “From the old blog”: nothing to add." in output
