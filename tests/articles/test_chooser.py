"""The body editor's image chooser: the library searched, and an upload checked as in the admin."""

import html
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Image
from articles.sanitizing import EMBED_PROVIDERS
from tests.articles.test_images import (
    FRENCH_FILE_ERRORS,
    _image_bytes,
    _png_declaring,
    _stored_files,
)
from tests.articles.test_images import _upload as upload
from tests.factories import ArticleFactory, ImageFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/admin/articles/image/chooser/"


def _upload(client, content, **kwargs):
    return upload(client, content, url=URL, **kwargs)


def test_the_chooser_is_at_its_admin_address():
    assert reverse("admin:articles_image_chooser") == URL


def test_the_chooser_lists_the_library_newest_first_with_thumbnails(author_client):
    older = ImageFactory(caption="Le marché couvert")
    newer = ImageFactory(caption="La gare routière")

    response = author_client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("La gare routière") < content.index("Le marché couvert")
    assert f'data-id="{newer.pk}"' in content and f'data-id="{older.pk}"' in content
    assert newer.thumbnail_url() in content
    assert f'data-src="{newer.fallback_url}"' in content
    assert "Rechercher par légende, texte alternatif ou crédit" in content


@pytest.mark.parametrize(
    ("field", "value"),
    [("caption", "Le pont levant"), ("alt_text", "Un pont levant ouvert"), ("credit", "AFP")],
)
def test_the_chooser_searches_captions_alt_texts_and_credits(author_client, field, value):
    kept = ImageFactory(**{field: value})
    other = ImageFactory(caption="Autre", alt_text="Autre chose", credit="Rédaction")

    content = author_client.get(URL, {"q": value.split()[-1]}).content.decode()

    assert f'data-id="{kept.pk}"' in content
    assert f'data-id="{other.pk}"' not in content


def test_a_search_without_result_says_so_in_french(author_client):
    ImageFactory(caption="Le port")

    content = author_client.get(URL, {"q": "introuvable"}).content.decode()

    assert "Aucune image ne correspond à « introuvable »." in content


def test_the_chooser_is_paginated_with_a_constant_number_of_queries(author_client):
    def queries(page):
        with CaptureQueriesContext(connection) as captured:
            response = author_client.get(URL, {"page": page})
        assert response.status_code == 200
        return len(captured), response.content.decode()

    ImageFactory.create_batch(3)
    few, _content = queries(1)
    ImageFactory.create_batch(20)
    many, first = queries(1)
    _count, second = queries(2)

    assert many == few
    assert first.count('class="image-chooser__choice"') == 18
    assert second.count('class="image-chooser__choice"') == 5
    assert "Page 1 sur 2" in first and "Plus anciennes" in first


def test_an_upload_from_the_chooser_creates_the_image_and_answers_what_to_insert(author_client):
    response = _upload(author_client, _image_bytes(800, 600))

    assert response.status_code == 201
    image = Image.objects.get()
    assert json.loads(response.content) == {
        "id": image.pk,
        "src": image.fallback_url,
        "alt": "Une photo",
        "caption": "La place de la mairie",
    }
    assert (image.width, image.height) == (800, 600)


def _truncated_jpeg():
    complete = _image_bytes(400, 300, noise=True)
    return complete[: len(complete) // 2]


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"Ceci n'est pas une image.\n" * 40, "photo.jpg"),
        (_truncated_jpeg(), "photo.jpg"),
        (_png_declaring(100_000, 100_000), "bombe.png"),
    ],
    ids=["not-an-image", "truncated", "bomb"],
)
def test_an_upload_from_the_chooser_is_checked_as_in_the_admin_with_french_errors(
    author_client, media_root, content, name
):
    response = _upload(author_client, content, name=name)

    _assert_refused_in_french(response, media_root, FRENCH_FILE_ERRORS)


def test_an_image_with_too_many_pixels_is_refused_in_french(author_client, media_root, settings):
    settings.IMAGE_MAX_PIXELS = 100 * 100

    response = _upload(author_client, _image_bytes(400, 300))

    _assert_refused_in_french(response, media_root, {"Cette image est trop grande"})


def _assert_refused_in_french(response, media_root, messages):
    assert response.status_code == 400
    content = response.content.decode()
    assert any(message in content for message in messages), content
    assert 'class="image-chooser__upload"' in content
    assert not Image.objects.exists()
    assert _stored_files(media_root) == []


def test_an_upload_without_alt_text_is_refused_in_french(author_client):
    response = _upload(author_client, _image_bytes(400, 300), alt_text="")

    assert response.status_code == 400
    assert "Ce champ est obligatoire." in response.content.decode()
    assert not Image.objects.exists()


def test_the_upload_needs_the_csrf_token(author_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author_user)

    response = _upload(client, _image_bytes(400, 300))

    assert response.status_code == 403
    assert not Image.objects.exists()


def test_staff_without_the_image_permissions_get_nothing(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    ImageFactory(caption="Réservé")

    assert client.get(URL).status_code == 403
    assert _upload(client, _image_bytes(400, 300)).status_code == 403
    assert Image.objects.count() == 1


def test_staff_who_may_view_but_not_add_images_choose_without_the_upload_tab(db):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_image"))
    client = Client()
    client.force_login(user)
    ImageFactory(caption="Visible")

    content = client.get(URL).content.decode()

    assert "Visible" in content and "image-chooser__upload" not in content
    assert _upload(client, _image_bytes(400, 300)).status_code == 403
    assert Image.objects.count() == 1


def test_readers_are_sent_to_the_sign_in_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_chooser_refuses_other_methods(author_client):
    assert author_client.put(URL).status_code == 405


def test_an_image_in_a_published_body_by_reference_is_protected_from_authors(author_client):
    image = ImageFactory()
    # The reference alone names it: the address in the body may be another copy's.
    ArticleFactory(
        body=f'<figure data-image="{image.pk}"><img src="/media/copie.jpg" alt="x"></figure>'
    )

    assert Image.objects.get(pk=image.pk).is_shown_to_readers
    response = author_client.post(f"/admin/articles/image/{image.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Image.objects.filter(pk=image.pk).exists()


def test_the_body_editor_loads_the_pictures_and_embeds_extension_in_french(author_client):
    content = author_client.get("/admin/articles/article/add/").content.decode()

    config = json.loads(
        html.unescape(re.search(r'data-django-prose-editor-configurable="([^"]*)"', content)[1])
    )
    assert any(module.endswith("js/body-media.js") for module in config["js_modules"])
    figure = config["extensions"]["Figure"]
    assert figure["chooserUrl"] == URL
    assert figure["strings"]["button"] == "Insérer une image de la médiathèque"
    assert set(config["extensions"]["Embed"]["providers"]) == EMBED_PROVIDERS
    assert "css/body-media.css" in content
