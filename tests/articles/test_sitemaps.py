import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.sitemaps import ArticleSitemap, NewsSitemap
from pagecache import versions
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
W3C_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
NOW = datetime(2025, 3, 15, 17, 0, tzinfo=UTC)


def _xml(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)


def _locs(root, tag="url"):
    return [element.findtext(f"{SITEMAP_NS}loc") for element in root.iter(f"{SITEMAP_NS}{tag}")]


def _absolute(obj):
    return f"http://testserver{obj.get_absolute_url()}"


# The index


def test_index_lists_each_sitemap_at_an_absolute_url(client):
    ArticleFactory()

    root = _xml(client, reverse("sitemaps:index"))

    assert root.tag == f"{SITEMAP_NS}sitemapindex"
    assert _locs(root, "sitemap") == [
        "http://testserver/sitemap-articles.xml",
        "http://testserver/sitemap-sections.xml",
        "http://testserver/sitemap-authors.xml",
        "http://testserver/sitemap-news.xml",
    ]


def test_index_lists_each_page_of_a_long_article_sitemap(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    ArticleFactory.create_batch(3)

    root = _xml(client, reverse("sitemaps:index"))

    locs = _locs(root, "sitemap")
    assert "http://testserver/sitemap-articles.xml?p=2" in locs
    assert "http://testserver/sitemap-articles.xml?p=3" not in locs
    second_page = _xml(client, "/sitemap-articles.xml?p=2")
    assert len(_locs(second_page)) == 1
    assert client.get("/sitemap-articles.xml", {"p": 3}).status_code == 404


def test_sitemaps_are_on_the_site_address_whatever_the_requests_host(client, settings):
    settings.NEWSROOM_SITE_URL = "https://www.example.fr"
    article = ArticleFactory()

    index = _xml(client, reverse("sitemaps:index"), HTTP_HOST="localhost:6666")
    articles = _xml(client, "/sitemap-articles.xml", HTTP_HOST="localhost:6666")

    assert _locs(index, "sitemap")[0] == "https://www.example.fr/sitemap-articles.xml"
    assert _locs(articles) == [f"https://www.example.fr{article.get_absolute_url()}"]


def test_unknown_sitemap_section_is_not_found(client):
    assert client.get("/sitemap-inconnu.xml").status_code == 404


# Articles, sections, authors


def test_article_sitemap_lists_exactly_the_published_indexable_articles(client):
    older = ArticleFactory(published_at=timezone.now() - timedelta(days=30))
    newer = ArticleFactory()
    ArticleFactory(draft=True)
    ArticleFactory(scheduled=True)
    ArticleFactory(status=Article.Status.REVIEW, published_at=timezone.now() - timedelta(hours=2))
    ArticleFactory(noindex=True)

    root = _xml(client, "/sitemap-articles.xml")

    assert _locs(root) == [_absolute(newer), _absolute(older)]
    lastmods = [url.findtext(f"{SITEMAP_NS}lastmod") for url in root.iter(f"{SITEMAP_NS}url")]
    newer.refresh_from_db()
    assert lastmods[0] == timezone.localdate(newer.last_modified).isoformat()


def test_article_lastmod_follows_the_text_not_other_fields(client):
    published = timezone.now() - timedelta(days=10)
    article = ArticleFactory(published_at=published)
    article.featured = True
    article.save()

    root = _xml(client, "/sitemap-articles.xml")

    lastmod = root.find(f"{SITEMAP_NS}url").findtext(f"{SITEMAP_NS}lastmod")
    assert lastmod == timezone.localdate(published).isoformat()


def test_section_sitemap_lists_every_section(client):
    section = CategoryFactory(slug="international")
    sub_section = CategoryFactory(slug="europe", parent=section)

    root = _xml(client, "/sitemap-sections.xml")

    assert sorted(_locs(root)) == sorted([_absolute(section), _absolute(sub_section)])


def test_author_sitemap_lists_only_authors_with_a_published_article(client):
    anne = AuthorFactory(name="Anne Martin")
    hugo = AuthorFactory(name="Hugo Bernard")
    drafting = AuthorFactory(name="Zoé Brouillon")
    scheduled = AuthorFactory(name="Yves Programmé")
    AuthorFactory(name="Xavier Sans-Article")
    ArticleFactory(authors=[anne], published_at=timezone.now() - timedelta(days=3))
    latest = ArticleFactory(authors=[anne, hugo], published_at=timezone.now() - timedelta(days=1))
    ArticleFactory(authors=[drafting], draft=True)
    ArticleFactory(authors=[scheduled], scheduled=True)

    root = _xml(client, "/sitemap-authors.xml")

    assert _locs(root) == [_absolute(anne), _absolute(hugo)]
    lastmods = {url.findtext(f"{SITEMAP_NS}lastmod") for url in root.iter(f"{SITEMAP_NS}url")}
    assert lastmods == {timezone.localdate(latest.published_at).isoformat()}


def test_sitemap_query_count_does_not_grow_with_the_items(client):
    urls = [reverse("sitemaps:index")] + [
        reverse("sitemaps:section", kwargs={"section": section})
        for section in ("articles", "sections", "authors", "news")
    ]

    def add(count):
        for _ in range(count):
            ArticleFactory(authors=[AuthorFactory(), AuthorFactory()])

    add(2)
    cache.clear()  # measure pages built from the database, not the page cache
    versions.current()  # read once, before either count
    with CaptureQueriesContext(connection) as few:
        for url in urls:
            assert client.get(url).status_code == 200
    add(6)
    cache.clear()
    with CaptureQueriesContext(connection) as more:
        for url in urls:
            assert client.get(url).status_code == 200

    assert len(more) == len(few) <= 16


# Google News


def test_news_sitemap_lists_the_last_48_hours_with_google_news_tags(client):
    with time_machine.travel(NOW, tick=False):
        fresh = ArticleFactory(title="L’Otan & <l'Europe>", published_at=NOW - timedelta(hours=1))
        day_old = ArticleFactory(published_at=NOW - timedelta(hours=47))
        ArticleFactory(published_at=NOW - timedelta(hours=49))
        ArticleFactory(noindex=True, published_at=NOW - timedelta(hours=2))
        ArticleFactory(draft=True)
        ArticleFactory(scheduled=True)

        response = client.get(reverse("sitemaps:news"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    assert _locs(root) == [_absolute(fresh), _absolute(day_old)]
    news = root.find(f"{SITEMAP_NS}url/{NEWS_NS}news")
    assert news.findtext(f"{NEWS_NS}publication/{NEWS_NS}name") == settings.NEWSROOM_SITE_NAME
    assert news.findtext(f"{NEWS_NS}publication/{NEWS_NS}language") == "fr"
    assert news.findtext(f"{NEWS_NS}publication_date") == "2025-03-15T17:00:00+01:00"
    assert news.findtext(f"{NEWS_NS}title") == "L’Otan & <l'Europe>"


def test_news_publication_dates_are_w3c_datetimes_to_the_second(client):
    ArticleFactory.create_batch(3)

    root = _xml(client, reverse("sitemaps:news"))

    dates = [element.text for element in root.iter(f"{NEWS_NS}publication_date")]
    assert len(dates) == 3
    assert all(W3C_DATETIME.match(date) for date in dates), dates


def test_news_sitemap_keeps_the_newest_up_to_its_limit(client, monkeypatch):
    monkeypatch.setattr(NewsSitemap, "limit", 2)
    ArticleFactory(published_at=timezone.now() - timedelta(hours=3))
    newer = [
        ArticleFactory(published_at=timezone.now() - timedelta(hours=2)),
        ArticleFactory(published_at=timezone.now() - timedelta(hours=1)),
    ]

    root = _xml(client, reverse("sitemaps:news"))
    index = _xml(client, reverse("sitemaps:index"))

    assert sorted(_locs(root)) == sorted(_absolute(article) for article in newer)
    assert "http://testserver/sitemap-news.xml?p=2" not in _locs(index, "sitemap")


# robots.txt


def test_robots_txt_allows_reader_pages_and_points_to_the_sitemaps(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    assert "Disallow: /admin/" in lines
    assert "Disallow: /apercu/" in lines
    assert "Disallow: /" not in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Sitemap: http://testserver/sitemap-news.xml" in lines


def test_robots_txt_sitemap_lines_are_on_the_site_address(client, settings):
    settings.NEWSROOM_SITE_URL = "https://www.example.fr"

    response = client.get("/robots.txt", HTTP_HOST="localhost:6666")

    assert "Sitemap: https://www.example.fr/sitemap.xml" in response.content.decode().splitlines()
