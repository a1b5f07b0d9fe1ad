"""``manage.py import_wordpress``: what a WordPress export becomes, and what must never happen."""

from datetime import UTC, datetime

import pytest
from django.core.management import CommandError
from taggit.models import Tag

from articles.models import Article, ArticleAuthor, Author, Category, Image
from pagecache.models import ContentVersion, PendingPurge
from tests.factories import ArticleFactory, UserFactory
from tests.wordpress.conftest import EXPORTS
from wordpress import importer
from wordpress.models import ImportedItem, OldAddress

pytestmark = pytest.mark.django_db


def article(wp_id):
    item = ImportedItem.objects.get(kind="post", wp_id=str(wp_id))
    return Article.objects.select_related("category", "featured_image").get(pk=item.object_id)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Article, Author, Category, Image, Tag, ArticleAuthor, OldAddress)
    }


def test_a_gutenberg_post_becomes_an_article(run_import):
    run_import()
    port = article(100)
    assert port.title == "Le port rouvre ses quais"
    assert port.slug == "le-port-rouvre"
    assert port.status == Article.Status.PUBLISHED
    assert port.published_at == datetime(2024, 3, 1, 9, 30, tzinfo=UTC)  # post_date_gmt
    assert port.lead == "Après six mois de travaux, le port rouvre ses quais aux pêcheurs."
    assert port.featured is True  # sticky
    assert port.seo_title == "Port : les quais rouvrent"  # Yoast's variables dropped
    assert port.meta_description == "Six mois de travaux et une saison sauvée."
    # The first category is the section, the others are tags.
    assert port.category.slug == "economie"
    assert {tag.name for tag in port.tag_list} == {"Pêche", "Société"}
    # dc:creator first, then the co-author (Co-Authors Plus).
    assert [a.name for a in port.byline_authors] == ["Marie Dupont", "Jean Martin"]
    picture = Image.objects.get()
    assert port.featured_image == picture  # _thumbnail_id
    assert picture.alt_text == "Des bateaux à quai"
    assert picture.caption == "Le port au lever du jour"
    assert "<!--" not in port.body
    assert (
        f'<figure data-image="{picture.pk}"><img src="{picture.file.url}" alt="Des bateaux à '
        'quai"><figcaption>Les quais, lundi matin.</figcaption></figure>' in port.body
    )
    assert (
        '<figure data-embed="youtube"><a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ">'
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ</a></figure>" in port.body
    )
    assert "<h2>Une saison sauvée</h2>" in port.body


def test_a_classic_body_gets_paragraphs_figures_and_loses_its_shortcodes(run_import):
    output = run_import()
    school = article(101)
    picture = Image.objects.get()
    assert school.body.startswith(
        "<p>Les élèves ont retrouvé <strong>leurs classes</strong> ce lundi.<br>\n"
        "Une seule ligne de plus.</p>"
    )
    # [caption] around a linked, resized copy of a library picture.
    assert (
        f'<figure data-image="{picture.pk}"><img src="{picture.file.url}" alt="Le port">'
        "<figcaption>Le port, vu du lycée</figcaption></figure>" in school.body
    )
    # A bare URL on its own line is an embed, as WordPress showed it.
    assert '<figure data-embed="vimeo"><a href="https://vimeo.com/76979871">' in school.body
    # Shortcodes go, text in brackets stays.
    assert "[gallery" not in school.body and "contact-form" not in school.body
    assert "Un mot [sic] dans le texte." in school.body
    assert "[gallery] × 1" in output and "[contact-form-7] × 1" in output
    # The picture whose file was not copied: removed from the body, reported.
    assert "perdue" not in school.body
    assert "image du corps introuvable (retirée) : 1" in output
    assert school.lead == "Les élèves ont retrouvé leurs classes."  # the excerpt


def test_sections_keep_two_levels_and_deeper_ones_are_folded_and_reported(run_import):
    output = run_import()
    education = Category.objects.get(slug="education")
    assert education.parent == Category.objects.get(slug="societe", parent=None)
    assert not Category.objects.filter(slug="lycees").exists()
    assert "societe › education › lycees → societe › education" in output
    school = article(101)  # filed under Lycées
    assert school.category == education
    assert [tag.name for tag in school.tag_list] == ["Lycées"]  # the folded name is kept


def test_yoast_primary_category_is_the_section(run_import):
    run_import()
    japan = article(102)
    assert japan.category.slug == "education"  # Yoast's primary, not the first (Économie)
    assert [tag.name for tag in japan.tag_list] == ["Économie"]


def test_statuses_scheduled_in_review_private_and_trash(run_import):
    output = run_import()
    festival = article(103)
    assert festival.status == Article.Status.PUBLISHED and festival.is_scheduled
    assert festival.published_at == datetime(2099, 7, 1, 7, 0, tzinfo=UTC)
    pending = article(104)
    assert pending.status == Article.Status.REVIEW and pending.published_at is None
    assert pending.slug == "brouillon-en-cours"  # no post_name yet: from the title
    assert not ImportedItem.objects.filter(wp_id__in=["105", "106"]).exists()
    assert not Article.objects.filter(title__in=["Note privée", "Vieil article"]).exists()
    assert "article privé : « Note privée » (WordPress 105)" in output
    assert "article à la corbeille : « Vieil article » (WordPress 106)" in output


def test_the_zero_gmt_date_is_read_in_the_site_time_zone(run_import):
    run_import()
    # 2024-02-05 08:00 in Paris (winter time), post_date_gmt 0000-00-00 00:00:00.
    assert article(101).published_at == datetime(2024, 2, 5, 7, 0, tzinfo=UTC)


def test_a_non_ascii_slug_gets_an_address_and_its_old_one_redirects(run_import, client):
    run_import()
    japan = article(102)
    assert japan.slug == "article-102"
    response = client.get("/2024/03/%E6%97%A5%E6%9C%AC/")
    assert response.status_code == 301
    assert response["Location"] == japan.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_links_between_posts_point_to_the_new_addresses(run_import):
    run_import()
    port, school = article(100), article(101)
    # The port's story links to the school's, which comes later in the file.
    assert f'<a href="{school.get_absolute_url()}">la rentrée au lycée</a>' in port.body
    # The school's links to the port's by /?p=100.
    assert f'<a href="{port.get_absolute_url()}">le port</a>' in school.body


def test_a_missing_media_file_is_reported_not_fatal(run_import):
    output = run_import()
    assert Image.objects.count() == 1
    assert "image introuvable : 2024/03/perdue.jpg (fichier joint 51)" in output
    assert Article.objects.count() == 5


def test_without_the_uploads_the_articles_are_imported_without_pictures(run_import):
    output = run_import(media_dir=None)
    assert Image.objects.count() == 0
    assert Article.objects.count() == 5
    assert article(100).featured_image is None
    assert "image absente (pas de --media-dir) : 2" in output


def test_pages_menus_comments_and_custom_types_are_counted_not_imported(run_import):
    output = run_import()
    assert not Article.objects.filter(title="Mentions légales").exists()
    for line in ("pages : 1", "entrées de menu : 1", "commentaires : 1", "type « product » : 1"):
        assert line in output


def test_authors_are_made_once_and_linked_to_staff_by_email(run_import):
    marie = UserFactory(username="marie", email="MARIE@gazette.example.fr", is_staff=True)
    run_import(link_staff=True)
    assert Author.objects.get(slug="marie-dupont").user == marie
    assert Author.objects.get(slug="jean-martin").user is None
    run_import(link_staff=True)
    assert Author.objects.count() == 2


def test_tags_already_there_in_another_case_or_form_are_reused(run_import):
    existing = Tag.objects.create(name="PÊCHE")
    run_import()
    names = [name.casefold() for name in Tag.objects.values_list("name", flat=True)]
    assert names.count("pêche") == 1
    assert existing in article(100).tag_list


def test_a_second_run_changes_nothing(run_import):
    run_import()
    before = counts()
    stamps = dict(Article.objects.values_list("pk", "updated_at"))
    output = run_import()
    assert counts() == before
    assert dict(Article.objects.values_list("pk", "updated_at")) == stamps
    assert "articles : 0 créé(s), 0 mis à jour, 5 inchangé(s)" in output


def newer_export(tmp_path, *replacements):
    text = (EXPORTS / "site-1.2.xml").read_text()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "newer.xml"
    path.write_text(text)
    return path


def test_a_newer_export_updates_what_changed(run_import, tmp_path):
    run_import()
    port = article(100)
    before = counts()
    newer = newer_export(
        tmp_path, ("six mois de travaux, le port", "sept mois de travaux, le port")
    )
    output = run_import(str(newer))
    assert "articles : 0 créé(s), 1 mis à jour, 4 inchangé(s)" in output
    updated = article(100)
    assert updated.pk == port.pk
    assert "sept mois" in updated.body
    assert [a.name for a in updated.byline_authors] == ["Marie Dupont", "Jean Martin"]
    assert counts() == before


def test_an_article_edited_in_newsroom_is_not_overwritten(run_import, tmp_path):
    run_import()
    port = article(100)
    port.title = "Le port rouvre enfin"
    port.save()
    newer = newer_export(
        tmp_path, ("six mois de travaux, le port", "sept mois de travaux, le port")
    )
    output = run_import(str(newer))
    kept = article(100)
    assert kept.title == "Le port rouvre enfin" and "six mois" in kept.body
    assert (
        "modifié dans Newsroom depuis le dernier import, non écrasé : "
        "« Le port rouvre ses quais » (WordPress 100)" in output
    )


def test_a_dry_run_writes_nothing(run_import, media_root):
    output = run_import(dry_run=True)
    assert "Essai (--dry-run) : rien n’a été enregistré." in output
    assert "articles : 5 créé(s)" in output
    assert set(counts().values()) == {0}
    assert not ImportedItem.objects.exists()
    assert not media_root.exists() or not any(media_root.rglob("*.jpg"))


@pytest.mark.parametrize("cut", [0.3, 0.7, 0.99])
def test_a_truncated_file_stops_with_a_message_and_writes_nothing(run_import, tmp_path, cut):
    text = (EXPORTS / "site-1.2.xml").read_text()
    truncated = tmp_path / "truncated.xml"
    truncated.write_text(text[: int(len(text) * cut)])
    with pytest.raises(CommandError, match=r"tronqué.*Rien n’a été écrit"):
        run_import(str(truncated))
    assert set(counts().values()) == {0}


def test_a_malformed_file_stops_with_a_message(run_import, tmp_path):
    broken = tmp_path / "broken.xml"
    broken.write_text((EXPORTS / "site-1.2.xml").read_text().replace("</item>", "</itme>", 3))
    with pytest.raises(CommandError, match=r"pas du XML bien formé.*ligne"):
        run_import(str(broken))
    assert set(counts().values()) == {0}


def test_a_file_that_is_not_an_export_is_refused(run_import, tmp_path):
    other = tmp_path / "feed.xml"
    other.write_text("<rss><channel><title>Un flux</title></channel></rss>")
    with pytest.raises(CommandError, match="pas un export WordPress"):
        run_import(str(other))
    with pytest.raises(CommandError, match="Impossible de lire"):
        run_import(str(tmp_path / "absent.xml"))


def test_entities_that_multiply_are_refused(run_import):
    with pytest.raises(CommandError, match="billion laughs"):
        run_import("billion-laughs.xml")
    assert not Article.objects.exists()


def test_a_wxr_1_1_export_with_a_permalink_structure(run_import, client):
    output = run_import("site-1.1.xml", permalinks="/%year%/%monthnum%/%postname%/")
    assert "WXR 1.1" in output
    budget = article(7)
    assert budget.lead == "Le budget a été adopté par 23 voix contre 6."
    assert budget.body.endswith("<p>Rendez-vous au prochain conseil, en <em>janvier</em>.</p>")
    assert budget.meta_description == "Le budget 2013 adopté par 23 voix."  # Rank Math
    assert [a.name for a in budget.byline_authors] == ["La Rédaction"]
    assert {tag.name for tag in budget.tag_list} == {"budget", "Conseil municipal"}
    # The address of its <link> and the one the structure builds both lead to it.
    for old in ("/politique/budget-vote/", "/2012/12/budget-vote/", "/?p=7"):
        response = client.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == budget.get_absolute_url()


def test_a_body_the_sanitiser_refuses_is_reported_and_the_rest_imported(run_import, tmp_path):
    bad = newer_export(
        tmp_path, ("<p>Un reportage au Japon.</p>", "<p>Un reportage</p><style>au Japon.")
    )
    output = run_import(str(bad))
    assert "corps refusé par le nettoyage : 1" in output
    assert "« 日本の漁業 » (WordPress 102)" in output
    assert Article.objects.count() == 4


def test_a_run_stopped_halfway_resumes_without_duplicates(run_import, monkeypatch):
    calls = {"n": 0}
    original = importer.Importer._posts

    def fail_second_batch(self, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(self, batch)

    monkeypatch.setattr(importer.Importer, "_posts", fail_second_batch)
    with pytest.raises(KeyboardInterrupt):
        run_import(batch_size=2)
    assert Article.objects.count() == 2  # the first batch is kept, the second rolled back
    monkeypatch.setattr(importer.Importer, "_posts", original)
    output = run_import(batch_size=2)
    # The port's story, from the first batch, links to the school's, which the stopped run
    # never made: its link is brought up to date.
    assert "articles : 3 créé(s), 0 mis à jour, 2 inchangé(s)" in output
    assert Article.objects.count() == 5
    assert article(101).get_absolute_url() in article(100).body
    assert "articles : 0 créé(s), 0 mis à jour, 5 inchangé(s)" in run_import()
    assert ImportedItem.objects.filter(kind="post").count() == 5


def test_a_big_import_queues_one_purge_per_batch_not_one_per_story(run_import, settings):
    settings.CDN_PURGE_BACKEND = "fastly"
    run_import(batch_size=2)
    keys = list(PendingPurge.objects.values_list("key", flat=True))
    assert set(keys) == {"site"}
    # Authors, sections, pictures, three batches of posts, the links, the other addresses.
    assert len(keys) <= 8


def test_an_edit_after_the_import_still_purges_its_pages(run_import, settings):
    run_import()
    settings.CDN_PURGE_BACKEND = "fastly"
    port = article(100)
    port.title = "Nouveau titre"
    port.save()
    assert f"article-{port.pk}" in set(PendingPurge.objects.values_list("key", flat=True))


def test_an_imported_slug_taken_by_a_newsroom_story_gets_a_suffix(run_import):
    ArticleFactory(slug="le-port-rouvre")
    run_import()
    assert article(100).slug == "le-port-rouvre-2"


@pytest.mark.django_db(transaction=True)
def test_a_big_import_starts_one_content_version_per_batch_not_one_per_story(run_import):
    def pages_version():
        return ContentVersion.objects.filter(scope="pages").values_list("number", flat=True).first()

    before = pages_version() or 0
    run_import(batch_size=1)
    # Authors, sections, pictures, five batches of one post, the links, the other addresses:
    # one version per transaction, whatever the rows each one writes.
    assert 0 < pages_version() - before <= 10
    started = pages_version()
    run_import(batch_size=1)  # nothing to write but the other addresses, already there
    assert pages_version() - started <= 1


def test_a_scheduled_post_imported_purges_the_site_at_its_publication_time(run_import, settings):
    """An import queues no key per story (``in_bulk``): the CDN must still be told when a
    scheduled post appears, or it keeps the lists without it for ``s-maxage``."""
    settings.CDN_PURGE_BACKEND = "fastly"
    run_import()
    festival = article(103)
    due = PendingPurge.objects.filter(due_at__gte=festival.published_at)
    assert "site" in set(due.values_list("key", flat=True))
