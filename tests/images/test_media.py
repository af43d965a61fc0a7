"""Uploaded images: served by Django from MEDIA_ROOT, or stored on S3-compatible storage."""

import json
import re
import urllib.request
from http import HTTPStatus
from io import BytesIO
from urllib.parse import urlsplit
from uuid import uuid4

import boto3
import pytest
from django.urls import resolve
from moto.server import ThreadedMotoServer
from PIL import Image, PngImagePlugin

from images.views import serve_media
from tests.support.factories import png_bytes
from tests.support.subprocess_django import PRODUCTION, run_django

pytestmark = pytest.mark.django_db

IMAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "public, max-age=31536000, immutable",
    "Content-Disposition": "inline",
}
STORED_KEY = re.compile(r"^uploads/\d{4}/\d{2}/[0-9a-f]{32}\.png$")


@pytest.fixture
def media(settings):
    root = settings.MEDIA_ROOT
    (root / "uploads").mkdir(parents=True)
    return root


@pytest.fixture
def image(media):
    path = media / "uploads" / f"{uuid4().hex}.png"
    path.write_bytes(png_bytes())
    return path


def url_of(path, media):
    return "/media/" + path.relative_to(media).as_posix()


# --- Serving from MEDIA_ROOT --------------------------------------------------------------------


def test_an_image_is_served_with_headers_that_keep_it_an_image(client, media, image):
    response = client.get(url_of(image, media))

    assert response.status_code == HTTPStatus.OK
    assert response.getvalue() == image.read_bytes()
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(image.stat().st_size)
    for header, value in IMAGE_HEADERS.items():
        assert response[header] == value
    assert response["ETag"]
    assert response["Last-Modified"]
    assert not response.cookies  # a public, cached-forever response carries no session


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("photo.jpg", "image/jpeg"),
        ("PHOTO.JPG", "image/jpeg"),
        ("photo.png", "image/png"),
        ("photo.webp", "image/webp"),
    ],
)
def test_content_type_comes_from_the_extension_not_the_bytes(client, media, name, content_type):
    (media / name).write_bytes(png_bytes())  # PNG bytes whatever the name says

    response = client.get(f"/media/{name}")

    assert response.status_code == HTTPStatus.OK
    assert response.getvalue() == png_bytes()
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"


def test_head_gives_the_headers_without_the_body(client, media, image):
    response = client.head(url_of(image, media))

    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content) == b""
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(image.stat().st_size)
    for header, value in IMAGE_HEADERS.items():
        assert response[header] == value


@pytest.mark.parametrize("validator", ["ETag", "Last-Modified"])
def test_a_conditional_get_of_an_unchanged_image_is_not_modified(client, media, image, validator):
    url = url_of(image, media)
    first = client.get(url)
    first.close()  # a WSGI server closes every response; the test client only a consumed one
    request_header = {"ETag": "If-None-Match", "Last-Modified": "If-Modified-Since"}[validator]

    response = client.get(url, headers={request_header: first[validator]})

    assert response.status_code == HTTPStatus.NOT_MODIFIED
    assert response.content == b""
    assert response["ETag"] == first["ETag"]
    # A 304 updates the headers a browser cached, so it must not bring the site-wide policy.
    for header, value in IMAGE_HEADERS.items():
        assert response[header] == value


def test_a_stale_etag_gets_the_image_again(client, media, image):
    first = client.get(url_of(image, media))
    first.close()

    response = client.get(url_of(image, media), headers={"If-None-Match": '"something-else"'})

    assert response.status_code == HTTPStatus.OK
    assert response.getvalue() == image.read_bytes()
    assert response["ETag"] == first["ETag"]


@pytest.mark.parametrize(
    "name",
    [
        "page.html",
        "drawing.svg",
        "animation.gif",
        "notes.txt",
        "no-extension",
        ".png",
        "photo.png.html",
        "photo.jpeg",  # uploads are always stored as .jpg
        "script.js",
    ],
)
def test_files_that_are_not_allowlisted_images_are_not_found(client, media, name):
    (media / "uploads" / name).write_bytes(b"<script>alert(document.domain)</script>")

    response = client.get(f"/media/uploads/{name}")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.resolver_match.url_name == "media"  # refused by the view, not unrouted


@pytest.mark.parametrize(
    "url",
    [
        "/media/../settings.py",
        "/media/%2e%2e/settings.py",
        "/media/../outside.png",
        "/media/%2e%2e/outside.png",
        "/media/%2E%2E%2Foutside.png",
        "/media/uploads/../../outside.png",
        "/media/uploads/%2e%2e/%2e%2e/outside.png",
    ],
)
def test_paths_that_leave_media_root_are_not_found(client, media, url):
    (media.parent / "settings.py").write_text("SECRET_KEY = 'do not serve me'")
    (media.parent / "outside.png").write_bytes(png_bytes())

    response = client.get(url)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.resolver_match.url_name == "media"


def test_an_absolute_path_is_not_found(client, media):
    outside = media.parent / "outside.png"
    outside.write_bytes(png_bytes())

    response = client.get(f"/media/{outside}")  # /media//tmp/…/outside.png

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.resolver_match.url_name == "media"


def test_a_symlink_pointing_out_of_media_root_is_not_found(client, media):
    outside = media.parent / "outside.png"
    outside.write_bytes(png_bytes())
    (media / "uploads" / "link.png").symlink_to(outside)
    (media / "escape").symlink_to(media.parent, target_is_directory=True)

    assert client.get("/media/uploads/link.png").status_code == HTTPStatus.NOT_FOUND
    assert client.get("/media/escape/outside.png").status_code == HTTPStatus.NOT_FOUND


def test_a_symlink_named_like_an_image_to_another_kind_of_file_is_not_found(client, media):
    page = media / "uploads" / "page.html"
    page.write_text("<script>alert(1)</script>")
    (media / "uploads" / "innocent.png").symlink_to(page)

    response = client.get("/media/uploads/innocent.png")

    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "url", ["/media/uploads/missing.png", "/media/uploads/a%00.png", "/media/", "/media/uploads/"]
)
def test_missing_files_and_folders_are_not_found(client, media, url):
    (media / "uploads" / "folder.png").mkdir()

    assert client.get(url).status_code == HTTPStatus.NOT_FOUND
    assert client.get("/media/uploads/folder.png").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("method", ["post", "put", "delete", "options"])
def test_only_get_and_head_are_allowed(client, media, image, method):
    response = getattr(client, method)(url_of(image, media))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert image.exists()


def test_media_is_served_by_the_same_view_with_debug_on():
    code = (
        "from django.urls import resolve\n"
        "match = resolve('/media/uploads/a.png')\n"
        "result = [match.url_name, match.func.__module__]"
    )

    assert run_django(code, DJANGO_DEBUG="1") == ["media", "images.views"]
    assert resolve("/media/uploads/a.png").func is serve_media  # tests run with DEBUG off


# --- S3-compatible storage ----------------------------------------------------------------------

S3_KEYS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}
STORE_UPLOAD = """
import os
from pathlib import Path
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import Resolver404, resolve
from images.uploads import store_editor_image, with_image_sizes

upload = SimpleUploadedFile(
    os.environ["UPLOAD_NAME"], Path(os.environ["UPLOAD_PATH"]).read_bytes(), "image/jpeg"
)
try:
    result = {"url": store_editor_image(upload)}
    result["html"] = with_image_sizes(f'<img src="{result["url"]}" alt="x">')
except ValidationError as error:
    result = {"rejected": error.code}
try:
    resolve("/media/uploads/a.png")
    result["media_routed"] = True
except Resolver404:
    result["media_routed"] = False
result["img_src"] = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
"""


@pytest.fixture(scope="module")
def s3_endpoint():
    """A local S3-compatible server (moto), so the S3 path is tested without the internet."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint):
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **S3_KEYS)


@pytest.fixture
def bucket(s3):
    """A bucket set up as the README says: anyone may read objects, nobody may list them."""
    name = f"practice-media-{uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read_policy(name)))
    return name


def public_read_policy(bucket):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicReadForUploadedImages",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


def store_on_s3(tmp_path, s3_endpoint, bucket, content, name):
    upload = tmp_path / "upload"
    upload.write_bytes(content)
    return run_django(
        STORE_UPLOAD,
        UPLOAD_PATH=str(upload),
        UPLOAD_NAME=name,
        DJANGO_MEDIA_S3_BUCKET=bucket,
        DJANGO_MEDIA_S3_ENDPOINT_URL=s3_endpoint,
        DJANGO_MEDIA_S3_ACCESS_KEY_ID=S3_KEYS["aws_access_key_id"],
        DJANGO_MEDIA_S3_SECRET_ACCESS_KEY=S3_KEYS["aws_secret_access_key"],
        **PRODUCTION,
    )


def origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def test_an_upload_to_s3_is_cleaned_renamed_and_stored_as_a_public_image(
    tmp_path, s3_endpoint, s3, bucket
):
    metadata = PngImagePlugin.PngInfo()
    metadata.add_text("Comment", "Client: Jane Doe, session notes attached")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8298] = "Jane Doe"  # Copyright
    content = png_bytes(size=(2400, 300), pnginfo=metadata, exif=exif)

    result = store_on_s3(tmp_path, s3_endpoint, bucket, content, "Jane Doe session.png")

    keys = {stored["Key"] for stored in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    [key] = [key for key in keys if STORED_KEY.match(key)]
    stem = key.removesuffix(".png")
    # Its smaller copies, and WebP copies (lossless, from a PNG) of every width.
    copies = {f"{stem}-{w}w.png" for w in (480, 800, 1200)} | {
        f"{stem}-{w}w.webp" for w in (480, 800, 1200, 1600)
    }
    assert keys == {key} | copies
    webp = s3.get_object(Bucket=bucket, Key=f"{stem}-480w.webp")
    assert webp["ContentType"] == "image/webp"
    assert webp["CacheControl"] == "public, max-age=31536000, immutable"
    assert f"{s3_endpoint}/{bucket}/{stem}-480w.webp 480w" in result["html"]
    assert result["url"] == f"{s3_endpoint}/{bucket}/{key}"  # public: no signature, no expiry
    obj = s3.get_object(Bucket=bucket, Key=key)
    assert obj["ContentType"] == "image/png"
    assert obj["CacheControl"] == "public, max-age=31536000, immutable"
    assert obj["ContentDisposition"] == "inline"
    with Image.open(BytesIO(obj["Body"].read())) as image:
        assert image.format == "PNG"
        assert image.size == (1600, 200)
        assert not image.getexif()
        assert "exif" not in image.info
        assert "Comment" not in image.info
    with urllib.request.urlopen(result["url"], timeout=10) as response:  # noqa: S310 (local)
        assert response.headers["Content-Type"] == "image/png"
    assert origin(result["url"]) in result["img_src"]
    assert result["media_routed"] is False


def test_an_html_file_disguised_as_a_jpeg_is_refused_and_nothing_is_written_to_s3(
    tmp_path, s3_endpoint, s3, bucket
):
    content = b"<!doctype html><script>alert(document.domain)</script>"

    result = store_on_s3(tmp_path, s3_endpoint, bucket, content, "photo.jpg")

    assert result["rejected"] == "unsupported_format"
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.mark.parametrize(
    "env",
    [
        {"DJANGO_MEDIA_S3_BUCKET": "practice-media"},
        {"DJANGO_MEDIA_S3_BUCKET": "practice-media", "DJANGO_MEDIA_S3_REGION": "eu-central-1"},
        {"DJANGO_MEDIA_S3_BUCKET": "media.example.org", "DJANGO_MEDIA_S3_REGION": "eu-west-3"},
        {"DJANGO_MEDIA_S3_BUCKET": "media.example.org"},
        {
            "DJANGO_MEDIA_S3_BUCKET": "practice-media",
            "DJANGO_MEDIA_S3_ENDPOINT_URL": "https://s3.fr-par.scw.cloud",
            "DJANGO_MEDIA_S3_REGION": "fr-par",
        },
        {"DJANGO_MEDIA_S3_BUCKET": "practice-media", "DJANGO_MEDIA_S3_CUSTOM_DOMAIN": "img.ex.org"},
    ],
)
def test_pages_may_show_images_from_wherever_s3_urls_point(env, tmp_path):
    # Building a public URL needs no network, so this checks the real URLs for each setup,
    # against the policy every response carries (the health check's, whose database is absent).
    code = (
        "from django.core.files.storage import default_storage\n"
        "from django.test import Client\n"
        "response = Client().get('/healthz', HTTP_X_FORWARDED_PROTO='https')\n"
        "result = [default_storage.url('uploads/a.png'), response['Content-Security-Policy']]"
    )

    url, policy = run_django(
        code,
        DJANGO_MEDIA_S3_ACCESS_KEY_ID="test-key",
        DJANGO_MEDIA_S3_SECRET_ACCESS_KEY="test-secret",
        DATABASE_URL=f"sqlite:///{tmp_path / 'missing-folder' / 'db.sqlite3'}",
        DJANGO_ALLOWED_HOSTS="testserver",
        **env,
        **PRODUCTION,
    )

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert url.endswith("/uploads/a.png") and "?" not in url
    assert directives["img-src"] == f"'self' {origin(url)}"
