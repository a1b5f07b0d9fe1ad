"""The chooser's upload under hostile pictures: each one an image in the library or a French
400, never a 500 and never a file left behind."""

import io

import pytest
from PIL import Image as PILImage

from articles.models import Image
from tests.articles.test_chooser import _upload
from tests.articles.test_images import FRENCH_FILE_ERRORS, _png_declaring, _stored_files

pytestmark = pytest.mark.django_db


def _saved(mode, size, fmt, **params):
    buffer = io.BytesIO()
    PILImage.new(mode, size).save(buffer, fmt, **params)
    return buffer.getvalue()


def _animated_gif(frames, size=(64, 64)):
    buffer = io.BytesIO()
    images = [PILImage.new("P", size, color=i % 256) for i in range(frames)]
    images[0].save(buffer, "GIF", save_all=True, append_images=images[1:], duration=10, loop=0)
    return buffer.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script></svg>"
)
POLYGLOT = _saved("P", (10, 10), "GIF") + b"<html><script>alert(document.domain)</script></html>"

ACCEPTED = {
    "1x1": (_saved("RGB", (1, 1), "PNG"), "point.png"),
    "cmyk-jpeg": (_saved("CMYK", (120, 80), "JPEG"), "cmyk.jpg"),
    "16-bit-png": (_saved("I;16", (120, 80), "PNG"), "seize.png"),
    "grey-alpha-png": (_saved("LA", (120, 80), "PNG"), "gris.png"),
    "palette-transparency": (_saved("P", (120, 80), "PNG", transparency=0), "palette.png"),
    "animated-gif": (_animated_gif(200), "anime.gif"),
    "very-wide": (_saved("L", (20000, 2), "PNG"), "large.png"),
    "gif-html-polyglot": (POLYGLOT, "page.html"),
}
REFUSED = {
    "empty": (b"", "vide.jpg"),
    "svg": (SVG, "dessin.svg"),
    "svg-named-png": (SVG, "dessin.png"),
}


@pytest.mark.parametrize(("content", "name"), ACCEPTED.values(), ids=ACCEPTED.keys())
def test_odd_but_real_pictures_are_accepted_under_their_real_format(
    author_client, media_root, content, name
):
    response = _upload(author_client, content, name=name)

    assert response.status_code == 201, response.content.decode()[:2000]
    image = Image.objects.get()
    assert image.file.name.rsplit(".", 1)[1] in {"png", "jpg", "gif", "webp"}


@pytest.mark.parametrize(("content", "name"), REFUSED.values(), ids=REFUSED.keys())
def test_what_is_not_a_web_picture_is_refused_in_french(author_client, media_root, content, name):
    response = _upload(author_client, content, name=name)

    assert response.status_code == 400
    assert 'class="image-chooser__upload"' in response.content.decode()
    assert not Image.objects.exists()
    assert _stored_files(media_root) == []


def test_a_huge_square_is_refused_in_french(author_client, media_root):
    response = _upload(author_client, _png_declaring(20000, 20000), name="enorme.png")

    assert response.status_code == 400
    content = response.content.decode()
    assert any(message in content for message in {*FRENCH_FILE_ERRORS, "trop grande"}), content
    assert not Image.objects.exists()


def test_a_search_with_a_nul_character_is_a_bad_request_not_a_500(author_client):
    # PostgreSQL refuses a NUL: the admin refuses the address first (desk/sites.py).
    response = author_client.get("/admin/articles/image/chooser/", {"q": "mai\x00rie"})

    assert response.status_code == 400
