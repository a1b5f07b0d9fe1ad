"""Before publishing: the search-result and share-card previews, the full address beside the
slug, and the checklist that warns without blocking."""

import html
import re

from django.urls import reverse

from articles import seo
from articles.models import Article
from desk import prepublish
from tests.articles.test_admin import submit
from tests.desk.conftest import story_of
from tests.factories import ImageFactory


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def _meta(page, attribute, name):
    match = re.search(rf'<meta {attribute}="{name}" content="([^"]*)"', page)
    return match.group(1) if match else None


def test_the_preview_shows_what_the_reader_page_tells_search_engines(
    editor_client, author_user, client
):
    article = story_of(
        author_user,
        title="Municipales : la gauche unie dès le premier tour",
        seo_title="",
        meta_description="",
        lead="Les quatre partis présenteront une liste commune. " * 6,
        featured_image=ImageFactory(width=1600, height=900),
    )
    preview = prepublish.preview(article)
    reader_page = client.get(article.get_absolute_url()).content.decode()

    assert f"<title>{html.escape(preview.search_title.text)}</title>" in reader_page
    assert html.unescape(_meta(reader_page, "name", "description")) == (
        preview.search_description.text
    )
    assert html.unescape(_meta(reader_page, "property", "og:title")) == preview.card_title.text
    assert preview.url.endswith(article.get_absolute_url())
    assert _meta(reader_page, "property", "og:image").endswith(preview.image["url"])


def test_counters_say_when_a_title_or_description_will_be_cut(editor_client, author_user):
    article = story_of(
        author_user,
        title="Un titre bien trop long pour tenir dans un résultat de recherche Google ordinaire",
        lead="Court.",
    )

    page = editor_client.get(change_url(article)).content.decode()
    preview = prepublish.preview(article)

    assert preview.search_title.is_cut and not preview.search_description.is_cut
    assert preview.search_title.shown.endswith("…")
    assert len(preview.search_title.shown) == prepublish.SEARCH_TITLE_CHARS
    counter = re.search(r'<p class="[^"]*" data-counter="search-title".*?</p>', page, re.S).group(0)
    assert "desk-counter--cut" in counter and "sera coupé" in counter
    assert f"{preview.search_title.length}</span> / 60" in counter
    description = re.search(
        r'<p class="[^"]*" data-counter="search-description".*?</p>', page, re.S
    ).group(0)
    assert "desk-counter--cut" not in description


def test_the_full_address_is_shown_beside_the_slug(editor_client, author_user, settings):
    article = story_of(author_user, draft=True)

    page = editor_client.get(change_url(article)).content.decode()

    address = settings.NEWSROOM_SITE_URL.rstrip("/") + article.get_absolute_url()
    assert address in page
    assert page.index('id="id_slug"') < page.index(address) < page.index('id="id_lead"')
    assert "(pas encore en ligne)" in page


def test_the_checklist_warns_of_what_is_missing_without_blocking(editor_client, author_user):
    article = story_of(
        author_user,
        status=Article.Status.REVIEW,
        published_at=None,
        featured_image=None,
        lead=" ".join(["mot"] * 45),
        body='<figure><img src="/media/x.jpg" alt=""><figcaption>x</figcaption></figure>',
    )

    warnings = dict(prepublish.checklist(article))
    page = editor_client.get(change_url(article)).content.decode()
    response = submit(editor_client, change_url(article), status="published")

    assert set(warnings) == {"no_picture", "body_alt", "long_lead"}
    assert "Pas d’image principale" in page
    assert "Le chapeau compte 45 mots" in page
    assert response.status_code == 302  # published all the same
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


def test_the_checklist_of_a_complete_story_is_empty_and_says_so(editor_client, author_user):
    article = story_of(author_user, featured_image=ImageFactory(), lead="Un chapeau court.")

    page = editor_client.get(change_url(article)).content.decode()

    assert prepublish.checklist(article) == []
    assert "Rien à signaler." in page


def test_a_new_article_warns_that_it_has_no_section(editor_client):
    page = editor_client.get(reverse("admin:articles_article_add"))

    assert page.status_code == 200
    assert "Pas de rubrique" in page.content.decode()
    assert "L’adresse apparaît après le premier enregistrement." in page.content.decode()


def test_the_preview_uses_the_seo_fields_when_given(author_user):
    article = story_of(author_user, seo_title="Titre pour Google", meta_description="Résumé.")

    preview = prepublish.preview(article)

    assert preview.card_title.text == "Titre pour Google"
    assert preview.search_title.text == seo.page_title(article)
    assert preview.search_description.text == "Résumé."


def test_the_preview_script_is_loaded_by_the_form(editor_client):
    page = editor_client.get(reverse("admin:articles_article_add")).content.decode()

    assert '<script src="/static/js/desk-preview.js"' in page
