"""Absolute URLs come from the site's configured address, never from the request's Host."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, ImageFactory

pytestmark = pytest.mark.django_db

SITE = "https://www.example.fr"
ODD_HOST = "127.0.0.1:6666"


@pytest.fixture(autouse=True)
def site_address(settings):
    settings.NEWSROOM_SITE_URL = SITE
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]


@pytest.fixture
def article():
    author = AuthorFactory(name="Marie Dupont", slug="marie-dupont")
    return ArticleFactory(
        title="L’Otan renforce son flanc est",
        category=CategoryFactory(name="International", slug="international"),
        authors=[author],
        tags=["Otan"],
        featured_image=ImageFactory(),
    )


def get(path, host=ODD_HOST, **extra):
    return Client().get(path, HTTP_HOST=host, **extra)


def urls_in(text):
    return re.findall(r"https?://[^\s\"'<>]+", text)


def assert_every_absolute_url_is_on_the_site(text):
    urls = urls_in(text)
    assert urls
    site_urls = [url for url in urls if url.startswith(SITE + "/")]
    foreign = [url for url in urls if "6666" in url or "testserver" in url]
    assert site_urls
    assert foreign == []


def test_article_page_canonical_open_graph_and_json_ld_use_the_site_address(article):
    content = get(article.get_absolute_url()).content.decode()

    expected = SITE + article.get_absolute_url()
    assert f'<link rel="canonical" href="{expected}">' in content
    assert f'<meta property="og:url" content="{expected}">' in content
    assert f'<meta property="og:image" content="{SITE}/media/' in content
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S)
    news_article = next(b for b in map(json.loads, blocks) if b["@type"] == "NewsArticle")
    assert news_article["url"] == expected
    assert news_article["publisher"]["logo"]["url"].startswith(SITE + "/static/")
    assert news_article["image"][0].startswith(SITE + "/media/")
    assert_every_absolute_url_is_on_the_site(content)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/international/",
        "/auteurs/marie-dupont/",
        "/tags/otan/",
    ],
)
def test_listing_canonicals_use_the_site_address(article, path):
    response = get(path)

    assert response.status_code == 200
    assert f'<link rel="canonical" href="{SITE}{path}">' in response.content.decode()


def test_a_page_asked_with_another_host_or_scheme_is_the_same_cached_page(article):
    url = article.get_absolute_url()
    first = get(url, host="127.0.0.1").content

    with CaptureQueriesContext(connection) as queries:
        again = get(url, host=ODD_HOST, secure=True)

    assert len(queries) == 0
    assert again.content == first


def test_a_host_not_allowed_is_refused_even_for_a_cached_page(article):
    url = article.get_absolute_url()
    assert get(url, host="127.0.0.1").status_code == 200

    assert get(url, host="evil.example").status_code == 400


def test_a_host_not_allowed_gets_a_french_page(article):
    response = get(article.get_absolute_url(), host="evil.example")

    assert response.status_code == 400
    assert '<html lang="fr">' in response.content.decode()
    assert "Requête incorrecte" in response.content.decode()
