"""``manage.py regenerate_renditions``: renditions made again from the originals."""

from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import transaction

from articles import images
from articles.models import Image
from tests.factories import ImageFactory

pytestmark = pytest.mark.django_db


def _regenerate(*args):
    out, err = StringIO(), StringIO()
    call_command("regenerate_renditions", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _renditions(picture):
    return images.file_names(picture.file.name, picture.width)[1:]


def _read(picture, name):
    with picture.file.storage.open(name) as file:
        return file.read()


def _spoil(picture, name, content=b"not what was made"):
    picture.file.storage.delete(name)
    picture.file.storage.save(name, ContentFile(content))


def test_every_image_gets_its_renditions_again_and_a_second_run_changes_nothing():
    first, second = ImageFactory(), ImageFactory()
    made = {name: _read(first, name) for name in _renditions(first)}
    first.file.storage.delete(_renditions(first)[0])
    _spoil(second, _renditions(second)[1])

    out, err = _regenerate()

    assert "[1/2]" in out and "[2/2]" in out
    assert "2 image(s) regenerated" in out
    assert err == ""
    assert {name: _read(first, name) for name in _renditions(first)} == made
    assert _read(second, _renditions(second)[1]) != b"not what was made"
    again = {name: _read(first, name) for name in _renditions(first)}
    _regenerate()
    assert {name: _read(first, name) for name in _renditions(first)} == again


def test_missing_regenerates_only_the_images_with_a_file_missing():
    damaged, whole = ImageFactory(), ImageFactory()
    damaged.file.storage.delete(_renditions(damaged)[0])
    _spoil(whole, _renditions(whole)[0])  # present: --missing leaves it alone

    out, _err = _regenerate("--missing")

    assert damaged.file.storage.exists(_renditions(damaged)[0])
    assert _read(whole, _renditions(whole)[0]) == b"not what was made"
    assert "1 image(s) regenerated, 1 left as they were" in out


def test_image_regenerates_only_the_images_named():
    chosen, other = ImageFactory(), ImageFactory()
    for picture in (chosen, other):
        picture.file.storage.delete(_renditions(picture)[0])

    _regenerate("--image", str(chosen.pk))

    assert chosen.file.storage.exists(_renditions(chosen)[0])
    assert not other.file.storage.exists(_renditions(other)[0])


def test_an_unknown_image_id_is_an_error_before_any_work():
    picture = ImageFactory()
    picture.file.storage.delete(_renditions(picture)[0])

    with pytest.raises(CommandError, match="No image with id 999999"):
        _regenerate("--image", str(picture.pk), "999999")
    assert not picture.file.storage.exists(_renditions(picture)[0])


def test_failures_are_reported_at_the_end_and_the_other_images_carry_on():
    lost, broken, fine = ImageFactory(), ImageFactory(), ImageFactory()
    lost.file.storage.delete(lost.file.name)
    _spoil(broken, broken.file.name, b"GIF89a broken")
    fine.file.storage.delete(_renditions(fine)[0])

    with pytest.raises(CommandError) as failure:
        _regenerate()

    message = str(failure.value)
    assert "2 image(s) could not be regenerated" in message
    assert f"image {lost.pk}: its original is missing" in message
    assert f"image {broken.pk}:" in message
    assert fine.file.storage.exists(_renditions(fine)[0])
    assert Image.objects.count() == 3  # nothing deleted


@pytest.mark.django_db(transaction=True)
def test_new_rendition_widths_are_written_and_the_old_ones_deleted_once_committed(monkeypatch):
    picture = ImageFactory(file__width=1000, file__height=500)
    before = set(_renditions(picture))
    monkeypatch.setattr(images, "RENDITION_WIDTHS", (480, 800))

    _regenerate()

    after = set(_renditions(picture))
    assert after != before
    assert all(picture.file.storage.exists(name) for name in after)
    assert not any(picture.file.storage.exists(name) for name in before - after)


@pytest.mark.django_db(transaction=True)
def test_a_regeneration_rolled_back_leaves_the_files_of_the_committed_row(monkeypatch):
    picture = ImageFactory(file__width=1000, file__height=500)
    # As if stored when the original was 700 pixels wide: no 960-pixel renditions.
    Image.objects.filter(pk=picture.pk).update(width=700)
    picture.refresh_from_db()
    before = set(images.file_names(picture.file.name, picture.width))
    images.delete_files(
        picture.file.storage,
        set(_renditions(picture)) ^ set(images.file_names(picture.file.name, 1000)[1:]),
    )

    with pytest.raises(RuntimeError), transaction.atomic():
        assert picture.regenerate_renditions()
        raise RuntimeError("the caller's transaction fails")

    picture.refresh_from_db()
    assert picture.width == 700
    kept = set(images.file_names(picture.file.name, 700))
    assert all(picture.file.storage.exists(name) for name in kept & before)
    made_for_1000 = set(images.file_names(picture.file.name, 1000)) - before
    assert made_for_1000
    assert not any(picture.file.storage.exists(name) for name in made_for_1000)


@pytest.mark.django_db(transaction=True)
def test_new_widths_for_one_image_leave_another_images_renditions_alone(monkeypatch):
    first = ImageFactory(file__width=1000, file__height=500, file__filename="photo.jpg")
    second = ImageFactory(file__width=1000, file__height=500, file__filename="photo-2.jpg")
    third = ImageFactory(file__width=1000, file__height=500, file__filename="photo.jpg")
    others = {name for picture in (second, third) for name in _renditions(picture)}
    monkeypatch.setattr(images, "RENDITION_WIDTHS", (480, 800))

    _regenerate("--image", str(first.pk))

    assert all(first.file.storage.exists(name) for name in others)
