"""Every stored image in a few widths and in WebP and AVIF, and the <picture> pages offer them in:
made at upload (editor, cover, author photo, importer, demo), filled in for older images by
make_image_sizes, served like the originals."""

import io
import random
import re
from http import HTTPStatus
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image, ImageFilter

from blog.models import Post
from editor.markdown import stored_html
from images import sizes
from images.sizes import COLUMN_SIZES
from images.uploads import store_editor_image
from tests.support.factories import make_clinician, make_page, make_post, post_form

pytestmark = pytest.mark.django_db

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "public, max-age=31536000, immutable",
    "Content-Disposition": "inline",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def image_file(image_format="JPEG", size=(2400, 1590), name="photo.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#5f7f7a").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def upload(**options):
    """An editor upload; returns its storage name."""
    return store_editor_image(image_file(**options)).removeprefix("/media/")


def files_beside(name, media):
    """{file name: (format, size)} of everything stored in the original's folder."""
    folder = (media / name).parent
    return {
        path.name: (Image.open(path).format, Image.open(path).size)
        for path in sorted(folder.iterdir())
    }


def stem(name):
    return Path(name).stem


def store_without_sizes(name, image_format="JPEG", size=(1600, 1060)):
    """An image as stored before sizes existed: the original alone."""
    buffer = io.BytesIO()
    Image.new("RGB", size, "#7a9e9f").save(buffer, format=image_format)
    return default_storage.save(name, ContentFile(buffer.getvalue()))


# --- What each upload is stored as ------------------------------------------------------------


def test_a_large_jpeg_is_kept_in_three_smaller_widths_and_in_webp_and_avif(media):
    name = upload()
    s = stem(name)

    assert files_beside(name, media) == {
        f"{s}.jpg": ("JPEG", (1600, 1060)),
        f"{s}-480w.jpg": ("JPEG", (480, 318)),
        f"{s}-800w.jpg": ("JPEG", (800, 530)),
        f"{s}-1200w.jpg": ("JPEG", (1200, 795)),
        **{f"{s}-{w}w.webp": ("WEBP", (w, h)) for w, h in [(480, 318), (800, 530), (1200, 795)]},
        f"{s}-1600w.webp": ("WEBP", (1600, 1060)),
        **{f"{s}-{w}w.avif": ("AVIF", (w, h)) for w, h in [(480, 318), (800, 530), (1200, 795)]},
        f"{s}-1600w.avif": ("AVIF", (1600, 1060)),
    }


def test_a_small_image_is_never_enlarged(media):
    name = upload(size=(600, 400))
    s = stem(name)

    assert files_beside(name, media) == {
        f"{s}.jpg": ("JPEG", (600, 400)),
        f"{s}-480w.jpg": ("JPEG", (480, 320)),
        f"{s}-480w.webp": ("WEBP", (480, 320)),
        f"{s}-600w.webp": ("WEBP", (600, 400)),
        f"{s}-480w.avif": ("AVIF", (480, 320)),
        f"{s}-600w.avif": ("AVIF", (600, 400)),
    }


def test_a_diagram_png_gets_lossless_webp_copies_and_no_avif(media):
    name = upload(image_format="PNG", size=(900, 300), name="diagram.png")
    s = stem(name)

    assert set(files_beside(name, media)) == {
        f"{s}.png", f"{s}-480w.png", f"{s}-800w.png",
        f"{s}-480w.webp", f"{s}-800w.webp", f"{s}-900w.webp",
    }  # fmt: skip
    with Image.open(media / f"{Path(name).parent}/{s}-900w.webp") as webp:
        assert webp.tobytes() == Image.new("RGB", (900, 300), "#5f7f7a").tobytes()


def test_a_photo_saved_as_png_gets_the_smaller_lossy_webp(media):
    noise = Image.frombytes("RGB", (600, 400), random.Random(7).randbytes(600 * 400 * 3))
    buffer = io.BytesIO()
    noise.filter(ImageFilter.GaussianBlur(2)).save(buffer, format="PNG")
    name = store_editor_image(SimpleUploadedFile("photo.png", buffer.getvalue(), "image/png"))

    webp = (media / name.removeprefix("/media/").replace(".png", "-600w.webp")).read_bytes()

    assert webp[12:16] == b"VP8 "  # lossy (lossless would be VP8L)
    assert len(webp) < len(buffer.getvalue()) / 3


def test_a_webp_gets_avif_copies_beside_its_own_format(media):
    name = upload(image_format="WEBP", size=(700, 700), name="photo.webp")
    s = stem(name)

    assert set(files_beside(name, media)) == {
        f"{s}.webp", f"{s}-480w.webp", f"{s}-480w.avif", f"{s}-700w.avif",
    }  # fmt: skip


def test_no_avif_copies_when_pillow_cannot_write_avif(media, monkeypatch):
    writes = sizes.features.check
    monkeypatch.setattr(sizes.features, "check", lambda name: name != "avif" and writes(name))

    name = upload(size=(1000, 500))

    assert not [file for file in files_beside(name, media) if file.endswith(".avif")]
    assert f"{stem(name)}-1000w.webp" in files_beside(name, media)


def test_copies_carry_no_metadata(media):
    name = upload()

    for file in files_beside(name, media):
        with Image.open(media / Path(name).parent / file) as image:
            assert not image.getexif()
            assert not {"exif", "icc_profile", "xmp", "comment"} & set(image.info)


def test_a_refused_upload_stores_nothing_at_all(client, media):
    client.force_login(make_clinician())
    disguised = SimpleUploadedFile("photo.jpg", b"<html>not an image</html>", "image/jpeg")

    response = client.post(
        "/editor/upload/", {"image": disguised}, headers={"x-requested-with": "XMLHttpRequest"}
    )

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not media.exists() or not [path for path in media.rglob("*") if path.is_file()]


def test_a_cover_image_uploaded_in_the_admin_gets_its_sizes(client, media):
    clinician = make_clinician()
    client.force_login(clinician)
    data = post_form(author=clinician.pk, cover_image=image_file(), cover_image_alt="A wall")

    client.post("/admin/blog/post/add/", data)

    cover = Post.objects.get().cover_image.name
    assert len(files_beside(cover, media)) == 12  # the original and eleven copies


def test_an_author_photo_gets_its_sizes(media):
    author = make_clinician().author_profile
    author.photo = ContentFile(image_file(size=(900, 900)).read(), name="face.jpg")
    author.save()

    assert f"{stem(author.photo.name)}-480w.avif" in files_beside(author.photo.name, media)


# --- What pages offer ---------------------------------------------------------------------------


def sources(html):
    """{type or "img": srcset} of every <source> and <img> in a <picture>."""
    found = dict(re.findall(r'<source type="([^"]+)" srcset="([^"]+)"', html))
    found.update(("img", s) for s in re.findall(r'<img src="[^"]+" srcset="([^"]+)"', html))
    return found


def test_an_article_offers_its_cover_and_body_images_in_every_size(client):
    body_image = upload()
    cover = upload(size=(1000, 600))
    post = make_post(body=f"Text.\n\n![A calm room](/media/{body_image})")
    Post.objects.filter(pk=post.pk).update(cover_image=cover, cover_image_alt="A green wall")
    Post.objects.filter(pk=post.pk).update(cover_image_width=1000, cover_image_height=600)

    html = client.get(post.get_absolute_url()).content.decode()

    b, c = f"/media/{body_image.removesuffix('.jpg')}", f"/media/{cover.removesuffix('.jpg')}"
    assert (
        f'<img src="{c}.jpg" srcset="{c}-480w.jpg 480w, {c}-800w.jpg 800w, {c}.jpg 1000w" '
        f'sizes="{COLUMN_SIZES}" alt="A green wall" class="article__cover" width="1000" '
        'height="600" decoding="async"></picture>'  # in the first screen: not lazy
    ) in html
    assert (
        f'<source type="image/avif" srcset="{c}-480w.avif 480w, {c}-800w.avif 800w, '
        f'{c}-1000w.avif 1000w" sizes="{COLUMN_SIZES}">'
    ) in html
    assert f'{b}-1200w.webp 1200w, {b}-1600w.webp 1600w" sizes="{COLUMN_SIZES}">' in html
    assert (
        f'sizes="{COLUMN_SIZES}" alt="A calm room" width="1600" height="1060" loading="lazy" '
        'decoding="async"></picture>'
    ) in html
    # AVIF first: the browser takes the first <source> it can show.
    assert html.index('type="image/avif"') < html.index('type="image/webp"')


def test_an_image_without_copies_stays_a_single_image():
    name = store_without_sizes("uploads/2025/01/0123456789abcdef0123456789abcdef.jpg")

    html = stored_html(f"![Old photo](/media/{name})")

    assert html == (
        f'<p><img src="/media/{name}" alt="Old photo" width="1600" height="1060" '
        'loading="lazy" decoding="async"></p>\n'
    )


def test_only_copies_that_exist_are_offered():
    name = upload(size=(1000, 600))
    default_storage.delete(name.replace(".jpg", "-800w.avif"))

    html = stored_html(f"![Photo](/media/{name})")

    avif = sources(html)["image/avif"]
    assert "-480w.avif 480w" in avif and "-1000w.avif 1000w" in avif
    assert "800w" not in avif
    assert "-800w.webp 800w" in sources(html)["image/webp"]


def test_markdown_cannot_add_sources_or_pictures_of_its_own():
    name = upload(size=(600, 400))
    text = (
        '<picture><source srcset="https://evil.example/x.avif" type="image/avif"></picture>\n\n'
        f'![Photo](/media/{name} "A title")\n\n'
        "![Elsewhere](https://example.com/b.jpg)"
    )

    html = stored_html(text)

    assert "evil.example" not in html
    assert html.count("<picture>") == html.count("<source ") - 1 == 1  # ours: AVIF and WebP
    assert 'alt="Photo" title="A title"' in html
    assert '<img src="https://example.com/b.jpg" alt="Elsewhere">' in html


def test_an_author_photo_offers_copies_sized_for_its_8rem_circle(client):
    author = make_clinician().author_profile
    author.photo = ContentFile(image_file(size=(900, 900)).read(), name="face.jpg")
    author.save()

    html = client.get(author.get_absolute_url()).content.decode()

    assert 'sizes="8rem" alt="" class="author__photo" width="900" height="900"' in html
    assert "-480w.avif 480w" in sources(html)["image/avif"]


def test_the_demo_article_with_the_illustration_offers_it_in_every_size():
    call_command("load_demo", stdout=io.StringIO())

    html = Post.objects.get(slug="what-to-expect").body_html

    assert sources(html)["image/webp"].endswith("-1200w.webp 1200w")
    assert "-480w.png 480w" in sources(html)["img"]


# --- How copies are served ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "content_type"),
    [
        ("-480w.jpg", "image/jpeg"),
        ("-800w.webp", "image/webp"),
        ("-1600w.webp", "image/webp"),
        ("-1200w.avif", "image/avif"),
    ],
)
def test_each_copy_is_served_with_the_headers_of_an_original(client, suffix, content_type):
    name = upload()

    response = client.get(f"/media/{name.removesuffix('.jpg')}{suffix}")

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == content_type
    for header, value in HEADERS.items():
        assert response[header] == value
    etag = response["ETag"]
    again = client.get(
        f"/media/{name.removesuffix('.jpg')}{suffix}", headers={"if-none-match": etag}
    )
    assert again.status_code == HTTPStatus.NOT_MODIFIED


@pytest.mark.parametrize("suffix", ["-480w.gif", "-480w.svg", "-480w.avif.html", "-2000w.avif"])
def test_other_names_beside_the_copies_are_not_found(client, media, suffix):
    name = upload()
    (media / f"{name.removesuffix('.jpg')}-480w.gif").write_bytes(b"GIF89a")

    response = client.get(f"/media/{name.removesuffix('.jpg')}{suffix}")

    assert response.status_code == HTTPStatus.NOT_FOUND


# --- make_image_sizes ---------------------------------------------------------------------------


def make_image_sizes():
    out = io.StringIO()
    call_command("make_image_sizes", stdout=out)
    return out.getvalue()


def test_make_image_sizes_fills_in_old_images_and_the_pages_showing_them(media):
    old = store_without_sizes("uploads/2025/01/0123456789abcdef0123456789abcdef.jpg")
    post = make_post(body=f"![Old photo](/media/{old})")
    page = make_page(body=f"![Old photo](/media/{old})")
    revisions, updated_at = post.history.count(), post.updated_at
    assert "<picture>" not in post.body_html

    output = make_image_sizes()

    assert "1 image(s) found: 11 copies made for 1, 0 already had all theirs." in output
    assert "2 article(s), series or page(s) stored again to offer them." in output
    post.refresh_from_db()
    page.refresh_from_db()
    assert "-480w.avif 480w" in sources(post.body_html)["image/avif"]
    assert "-480w.avif 480w" in sources(page.body_html)["image/avif"]
    # The same article: no new revision, and readers are not told it was updated.
    assert (post.history.count(), post.updated_at) == (revisions, updated_at)


def test_make_image_sizes_twice_makes_nothing_the_second_time(media):
    store_without_sizes("covers/2025/01/0123456789abcdef0123456789abcdef.jpg")
    store_without_sizes("authors/fedcba9876543210fedcba9876543210.png", "PNG", (300, 300))
    make_image_sizes()
    files = sorted(media.rglob("*"))

    output = make_image_sizes()

    assert sorted(media.rglob("*")) == files
    assert "2 image(s) found: 0 copies made for 0, 2 already had all theirs." in output
    assert "stored again" not in output


# Committed, so the page cache sees the change the way a running site does.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_make_image_sizes_gives_an_old_cover_its_sizes_and_a_fresh_page(client):
    cover = store_without_sizes("covers/2025/01/0123456789abcdef0123456789abcdef.jpg")
    post = make_post()
    Post.objects.filter(pk=post.pk).update(
        cover_image=cover, cover_image_alt="A wall", cover_image_width=1600, cover_image_height=1060
    )
    before = client.get(post.get_absolute_url())
    assert "<picture>" not in before.content.decode()
    assert client.get(post.get_absolute_url())["X-Page-Cache"] == "hit"

    make_image_sizes()

    after = client.get(post.get_absolute_url()).content.decode()
    assert "-480w.avif 480w" in sources(after)["image/avif"]


def test_make_image_sizes_names_images_it_cannot_read(media):
    (media / "uploads").mkdir(parents=True)
    (media / "uploads" / "0123456789abcdef0123456789abcdef.jpg").write_bytes(b"not an image")

    output = make_image_sizes()

    assert "1 could not be read as images, and have none:" in output
    assert "uploads/0123456789abcdef0123456789abcdef.jpg" in output
