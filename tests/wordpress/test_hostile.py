"""Hostile and odd exports: every one ends in a clear French message or a report, never a
traceback, a duplicate, a half-imported batch, or a file read outside --media-dir."""

from pathlib import Path

import pytest
from django.core.management import CommandError
from PIL import Image as PILImage

from articles.models import Article, Image
from tests.wordpress.hostile import attachment, export, post
from wordpress.models import ImportedItem

pytestmark = pytest.mark.django_db


def article(wp_id):
    item = ImportedItem.objects.get(kind="post", wp_id=str(wp_id))
    return Article.objects.select_related("category").get(pk=item.object_id)


# XML ------------------------------------------------------------------------------------------


def test_an_external_entity_is_never_read(run_import, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT-DE-PASSE")
    doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    path = export(tmp_path, post(1, "Titre", link="&xxe;"), doctype=doctype)
    with pytest.raises(CommandError, match="pas du XML bien formé"):
        run_import(str(path))
    assert not Article.objects.exists()


def test_an_external_dtd_is_never_fetched(run_import, tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY leak "FUITE">')
    doctype = f'<!DOCTYPE rss SYSTEM "file://{dtd}">\n'
    path = export(tmp_path, post(1, "Titre"), doctype=doctype)
    run_import(str(path))
    assert article(1).title == "Titre"


def test_a_parameter_entity_is_never_read(run_import, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MOT-DE-PASSE")
    doctype = f'<!DOCTYPE rss [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>\n'
    path = export(tmp_path, post(1, "Titre"), doctype=doctype)
    run_import(str(path))  # expat skips the external parameter entity
    assert article(1).title == "Titre"
    assert not Article.objects.filter(body__contains="MOT-DE-PASSE").exists()


def test_invalid_utf8_is_a_clear_message(run_import, tmp_path):
    path = export(tmp_path, post(1, "Titre"))
    path.write_bytes(path.read_bytes().replace(b"Titre", b"Ti\xff\xfetre"))
    with pytest.raises(CommandError, match="pas du XML bien formé"):
        run_import(str(path))


def test_a_byte_order_mark_is_read(run_import, tmp_path):
    path = export(tmp_path, post(1, "Titre"))
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    run_import(str(path))
    assert article(1).title == "Titre"


def test_an_rss_feed_that_is_not_an_export_is_refused(run_import, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Flux</title>'
        "<item><title>Un</title><link>https://x.example/1</link></item></channel></rss>"
    )
    with pytest.raises(CommandError, match="pas un export WordPress"):
        run_import(str(path))


def test_a_directory_given_as_the_export_is_a_clear_message(run_import, tmp_path):
    with pytest.raises(CommandError, match="Impossible de lire"):
        run_import(str(tmp_path))


# Attachments ----------------------------------------------------------------------------------


def jpeg(path, size=(40, 30)):
    path.parent.mkdir(parents=True, exist_ok=True)
    PILImage.new("RGB", size, (200, 10, 10)).save(path, "JPEG")
    return path


@pytest.fixture
def outside(tmp_path):
    """A picture next to the uploads folder, never to be read."""
    return jpeg(tmp_path / "outside" / "secret.jpg")


@pytest.mark.parametrize(
    "file",
    ["../outside/secret.jpg", "2024/../../outside/secret.jpg", "{outside}", "/{outside}"],
)
def test_an_attachment_path_never_leaves_the_media_dir(run_import, tmp_path, outside, file):
    path = export(tmp_path, attachment(9, file.format(outside=outside)))
    output = run_import(str(path))
    assert not Image.objects.exists()
    assert "image introuvable" in output


def test_a_symlink_out_of_the_media_dir_is_not_followed(run_import, tmp_path, uploads, outside):
    (uploads / "2024" / "03" / "lien.jpg").symlink_to(outside)
    (uploads / "dossier").symlink_to(outside.parent)
    path = export(tmp_path, attachment(9, "2024/03/lien.jpg"), attachment(10, "dossier/secret.jpg"))
    output = run_import(str(path))
    assert not Image.objects.exists()
    assert "image introuvable : 2" in output


def test_a_symlink_loop_is_reported_not_a_traceback(run_import, tmp_path, uploads):
    (uploads / "boucle.jpg").symlink_to(uploads / "boucle.jpg")
    path = export(tmp_path, attachment(9, "boucle.jpg"), post(1, body="<p>Texte</p>"))
    output = run_import(str(path))
    assert "image introuvable" in output
    assert Article.objects.count() == 1


def test_a_name_too_long_for_the_file_system_is_reported(run_import, tmp_path):
    path = export(tmp_path, attachment(9, "2024/" + "a" * 300 + ".jpg"), post(1))
    output = run_import(str(path))
    assert "image introuvable" in output
    assert Article.objects.count() == 1


def test_an_unreadable_file_is_reported(run_import, tmp_path, uploads, monkeypatch):
    jpeg(uploads / "2024" / "03" / "verrou.jpg")
    opened = Path.open

    def refused(self, *args, **kwargs):  # as for a file the importer's user may not read
        if self.name == "verrou.jpg":
            raise PermissionError(13, "Permission denied", str(self))
        return opened(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refused)
    path = export(tmp_path, attachment(9, "2024/03/verrou.jpg"), post(1))
    output = run_import(str(path))
    assert "image illisible : 2024/03/verrou.jpg" in output
    assert Article.objects.count() == 1


def test_a_directory_named_like_a_picture_is_reported(run_import, tmp_path, uploads):
    (uploads / "2024" / "03" / "dossier.jpg").mkdir()
    path = export(tmp_path, attachment(9, "2024/03/dossier.jpg"))
    assert "image introuvable" in run_import(str(path))


def test_a_text_file_named_jpg_is_refused(run_import, tmp_path, uploads):
    (uploads / "2024" / "03" / "faux.jpg").write_text("<?php system($_GET['c']); ?>")
    path = export(tmp_path, attachment(9, "2024/03/faux.jpg"))
    assert "image refusée" in run_import(str(path))
    assert not Image.objects.exists()


def test_a_decompression_bomb_is_refused(run_import, tmp_path, uploads):
    bomb = uploads / "2024" / "03" / "bombe.png"
    PILImage.new("1", (20000, 20000)).save(bomb)
    path = export(tmp_path, attachment(9, "2024/03/bombe.png"))
    assert "image refusée" in run_import(str(path))
    assert not Image.objects.exists()
