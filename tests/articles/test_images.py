import os
import re
import struct
import zlib
from io import BytesIO

import factory
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import translation
from PIL import Image as PILImage

from articles import images
from articles.models import Image
from tests.factories import ArticleFactory, ImageFactory

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/articles/image/add/"
FRENCH_FILE_ERRORS = {
    "Le fichier soumis est vide.",
    "Téléversez une image valide. Le fichier que vous avez transféré n’est pas une image ou "
    "bien est corrompu.",
    "Ce fichier n’est pas une image valide, ou il est endommagé.",
}


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


def _upload(
    client, content, name="photo.jpg", content_type="image/jpeg", alt_text="Une photo", url=ADD_URL
):
    return client.post(
        url,
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


def _png_bytes(width, height, mode="RGB"):
    buffer = BytesIO()
    PILImage.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def _files_of(image):
    """What an image should have on disk: its original and each rendition."""
    extensions = {"webp", images.original_extension(image.file.name)}
    renditions = [
        images.rendition_name(image.file.name, width, extension)
        for width in images.rendition_widths(image.width)
        for extension in extensions
    ]
    return sorted([image.file.name, *renditions])


def _stored_as(image, name):
    """Whether ``image`` is stored under ``name`` in its month's folder, with the random suffix
    that makes every stored name new."""
    stem, extension = name.rsplit(".", 1)
    pattern = rf"images/\d{{4}}/\d{{2}}/{re.escape(stem)}-[a-z0-9]{{8}}\.{extension}"
    return re.fullmatch(pattern, image.file.name) is not None


def _media_files(media_root):
    return sorted(str(path.relative_to(media_root)) for path in _stored_files(media_root))


@pytest.mark.parametrize("size", [(1, 20_000), (200, 17_000), (20_000, 1)])
def test_extreme_aspect_ratio_is_stored_with_renditions_each_format_can_hold(
    editor_client, media_root, size
):
    response = _upload(editor_client, _png_bytes(*size), name="bande.png")

    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == size
    assert _media_files(media_root) == _files_of(image)
    for width in images.rendition_widths(image.width):
        assert max(_rendition(image, width, "webp").size) <= 16_383


def _encoded(picture, image_format, **options):
    buffer = BytesIO()
    picture.save(buffer, image_format, **options)
    return buffer.getvalue()


def _rendition(image, width, extension):
    with default_storage.open(images.rendition_name(image.file.name, width, extension)) as file:
        rendition = PILImage.open(file)
        rendition.load()
        return rendition


def test_one_pixel_image_is_stored_with_one_pixel_renditions(editor_client, media_root):
    response = _upload(editor_client, _png_bytes(1, 1), name="pixel.png")

    assert response.status_code == 302
    image = Image.objects.get()
    assert _media_files(media_root) == _files_of(image)
    assert _rendition(image, 1, "png").size == (1, 1)


def test_animated_gif_gets_still_renditions(editor_client, media_root):
    frames = [PILImage.new("P", (400, 300), colour) for colour in (1, 2, 3)]
    content = _encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)

    response = _upload(editor_client, content, name="anime.gif", content_type="image/gif")

    assert response.status_code == 302
    image = Image.objects.get()
    assert image.file.name.endswith(".gif")
    assert _media_files(media_root) == _files_of(image)
    assert _rendition(image, 320, "gif").format == "GIF"


def test_cmyk_jpeg_gets_rgb_renditions(editor_client, media_root):
    content = _encoded(PILImage.new("CMYK", (400, 300), (0, 255, 255, 0)), "JPEG")

    response = _upload(editor_client, content)

    assert response.status_code == 302
    image = Image.objects.get()
    assert _media_files(media_root) == _files_of(image)
    assert _rendition(image, 320, "jpg").mode == "RGB"


def test_sixteen_bit_grey_png_keeps_its_tones_in_renditions(editor_client, media_root):
    grey = _encoded(PILImage.new("I;16", (400, 300), 30_000), "PNG")

    response = _upload(editor_client, grey, name="gris.png", content_type="image/png")

    assert response.status_code == 302
    image = Image.objects.get()
    for extension in ("png", "webp"):
        red, green, blue = _rendition(image, 320, extension).convert("RGB").getpixel((10, 10))
        assert 110 < red == green == blue < 125  # 30,000 of 65,535, not clipped to white


def test_palette_png_keeps_its_transparency_in_renditions(editor_client, media_root):
    picture = PILImage.new("P", (400, 300), 0)
    picture.putpalette([255, 0, 0, 0, 0, 255])
    picture.paste(1, (200, 0, 400, 300))
    content = _encoded(picture, "PNG", transparency=0)

    response = _upload(editor_client, content, name="logo.png", content_type="image/png")

    assert response.status_code == 302
    image = Image.objects.get()
    for extension in ("png", "webp"):
        rendition = _rendition(image, 320, extension).convert("RGBA")
        assert rendition.getpixel((10, 10))[3] == 0
        assert rendition.getpixel((310, 10)) == (0, 0, 255, 255)


def test_photo_turned_by_exif_is_stored_upright(editor_client, media_root):
    exif = PILImage.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    content = _encoded(PILImage.new("RGB", (400, 300), "steelblue"), "JPEG", exif=exif)

    response = _upload(editor_client, content)

    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == (300, 400)
    assert _media_files(media_root) == _files_of(image)
    assert _rendition(image, 300, "webp").size == (300, 400)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("vide.jpg", b""),
        ("dessin.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("coupe.png", _png_bytes(400, 300)[:-40]),
    ],
)
def test_file_that_is_not_a_whole_web_image_is_refused_in_french(
    editor_client, media_root, name, content
):
    with translation.override("fr"):
        response = _upload(editor_client, content, name=name)

    _assert_refused(response, media_root)
    (message,) = response.context["adminform"].form.errors["file"]
    assert message in FRENCH_FILE_ERRORS


def test_polyglot_png_with_html_is_stored_as_a_png(editor_client, media_root):
    polyglot = _png_bytes(400, 300) + b"<html><script>alert(document.cookie)</script></html>"

    response = _upload(editor_client, polyglot, name="page.html", content_type="text/html")

    assert response.status_code == 302
    image = Image.objects.get()
    assert image.file.name.endswith(".png")
    assert all(name.endswith((".png", ".webp")) for name in _media_files(media_root))


@pytest.mark.parametrize(
    ("name", "content", "extension"),
    [
        ("rapport.pdf", _png_bytes(400, 300), "png"),
        ("photo.png", _image_bytes(400, 300), "jpg"),
        ("photo.jpg_large", _image_bytes(400, 300), "jpg"),
        ("anim.jpg", _image_bytes(400, 300, image_format="GIF"), "gif"),
        ("photo.jpeg", _image_bytes(400, 300, image_format="WEBP"), "webp"),
    ],
)
def test_upload_is_stored_under_its_real_format_extension_with_its_renditions(
    editor_client, media_root, name, content, extension
):
    response = _upload(editor_client, content, name=name)

    assert response.status_code == 302
    image = Image.objects.get()
    assert image.file.name.endswith(f".{extension}")
    assert _media_files(media_root) == _files_of(image)
    assert {path.rsplit(".", 1)[1] for path in _media_files(media_root)} == {extension, "webp"}


@pytest.mark.parametrize(
    "name",
    [
        "../../../etc/passwd.png",
        "..\\..\\windows\\photo.png",
        "Été à Paris – « vue » ＰＨＯＴＯ\u202egnp.exe",
        "🔥.png",
        ".png",
        "a" * 300 + ".png",
    ],
)
def test_uploaded_name_becomes_a_short_ascii_slug_in_the_images_folder(
    editor_client, media_root, name
):
    response = _upload(editor_client, _png_bytes(40, 30), name=name)

    assert response.status_code == 302
    stored = Image.objects.get().file.name
    assert re.fullmatch(r"images/\d{4}/\d{2}/[a-z0-9][a-z0-9_-]{0,59}\.png", stored), stored
    assert _media_files(media_root) == _files_of(Image.objects.get())


def test_file_saved_through_the_orm_is_named_after_its_real_format(media_root):
    image = Image(alt_text="Un graphique")
    image.file.save("graphique.pdf", ContentFile(_png_bytes(400, 300)), save=False)
    image.save()

    assert _stored_as(image, "graphique.png")
    assert _media_files(media_root) == _files_of(image)


def test_failed_rendition_leaves_no_file_and_no_row(editor_client, media_root, monkeypatch):
    real_save = FileSystemStorage._save

    def disk_full_at_the_third_file(storage, name, content):
        if len(_stored_files(media_root)) == 2:
            raise OSError(28, "No space left on device")
        return real_save(storage, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full_at_the_third_file)

    with pytest.raises(OSError):
        _upload(editor_client, _image_bytes(1000, 500))

    assert not Image.objects.exists()
    assert _stored_files(media_root) == []


def test_image_row_refused_by_the_database_leaves_no_file(media_root):
    image = Image(file=ContentFile(_image_bytes(400, 300), name="photo.jpg"), alt_text=None)

    with pytest.raises(IntegrityError):
        image.save()

    assert _stored_files(media_root) == []


def test_upload_in_a_rolled_back_savepoint_leaves_no_file(media_root):
    with pytest.raises(RuntimeError), transaction.atomic():
        ImageFactory()
        assert len(_stored_files(media_root)) == 3
        raise RuntimeError

    assert not Image.objects.exists()
    assert _stored_files(media_root) == []


@pytest.mark.django_db(transaction=True)
def test_upload_in_a_rolled_back_transaction_leaves_no_file_and_a_committed_one_stays(
    media_root,
):
    with pytest.raises(RuntimeError), transaction.atomic():
        ImageFactory()
        raise RuntimeError
    assert _stored_files(media_root) == []

    with transaction.atomic():
        kept = ImageFactory()

    assert _media_files(media_root) == _files_of(kept)


def _replace_file(client, image, content, name="nouvelle.png"):
    return client.post(
        f"/admin/articles/image/{image.pk}/change/",
        {
            "file": SimpleUploadedFile(name, content, content_type="image/png"),
            "alt_text": image.alt_text,
            "caption": image.caption,
            "credit": image.credit,
        },
    )


def test_replacing_the_file_removes_the_old_files_once_committed(
    editor_client, media_root, django_capture_on_commit_callbacks
):
    image = ImageFactory(file=factory.django.ImageField(width=1000, height=500))
    old_files = _files_of(image)

    with django_capture_on_commit_callbacks(execute=True):
        response = _replace_file(editor_client, image, _png_bytes(700, 400))

    assert response.status_code == 302
    image.refresh_from_db()
    assert _stored_as(image, "nouvelle.png")
    assert (image.width, image.height) == (700, 400)
    assert _media_files(media_root) == _files_of(image)
    assert not set(old_files) & set(_files_of(image))


def test_replacing_the_file_in_a_rolled_back_transaction_keeps_the_old_files(media_root):
    image = ImageFactory()
    old_files = _files_of(image)

    with pytest.raises(RuntimeError), transaction.atomic():
        image.file = ContentFile(_png_bytes(700, 400), name="nouvelle.png")
        image.save()
        raise RuntimeError

    assert _media_files(media_root) == old_files


def test_refused_replacement_keeps_the_image_and_its_files(editor_client, media_root):
    image = ImageFactory()
    old_files = _files_of(image)

    response = _replace_file(editor_client, image, b"GIF89a pas vraiment")

    assert response.status_code == 200
    assert "file" in response.context["adminform"].form.errors
    assert _media_files(media_root) == old_files


def test_deleting_an_image_removes_its_files_once_committed(
    editor_client, media_root, django_capture_on_commit_callbacks
):
    image = ImageFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(f"/admin/articles/image/{image.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Image.objects.exists()
    assert _stored_files(media_root) == []


def test_deleting_images_in_bulk_removes_their_files_once_committed(
    media_root, django_capture_on_commit_callbacks
):
    ImageFactory.create_batch(2)

    with django_capture_on_commit_callbacks(execute=True):
        Image.objects.all().delete()

    assert _stored_files(media_root) == []


def test_rolled_back_deletion_keeps_the_files(media_root):
    image = ImageFactory()
    files = _files_of(image)

    with pytest.raises(RuntimeError), transaction.atomic():
        image.delete()
        raise RuntimeError

    assert _media_files(media_root) == files


def test_image_loaded_without_its_file_and_saved_keeps_its_files(media_root):
    image = ImageFactory()
    files = _files_of(image)

    with pytest.raises(RuntimeError), transaction.atomic():
        partial = Image.objects.only("alt_text").get()
        partial.alt_text = "Nouvelle description"
        partial.save()
        raise RuntimeError

    assert _media_files(media_root) == files


def test_new_file_on_an_image_loaded_without_its_file_replaces_the_old_files(
    media_root, django_capture_on_commit_callbacks
):
    ImageFactory()
    partial = Image.objects.only("alt_text").get()

    with django_capture_on_commit_callbacks(execute=True):
        partial.file = ContentFile(_png_bytes(700, 400), name="nouvelle.png")
        partial.save()

    assert _media_files(media_root) == _files_of(Image.objects.get())


def test_phone_jpeg_with_a_second_picture_is_stored_as_a_jpeg(editor_client, media_root):
    first, second = PILImage.new("RGB", (400, 300)), PILImage.new("RGB", (400, 300), "blue")
    content = _encoded(first, "MPO", save_all=True, append_images=[second])

    response = _upload(editor_client, content, name="IMG_0042.JPG")

    assert response.status_code == 302
    image = Image.objects.get()
    assert _stored_as(image, "img_0042.jpg")
    assert _media_files(media_root) == _files_of(image)


@pytest.mark.parametrize("uploaded", ["photo.png", "photo.gif", "PHOTO.webp"])
def test_an_upload_under_a_published_pictures_name_in_another_format_leaves_its_files_alone(
    author_client, editor_client, media_root, django_capture_on_commit_callbacks, uploaded
):
    # Renditions are named after the original's name without its extension: photo.jpg and
    # photo.png would share renditions/…/photo-320w.webp.
    published = ImageFactory()  # photo.jpg
    ArticleFactory(featured_image=published)
    before = {name: (media_root / name).read_bytes() for name in _files_of(published)}
    red = _encoded(PILImage.new("RGB", (400, 300), "red"), uploaded.rpartition(".")[2].upper())

    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(author_client, red, name=uploaded, content_type="image/png")
        upload = Image.objects.exclude(pk=published.pk).get()
        editor_client.post(f"/admin/articles/image/{upload.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert {name: (media_root / name).read_bytes() for name in _files_of(published)} == before


def test_a_deleted_pictures_names_are_never_given_again(
    editor_client, media_root, django_capture_on_commit_callbacks
):
    # Media are cached for a year, immutable (deploy/nginx/newsroom.conf): a name once served
    # must never hold another picture.
    with django_capture_on_commit_callbacks(execute=True):
        _upload(editor_client, _image_bytes(1000, 500), name="photo.jpg")
        first = Image.objects.get()
        first_files = _files_of(first)
        editor_client.post(f"/admin/articles/image/{first.pk}/delete/", {"post": "yes"})
    assert _stored_files(media_root) == []

    _upload(editor_client, _image_bytes(1000, 500), name="photo.jpg")

    again = Image.objects.get()
    assert _stored_as(again, "photo.jpg")
    assert not set(_files_of(again)) & set(first_files)  # original and every rendition
    assert _media_files(media_root) == _files_of(again)


def test_the_same_upload_twice_gets_two_names(media_root):
    names = {ImageFactory(file__filename="photo.jpg").file.name for _upload in range(2)}

    assert len(names) == 2
