"""Hostile and odd exports: every one ends in a clear French message or a report, never a
traceback, a duplicate, a half-imported batch, or a file read outside --media-dir."""

from pathlib import Path

import pytest
from django.core.management import CommandError
from PIL import Image as PILImage

from articles.models import Article, Image
from tests.wordpress.hostile import attachment, category, export, post
from wordpress import bodies
from wordpress.models import ImportedItem, OldAddress

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


# Posts ----------------------------------------------------------------------------------------


def test_a_post_id_twice_in_one_batch_is_one_article_and_reported(run_import, tmp_path):
    path = export(tmp_path, post(1, "Premier"), post(1, "Second", slug="second"))
    output = run_import(str(path))
    assert Article.objects.count() == 1
    assert article(1).title == "Premier"
    assert "article en double dans l’export" in output


def test_a_post_id_twice_in_two_batches_is_one_article_and_reported(run_import, tmp_path):
    path = export(tmp_path, post(1, "Premier"), post(1, "Second", slug="second"))
    output = run_import(str(path), batch_size=1)
    assert Article.objects.count() == 1
    assert article(1).title == "Premier"
    assert "article en double dans l’export" in output


def test_a_post_id_with_spaces_around_it_is_never_imported_twice(run_import, tmp_path):
    path = export(tmp_path, post(" 1\n\t", "Premier"))
    run_import(str(path))
    run_import(str(path))
    assert Article.objects.count() == 1
    assert OldAddress.objects.filter(path="/?p=1").count() == 1


def test_two_posts_with_one_slug_and_date_both_keep_working(run_import, tmp_path, client):
    path = export(tmp_path, post(1, "Un", slug="meme"), post(2, "Deux", slug="meme"))
    run_import(str(path))
    assert sorted(Article.objects.values_list("slug", flat=True)) == ["meme", "meme-2"]
    # A newer export changes both: the slugs stay, no unique slug is broken.
    newer = export(
        tmp_path, post(1, "Un bis", slug="meme"), post(2, "Deux bis", slug="meme"), name="b.xml"
    )
    run_import(str(newer))
    assert sorted(Article.objects.values_list("title", flat=True)) == ["Deux bis", "Un bis"]
    assert client.get("/?p=2")["Location"] == article(2).get_absolute_url()


def test_a_new_post_taking_the_slug_of_an_imported_one_gets_a_suffix(run_import, tmp_path):
    run_import(str(export(tmp_path, post(1, "Un", slug="meme"))))
    newer = export(tmp_path, post(1, "Un", slug="meme"), post(2, "Deux", slug="meme"), name="b.xml")
    run_import(str(newer))
    assert article(1).slug == "meme" and article(2).slug == "meme-2"


def test_a_post_without_an_id_is_reported(run_import, tmp_path):
    path = export(tmp_path, post("", "Sans numéro"), post(2))
    output = run_import(str(path))
    assert Article.objects.count() == 1
    assert "article sans numéro WordPress" in output


def test_a_very_long_title_and_slug_are_cut_to_fit(run_import, tmp_path):
    path = export(tmp_path, post(1, "Très " * 60 + "long", slug="tres-" * 60 + "long"))
    run_import(str(path))
    story = article(1)
    assert len(story.title) <= 200 and len(story.slug) <= 120


@pytest.mark.parametrize("status", ["inherit", "auto-draft", "private", "trash"])
def test_statuses_that_are_not_stories_are_skipped(run_import, tmp_path, status):
    run_import(str(export(tmp_path, post(1, status=status))))
    assert not Article.objects.exists()


def test_an_unknown_status_is_a_draft(run_import, tmp_path):
    run_import(str(export(tmp_path, post(1, status="archived"))))
    assert article(1).status == Article.Status.DRAFT


# Dates ------------------------------------------------------------------------------------------


def test_a_published_post_without_any_date_is_published_now(run_import, tmp_path, client):
    zero = "0000-00-00 00:00:00"
    output = run_import(str(export(tmp_path, post(1, date=zero, gmt=zero))))
    assert "date de publication illisible, publié à la date de l’import : 1" in output
    story = article(1)
    assert story.is_visible
    assert client.get(story.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "date, gmt",
    [
        ("2024-02-30 10:00:00", "0000-00-00 00:00:00"),
        ("2024-13-01 10:00:00", "2024-13-01 09:00:00"),
        ("demain", "hier"),
        ("0001-01-01 00:00:00", "0000-00-00 00:00:00"),  # before year 1 in UTC
        ("9999-12-31 23:59:59", "0000-00-00 00:00:00"),
    ],
)
def test_an_impossible_date_never_stops_the_import(run_import, tmp_path, client, date, gmt):
    run_import(str(export(tmp_path, post(1, date=date, gmt=gmt), post(2))))
    assert Article.objects.count() == 2
    assert client.get(article(1).get_absolute_url()).status_code in (200, 404)


def test_a_local_time_in_the_dst_gap_is_read(run_import, tmp_path):
    # 2024-03-31 02:30 does not exist in Paris (clocks go from 2:00 to 3:00).
    run_import(
        str(export(tmp_path, post(1, date="2024-03-31 02:30:00", gmt="0000-00-00 00:00:00")))
    )
    assert article(1).published_at is not None


# Names ------------------------------------------------------------------------------------------


def test_a_loop_of_categories_is_reported_not_a_traceback(run_import, tmp_path):
    terms = category("a", parent="c") + category("b", parent="a") + category("c", parent="b")
    item = post(1, extra='<category domain="category" nicename="a"><![CDATA[a]]></category>')
    run_import(str(export(tmp_path, item, terms=terms)))
    assert Article.objects.count() == 1


def test_a_category_that_is_its_own_parent(run_import, tmp_path):
    item = post(1, extra='<category domain="category" nicename="a"><![CDATA[a]]></category>')
    run_import(str(export(tmp_path, item, terms=category("a", parent="a"))))
    assert article(1).category.slug == "a"


def test_a_category_whose_parent_is_missing_is_a_top_section(run_import, tmp_path):
    item = post(1, extra='<category domain="category" nicename="a"><![CDATA[a]]></category>')
    run_import(str(export(tmp_path, item, terms=category("a", parent="fantome"))))
    assert article(1).category.parent is None


def test_two_categories_with_no_latin_letter_stay_two_sections(run_import, tmp_path):
    terms = category("%e7%b5%8c%e6%b8%88", "経済") + category("%e6%94%bf%e6%b2%bb", "政治")
    items = [
        post(1, extra='<category domain="category" nicename="%e7%b5%8c%e6%b8%88">経済</category>'),
        post(2, extra='<category domain="category" nicename="%e6%94%bf%e6%b2%bb">政治</category>'),
    ]
    run_import(str(export(tmp_path, *items, terms=terms)))
    assert article(1).category != article(2).category
    assert {article(1).category.name, article(2).category.name} == {"経済", "政治"}


def test_emoji_and_empty_tags_do_not_stop_the_import(run_import, tmp_path, client):
    tags = "".join(
        f'<category domain="post_tag" nicename="{slug}"><![CDATA[{name}]]></category>'
        for slug, name in [("%f0%9f%94%a5", "🔥"), ("vide", ""), ("espace", " \u200b "),
                           ("fi", "ﬁn"), ("fin", "fin")]
    )  # fmt: skip
    terms = "<wp:tag><wp:tag_slug>%f0%9f%94%a5</wp:tag_slug><wp:tag_name>🔥</wp:tag_name></wp:tag>"
    run_import(str(export(tmp_path, post(1, extra=tags), terms=terms)))
    assert [tag.name for tag in article(1).tag_list] == ["fin", "🔥"]
    response = client.get("/tag/%F0%9F%94%A5/", follow=True)
    assert response.status_code == 200


# Bodies -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "block",
    [
        '{"url":123}',
        '{"url":["https://youtu.be/x"]}',
        '{"url":null}',
        '{"url":{"a":1}}',
        "[1, 2]",
        '{"a":' + "[" * 100_000 + "]" * 100_000 + "}",
    ],
)
def test_an_embed_block_with_odd_json_keeps_the_text(run_import, tmp_path, block):
    body = f"<!-- wp:embed {block} -->\n<p>Le texte</p>\n<!-- /wp:embed -->"
    run_import(str(export(tmp_path, post(1, body=body))))
    assert "Le texte" in article(1).body


def test_a_block_comment_with_an_arrow_in_its_json_leaves_no_comment(run_import, tmp_path):
    body = '<!-- wp:paragraph {"note":"a --> b"} -->\n<p>Texte</p>\n<!-- /wp:paragraph -->'
    output = run_import(str(export(tmp_path, post(1, body=body))))
    assert "<!--" not in article(1).body and "Texte" in article(1).body, output


@pytest.mark.parametrize(
    "body",
    [
        "<p>Avant</p><script>alert(1)</script><p>Après</p>",
        '<p>Avant</p><iframe src="https://evil.example/"></iframe><p>Après</p>',
        '<p><a href="javascript:alert(1)">Avant</a> Après</p>',
        '<p onclick="alert(1)">Avant Après</p>',
        '[caption caption="&lt;script&gt;alert(1)&lt;/script&gt;"]Avant Après[/caption]',
        "[embed]javascript:alert(1)[/embed] Avant Après",
        '<p>Avant <img src="x" onerror="alert(1)"> Après</p>',
        "<svg><script>alert(1)</script></svg><p>Avant Après</p>",
    ],
)
def test_a_hostile_body_never_reaches_readers_as_script(run_import, tmp_path, body):
    run_import(str(export(tmp_path, post(1, body=body))))
    story = Article.objects.first()
    if story is not None:
        stored = story.body.lower()
        for bad in ("<script", '="javascript:', " onerror=", " onclick=", "<iframe", "<svg"):
            assert bad not in stored


@pytest.mark.parametrize(
    "piece",
    ["<!-- wp:embed {} -->", "[caption]", '<figure class="x">', "<p><figure>", " " * 20],
)
def test_a_huge_body_of_unclosed_markup_is_converted(piece):
    # Each of these, repeated, once made the conversion quadratic or (embed blocks) cubic:
    # 20 kB of unclosed embed blocks took 33 s, 200 kB would take days.
    converter = bodies.Converter(lambda *a: None, lambda wp_id: None, {}, {"hostile.example.fr"})
    converted = converter.convert("début " + piece * 10_000 + " fin").html
    assert "début" in converted and "fin" in converted


# Runs again -------------------------------------------------------------------------------------


def test_a_newer_export_changing_a_slug_keeps_the_old_address(run_import, tmp_path, client):
    run_import(str(export(tmp_path, post(1, slug="ancien"))))
    run_import(str(export(tmp_path, post(1, slug="nouveau"), name="b.xml")))
    story = article(1)
    assert story.slug == "nouveau"
    for old in ("/2024/03/ancien/", "/2024/03/nouveau/", "/?p=1"):
        assert client.get(old)["Location"] == story.get_absolute_url(), old


def test_an_article_deleted_in_newsroom_comes_back_with_its_addresses(run_import, tmp_path, client):
    path = export(tmp_path, post(1))
    run_import(str(path))
    article(1).delete()
    output = run_import(str(path))
    assert "articles : 1 créé(s)" in output
    assert Article.objects.count() == 1
    assert client.get("/?p=1")["Location"] == article(1).get_absolute_url()


def test_a_dry_run_of_a_newer_export_changes_nothing(run_import, tmp_path, media_root, uploads):
    jpeg(uploads / "2024" / "03" / "a.jpg")
    run_import(str(export(tmp_path, post(1), attachment(9, "2024/03/a.jpg"))))
    files = sorted(p for p in media_root.rglob("*") if p.is_file())
    story = article(1)
    newer = export(
        tmp_path, post(1, "Autre titre"), post(2), attachment(9, "2024/03/a.jpg"),
        attachment(10, "2024/03/a.jpg"), name="b.xml",
    )  # fmt: skip
    output = run_import(str(newer), dry_run=True)
    assert "1 mis à jour" in output
    assert article(1).title == story.title and Article.objects.count() == 1
    assert Image.objects.count() == 1 and OldAddress.objects.filter(path="/?p=2").count() == 0
    assert sorted(p for p in media_root.rglob("*") if p.is_file()) == files
