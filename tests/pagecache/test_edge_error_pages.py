"""What a CDN may keep of the answers that are not pages: a 404 (a story not yet published,
withdrawn, an address that does not exist) or a redirect (an old slug, an old section) carries
no keys, so no purge could reach it. The site tells every shared cache not to keep them; only
reader pages (200), which carry their keys, are kept."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["varnish", "fastly", "cloudflare", "nginx"])
def backend(request, settings):
    settings.CDN_PURGE_BACKEND = request.param
    settings.PAGE_CACHE_SHARED_MAX_AGE = 3600
    return request.param


def _kept_by_no_shared_cache(response):
    control = response.get("Cache-Control", "")
    assert "s-maxage" not in control and "public" not in control, control
    assert "private" in control and "no-cache" in control, control


def _answers(story):
    client = Client()
    scheduled = ArticleFactory(
        category=story.category, published_at=timezone.now() + timedelta(hours=1)
    )
    withdrawn = ArticleFactory(category=story.category, status=Article.Status.DRAFT)
    old_address = story.get_absolute_url().replace(story.slug, "ancien-titre")
    return {
        "scheduled": client.get(scheduled.get_absolute_url()),
        "withdrawn": client.get(withdrawn.get_absolute_url()),
        "old slug": client.get(old_address),
        "no such section": client.get("/rubrique-inconnue/"),
        "no such page of a list": client.get(story.category.get_absolute_url() + "?page=99"),
        "no such tag": client.get(reverse("articles:tag", args=["inconnu"])),
        "no such address": client.get("/monde/nulle-part/et-ailleurs/"),
    }


@pytest.mark.parametrize("twice", [False, True], ids=["built", "asked again"])
def test_not_found_and_redirects_are_kept_by_no_shared_cache(backend, twice):
    story = ArticleFactory(category=CategoryFactory(slug="monde"))
    answers = _answers(story)
    if twice:
        answers = _answers(story)
    expected = {"old slug": 301}
    for name, response in answers.items():
        assert response.status_code == expected.get(name, 404), name
        _kept_by_no_shared_cache(response)


def test_reader_pages_are_still_kept_with_their_keys(backend):
    story = ArticleFactory()
    response = Client().get(story.get_absolute_url())
    assert response.status_code == 200
    assert "s-maxage=3600" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
