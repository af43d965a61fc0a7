"""Images dropped into the Markdown editor: who may upload, what is accepted, what is stored."""

import random
import re
import struct
import zlib
from http import HTTPStatus
from io import BytesIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import ExifTags, Image, ImageFile, PngImagePlugin

from images.uploads import MAX_BYTES, MAX_WIDTH, MESSAGES, prepare_image
from tests.support.factories import make_clinician, make_user

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/editor/upload/"
# What markdownx's JavaScript sends with every request.
AJAX = {"x-requested-with": "XMLHttpRequest"}
STORED_IMAGE_CODE = re.compile(
    r"^!\[Describe this image\]\(/media/(uploads/\d{4}/\d{2}/[0-9a-f]{32}\.(jpg|png|webp))\)$"
)


# --- Helpers ------------------------------------------------------------------------------------


def image_bytes(image_format, size=(64, 48), mode="RGB", color="teal", **save_options):
    buffer = BytesIO()
    Image.new(mode, size, color).save(buffer, image_format, **save_options)
    return buffer.getvalue()


def noise_png(width, height):
    """A real PNG that barely compresses, so its file size is about width * height * 3."""
    pixels = random.Random(width * height).randbytes(width * height * 3)
    buffer = BytesIO()
    Image.frombytes("RGB", (width, height), pixels).save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def png_claiming_size(width, height):
    """A tiny PNG whose header claims `width` x `height` pixels (a pixel-flood attack)."""
    data = bytearray(image_bytes("PNG", size=(1, 1)))
    # Bytes 16-23 are IHDR's width and height; 12-28 (type + data) are covered by its CRC.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def as_upload(content, name="photo.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_upload(client, content, name="photo.jpg", content_type="image/jpeg"):
    return client.post(UPLOAD_URL, {"image": as_upload(content, name, content_type)}, headers=AJAX)


def stored_image(response, media):
    """Open the file an accepted upload's image_code points to."""
    match = STORED_IMAGE_CODE.match(response.json()["image_code"])
    assert match, response.json()
    return Image.open(media / match[1])


def stored_files(media):
    return [path for path in media.rglob("*") if path.is_file()]


def prepared(content, name="photo.jpg"):
    return Image.open(BytesIO(prepare_image(as_upload(content, name)).read()))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def clinician_client(client):
    client.force_login(make_clinician())
    return client


# --- Where markdownx sends uploads ----------------------------------------------------------------


def test_editor_widget_sends_uploads_to_our_view(clinician_client):
    # The address the editor's JavaScript posts dropped images to, as the page gives it.
    html = clinician_client.get("/admin/blog/post/add/").content.decode()

    assert reverse("editor_upload") == UPLOAD_URL
    assert f'data-markdownx-upload-urls-path="{UPLOAD_URL}"' in html


# --- Accepted images ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image_format", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")]
)
def test_valid_image_is_stored_under_a_server_chosen_name(
    clinician_client, media, image_format, extension
):
    response = post_upload(
        clinician_client, image_bytes(image_format), name="evil.html", content_type="text/html"
    )

    assert response.status_code == HTTPStatus.OK
    stored = stored_image(response, media)
    assert stored.format == image_format
    assert stored.size == (64, 48)
    assert response.json()["image_code"].endswith(f".{extension})")
    original = Path(stored.filename)
    # Beside it, only its own copies in other formats (tests/images/test_image_sizes.py).
    assert {path.stem.removesuffix("-64w") for path in stored_files(media)} == {original.stem}


def test_image_code_asks_the_clinician_to_describe_the_image(clinician_client):
    response = post_upload(clinician_client, image_bytes("JPEG"))

    assert response.json()["image_code"].startswith("![Describe this image](/media/uploads/")


def test_phone_jpeg_with_a_second_picture_is_accepted_as_a_jpeg(clinician_client, media):
    photo, depth_map = Image.new("RGB", (64, 48), "teal"), Image.new("RGB", (32, 24), "gray")
    buffer = BytesIO()
    photo.save(buffer, "MPO", save_all=True, append_images=[depth_map])
    assert Image.open(BytesIO(buffer.getvalue())).format == "MPO"

    response = post_upload(clinician_client, buffer.getvalue())

    assert response.status_code == HTTPStatus.OK
    stored = stored_image(response, media)
    assert (stored.format, stored.size) == ("JPEG", (64, 48))


def test_image_between_2_5_and_5_mb_is_accepted_from_a_temporary_file(
    clinician_client, media, settings
):
    content = noise_png(1100, 1000)
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE < len(content) < MAX_BYTES

    response = post_upload(clinician_client, content, name="scan.png")

    assert response.status_code == HTTPStatus.OK
    assert stored_image(response, media).size == (1100, 1000)


def test_gps_and_camera_details_are_removed_from_a_stored_jpeg(clinician_client, media):
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Clinic Phone 12"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (45.0, 31.0, 12.0),
    }
    content = image_bytes(
        "JPEG", exif=exif, comment=b"session notes", xmp=b"<x:xmpmeta>client name</x:xmpmeta>"
    )
    assert Image.open(BytesIO(content)).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    response = post_upload(clinician_client, content)

    stored = stored_image(response, media)
    assert not stored.getexif()
    assert not {"exif", "xmp", "comment", "icc_profile"} & set(stored.info)
    raw = Path(stored.filename).read_bytes()
    for secret in (b"Exif", b"Clinic Phone", b"session notes", b"client name"):
        assert secret not in raw


def test_text_and_colour_profile_are_removed_from_a_stored_png(clinician_client, media):
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Jane Client")
    content = image_bytes("PNG", pnginfo=text, icc_profile=b"a colour profile")

    response = post_upload(clinician_client, content, name="photo.png")

    stored = stored_image(response, media)
    assert not {"Author", "icc_profile", "exif"} & set(stored.info)
    assert b"Jane Client" not in Path(stored.filename).read_bytes()


def test_exif_orientation_is_applied_to_the_pixels():
    # Stored sideways: red on the left, blue on the right; orientation 6 means "turn clockwise".
    sideways = Image.new("RGB", (200, 100), "blue")
    sideways.paste("red", (0, 0, 100, 100))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    buffer = BytesIO()
    sideways.save(buffer, "JPEG", exif=exif)

    upright = prepared(buffer.getvalue())

    assert upright.size == (100, 200)
    red, green, blue = upright.getpixel((50, 20))
    assert red > 200 and green < 50 and blue < 50
    red, green, blue = upright.getpixel((50, 180))
    assert blue > 200 and red < 50 and green < 50
    assert ExifTags.Base.Orientation not in upright.getexif()


def test_wide_image_is_scaled_to_1600_px_keeping_its_aspect_ratio():
    assert prepared(image_bytes("JPEG", size=(3200, 1000))).size == (MAX_WIDTH, 500)


def test_narrow_image_keeps_its_size():
    assert prepared(image_bytes("PNG", size=(800, 3000)), "tall.png").size == (800, 3000)


def test_png_transparency_is_kept():
    image = Image.new("RGBA", (10, 10), (255, 0, 0, 255))
    image.putpixel((0, 0), (0, 0, 0, 0))
    buffer = BytesIO()
    image.save(buffer, "PNG")

    stored = prepared(buffer.getvalue(), "logo.png")

    assert stored.mode == "RGBA"
    assert stored.getpixel((0, 0))[3] == 0
    assert stored.getpixel((5, 5)) == (255, 0, 0, 255)


def test_palette_png_with_a_transparent_colour_keeps_its_transparency():
    content = image_bytes("PNG", mode="P", color=0, transparency=0)

    stored = prepared(content, "icon.png")

    assert stored.getpixel((0, 0))[3] == 0


def test_cmyk_jpeg_is_stored_as_rgb():
    stored = prepared(image_bytes("JPEG", mode="CMYK", color=(0, 255, 255, 0)))

    assert stored.format == "JPEG"
    assert stored.mode == "RGB"


def test_animated_webp_keeps_only_its_first_frame():
    red, blue = Image.new("RGB", (20, 20), "red"), Image.new("RGB", (20, 20), "blue")
    buffer = BytesIO()
    red.save(buffer, "WEBP", save_all=True, append_images=[blue], duration=100, lossless=True)
    assert Image.open(BytesIO(buffer.getvalue())).n_frames == 2

    stored = prepared(buffer.getvalue(), "wave.webp")

    assert getattr(stored, "n_frames", 1) == 1
    red_value, green_value, blue_value = stored.convert("RGB").getpixel((10, 10))
    assert red_value > 200 and blue_value < 50


# --- Rejected files -------------------------------------------------------------------------------


def test_html_disguised_as_a_jpeg_is_rejected(clinician_client, media):
    content = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"

    response = post_upload(clinician_client, content, name="photo.jpg", content_type="image/jpeg")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"error": MESSAGES["unsupported_format"]}
    assert stored_files(media) == []


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (image_bytes("GIF"), "animation.gif", "image/gif"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="9"/></svg>',
            "drawing.svg",
            "image/svg+xml",
        ),
    ],
    ids=["gif", "svg"],
)
def test_gif_and_svg_are_rejected(clinician_client, media, content, name, content_type):
    response = post_upload(clinician_client, content, name=name, content_type=content_type)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"error": MESSAGES["unsupported_format"]}
    assert stored_files(media) == []


def test_image_over_5_mb_is_rejected(clinician_client, media):
    content = noise_png(1400, 1400)  # a real, modest-sized image; only its bytes are too many
    assert len(content) > MAX_BYTES

    response = post_upload(clinician_client, content, name="scan.png", content_type="image/png")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"error": MESSAGES["too_many_bytes"]}
    assert stored_files(media) == []


def test_size_is_checked_before_the_file_is_read():
    class HugeUpload:
        size = MAX_BYTES + 1

        def read(self, *args):
            raise AssertionError("read a file that was already known to be too big")

        seek = read

    with pytest.raises(ValidationError) as rejection:
        prepare_image(HugeUpload())

    assert rejection.value.code == "too_many_bytes"


def test_size_limit_holds_when_the_reported_size_is_wrong():
    upload = as_upload(b"\xff\xd8" + b"\x00" * MAX_BYTES)
    upload.size = 100

    with pytest.raises(ValidationError) as rejection:
        prepare_image(upload)

    assert rejection.value.code == "too_many_bytes"


@pytest.mark.parametrize(
    ("width", "height"),
    [(8000, 6000), (10000, 10000), (20000, 20000)],
    ids=["over-our-limit", "over-pillow-warning", "over-pillow-error"],
)
def test_pixel_flood_is_rejected_before_any_pixel_is_decoded(monkeypatch, width, height):
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image: decoded.append(image))

    with pytest.raises(ValidationError) as rejection:
        prepare_image(as_upload(png_claiming_size(width, height), "flood.png"))

    assert rejection.value.code == "too_many_pixels"
    assert decoded == []


def test_pixel_flood_upload_is_rejected(clinician_client, media):
    content = png_claiming_size(10000, 10000)

    response = post_upload(clinician_client, content, name="flood.png", content_type="image/png")

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"error": MESSAGES["too_many_pixels"]}
    assert stored_files(media) == []


def test_truncated_jpeg_is_rejected(clinician_client, media):
    complete = image_bytes("JPEG", size=(400, 300), color="orange")

    response = post_upload(clinician_client, complete[: len(complete) // 2])

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json() == {"error": MESSAGES["unreadable"]}
    assert stored_files(media) == []


def test_upload_without_a_file_is_rejected(clinician_client):
    response = clinician_client.post(UPLOAD_URL, {}, headers=AJAX)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "No image was received" in response.json()["error"]


# --- Request bodies and CSRF ----------------------------------------------------------------------


@pytest.fixture
def csrf_client():
    """A logged-in clinician whose requests are CSRF-checked, as a browser's are."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_clinician())
    client.get(reverse("admin:index"))  # sets the CSRF cookie, as opening the editor does
    return client


@pytest.mark.parametrize("limit", ["field_size", "file_count"])
def test_request_over_djangos_limits_gets_a_json_400(csrf_client, settings, limit):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 1
    data = {"csrfmiddlewaretoken": csrf_client.cookies["csrftoken"].value}
    if limit == "field_size":
        data |= {"image": as_upload(image_bytes("JPEG")), "notes": "x" * 2000}
    else:
        data |= {"image": [as_upload(image_bytes("JPEG")), as_upload(image_bytes("PNG"))]}

    response = csrf_client.post(UPLOAD_URL, data, headers=AJAX)

    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "could not be received" in response.json()["error"]


def test_upload_with_the_forms_csrf_token_is_accepted(csrf_client):
    token = csrf_client.cookies["csrftoken"].value

    response = csrf_client.post(
        UPLOAD_URL,
        {"csrfmiddlewaretoken": token, "image": as_upload(image_bytes("JPEG"))},
        headers=AJAX,
    )

    assert response.status_code == HTTPStatus.OK


def test_upload_without_a_csrf_token_is_refused(csrf_client, media):
    response = csrf_client.post(UPLOAD_URL, {"image": as_upload(image_bytes("JPEG"))}, headers=AJAX)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert stored_files(media) == []


# --- Who may upload -------------------------------------------------------------------------------


def test_anonymous_visitor_may_not_upload(client, media):
    response = post_upload(client, image_bytes("JPEG"))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert stored_files(media) == []


def test_staff_without_permission_to_edit_posts_may_not_upload(client, media):
    staff = make_user("reception")
    assert not staff.has_perm("blog.change_post")
    client.force_login(staff)

    response = post_upload(client, image_bytes("JPEG"))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert stored_files(media) == []


def test_get_is_not_allowed(clinician_client):
    response = clinician_client.get(UPLOAD_URL)

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
