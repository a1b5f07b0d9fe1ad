import os
import struct
import zlib
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PILImage

from articles import images
from articles.models import Image

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/image/add/"


def _image_bytes(width=400, height=300, image_format="JPEG", noise=False):
    if noise:
        picture = PILImage.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        picture = PILImage.new("RGB", (width, height), "steelblue")
    buffer = BytesIO()
    picture.save(buffer, image_format)
    return buffer.getvalue()


def _png_declaring(width, height):
    """A tiny PNG whose header announces ``width`` × ``height`` pixels."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


def _upload(client, content, name="photo.jpg", content_type="image/jpeg", alt_text="Une photo"):
    return client.post(
        ADD_URL,
        {
            "file": SimpleUploadedFile(name, content, content_type=content_type),
            "alt_text": alt_text,
            "caption": "La place de la mairie",
            "credit": "Photo : Rédaction",
        },
    )


def _stored_files(media_root):
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def test_valid_jpeg_is_stored_with_its_size_and_renditions(editor_client, media_root):
    response = _upload(editor_client, _image_bytes(400, 300))

    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == (400, 300)
    assert image.alt_text == "Une photo"
    assert (media_root / image.file.name).is_file()
    for extension in ("webp", "jpg"):
        rendition = images.rendition_name(image.file.name, 320, extension)
        assert default_storage.exists(rendition), rendition
    webp = default_storage.open(images.rendition_name(image.file.name, 320, "webp"))
    with webp, PILImage.open(webp) as rendition:
        assert rendition.format == "WEBP"
        assert rendition.size == (320, 240)


def test_wide_image_gets_a_rendition_at_each_smaller_width(editor_client):
    response = _upload(editor_client, _image_bytes(1000, 500))

    assert response.status_code == 302
    image = Image.objects.get()
    for width in (320, 640, 960):
        for extension in ("webp", "jpg"):
            assert default_storage.exists(images.rendition_name(image.file.name, width, extension))
    assert not default_storage.exists(images.rendition_name(image.file.name, 1280, "webp"))


def _assert_refused(response, media_root, field="file"):
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert field in form.errors
    assert not Image.objects.exists()
    assert _stored_files(media_root) == []


def test_text_file_renamed_jpg_is_refused(editor_client, media_root):
    response = _upload(editor_client, b"Ceci n'est pas une image.\n" * 40)

    _assert_refused(response, media_root)


def test_truncated_jpeg_is_refused(editor_client, media_root):
    complete = _image_bytes(400, 300, noise=True)
    truncated = complete[: len(complete) // 2]
    assert truncated.startswith(b"\xff\xd8\xff")

    response = _upload(editor_client, truncated)

    _assert_refused(response, media_root)


def test_image_with_more_pixels_than_allowed_is_refused(editor_client, media_root, settings):
    settings.IMAGE_MAX_PIXELS = 100 * 100

    response = _upload(editor_client, _image_bytes(400, 300))

    _assert_refused(response, media_root)


def test_png_declaring_huge_dimensions_is_refused(editor_client, media_root):
    bomb = _png_declaring(100_000, 100_000)

    response = _upload(editor_client, bomb, name="bombe.png", content_type="image/png")

    _assert_refused(response, media_root)


def test_png_declaring_just_over_the_pixel_limit_is_refused(editor_client, media_root, settings):
    # Under Pillow's own limit: only the site's IMAGE_MAX_PIXELS stands in the way.
    settings.IMAGE_MAX_PIXELS = 1_000_000
    bomb = _png_declaring(2_000, 2_000)

    response = _upload(editor_client, bomb, name="bombe.png", content_type="image/png")

    _assert_refused(response, media_root)


def test_file_over_the_upload_size_limit_is_refused(editor_client, media_root, settings):
    content = _image_bytes(200, 200, noise=True)
    settings.IMAGE_MAX_UPLOAD_BYTES = len(content) - 1

    response = _upload(editor_client, content)

    _assert_refused(response, media_root)


def test_image_in_a_format_browsers_do_not_show_is_refused(editor_client, media_root):
    response = _upload(editor_client, _image_bytes(40, 30, image_format="BMP"), name="photo.bmp")

    _assert_refused(response, media_root)


def test_alt_text_is_required(editor_client, media_root):
    response = _upload(editor_client, _image_bytes(400, 300), alt_text="")

    _assert_refused(response, media_root, field="alt_text")


def test_author_can_upload_an_image(author_client):
    response = _upload(author_client, _image_bytes(400, 300))

    assert response.status_code == 302
    assert Image.objects.count() == 1
