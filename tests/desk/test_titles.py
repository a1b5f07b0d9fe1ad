"""The admin's page titles read as French whatever the model's name (Django's own say
« Ajout de article »)."""

import re

import pytest

from tests.factories import ArticleFactory, ImageFactory

pytestmark = pytest.mark.django_db


def _heading(response):
    assert response.status_code == 200
    return re.search(r"<h1>(.*?)</h1>", response.content.decode()).group(1)


@pytest.mark.parametrize(
    ("address", "title"),
    [
        ("/admin/articles/article/add/", "Ajouter : article"),
        ("/admin/articles/image/add/", "Ajouter : image"),
        ("/admin/articles/author/add/", "Ajouter : auteur"),
    ],
)
def test_an_add_page_is_titled_in_french(editor_client, address, title):
    assert _heading(editor_client.get(address)) == title


def test_a_change_page_is_titled_in_french(editor_client):
    article = ArticleFactory()
    image = ImageFactory()

    assert _heading(editor_client.get(f"/admin/articles/article/{article.pk}/change/")) == (
        "Modifier : article"
    )
    assert _heading(editor_client.get(f"/admin/articles/image/{image.pk}/change/")) == (
        "Modifier : image"
    )
