"""The admin's lists of articles and images: what they show, their filters, and a number of
queries that does not grow with the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from tests.desk.conftest import story_of
from tests.factories import ImageFactory

ARTICLES = reverse("admin:articles_article_changelist")
IMAGES = reverse("admin:articles_image_changelist")


def listed(response):
    return [article.title for article in response.context["cl"].result_list]


def test_the_list_shows_title_section_authors_state_and_dates(editor_client, author_user):
    story_of(author_user, status=Article.Status.REVIEW, published_at=None, title="À relire")

    page = editor_client.get(ARTICLES).content.decode()

    for column in ("title", "category", "author_names", "publication_state", "published"):
        assert f"column-{column}" in page
    assert "column-updated" in page
    assert "newsroom-state--review" in page  # coloured by state
    assert "Paul Rédacteur" in page


def test_my_articles_is_one_click_from_the_list(editor_client, editor, author_user):
    mine = story_of(editor, title="Le mien")
    story_of(author_user, title="Celui de Paul")

    page = editor_client.get(ARTICLES).content.decode()
    response = editor_client.get(ARTICLES, {"mine": "1"})

    assert "?mine=1" in page and "Mes articles" in page
    assert listed(response) == [mine.title]


def test_the_in_review_filter(editor_client, author_user):
    story_of(author_user, draft=True, title="Brouillon")
    waiting = story_of(author_user, status=Article.Status.REVIEW, published_at=None, title="Attend")
    story_of(author_user, scheduled=True, title="Programmé")

    assert listed(editor_client.get(ARTICLES, {"state": "review"})) == [waiting.title]
    assert listed(editor_client.get(ARTICLES, {"state": "scheduled"})) == ["Programmé"]
    assert "En relecture" in editor_client.get(ARTICLES).content.decode()


def test_stories_not_yet_out_come_first(editor_client, author_user):
    story_of(author_user, title="Publié")
    story_of(author_user, status=Article.Status.REVIEW, published_at=None, title="En relecture")

    assert listed(editor_client.get(ARTICLES))[0] == "En relecture"


@pytest.mark.parametrize("url", [ARTICLES, IMAGES])
def test_list_queries_do_not_grow_with_the_rows(
    editor_client, author_user, url, django_assert_num_queries
):
    def add_rows():
        for _ in range(3):
            story_of(author_user, featured_image=ImageFactory())
            story_of(author_user, draft=True)

    add_rows()
    editor_client.get(url)  # content types and permissions cached
    with CaptureQueriesContext(connection) as few:
        assert editor_client.get(url).status_code == 200
    add_rows()
    add_rows()
    with django_assert_num_queries(len(few)):
        response = editor_client.get(url)
    assert len(response.context["cl"].result_list) == (18 if url == ARTICLES else 9)


def test_the_images_list_shows_thumbnails(editor_client):
    image = ImageFactory()

    page = editor_client.get(IMAGES).content.decode()

    assert f'src="{image.thumbnail_url()}"' in page
