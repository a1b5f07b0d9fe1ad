"""The corrections page (/corrections/) and the tag feeds (/rss/tags/<slug>/)."""

import re
from datetime import timedelta

import feedparser
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.factories import ArticleFactory, CorrectionFactory

pytestmark = pytest.mark.django_db

CORRECTIONS = reverse("articles:corrections")


def _days_ago(days):
    return timezone.now() - timedelta(days=days)


def _listed(content):
    """(article address, correction text) of each listed correction, in order."""
    return re.findall(
        r'<a href="([^"]+)">[^<]*</a></h2>\s*<p><time[^>]*>[^<]*</time> – ([^<]*)</p>', content
    )


def test_corrections_page_lists_every_correction_newest_first_with_its_article(client):
    story = ArticleFactory(title="Le budget est voté")
    other = ArticleFactory(title="La piscine rouvre")
    CorrectionFactory(
        article=story, text="La date du vote était fausse.", published_at=_days_ago(3)
    )
    CorrectionFactory(
        article=other, text="Le nom du maire était mal écrit.", published_at=_days_ago(1)
    )
    CorrectionFactory(article=story, text="Le montant était erroné.", published_at=_days_ago(2))

    response = client.get(CORRECTIONS)

    assert response.status_code == 200
    content = response.content.decode()
    assert '<h1 class="page-title">Corrections</h1>' in content
    assert _listed(content) == [
        (other.get_absolute_url(), "Le nom du maire était mal écrit."),
        (story.get_absolute_url(), "Le montant était erroné."),
        (story.get_absolute_url(), "La date du vote était fausse."),
    ]
    assert ">La piscine rouvre</a>" in content


def test_corrections_of_articles_readers_cannot_see_are_not_listed(client):
    visible = CorrectionFactory(article=ArticleFactory(), text="Visible.")
    for hidden in (
        ArticleFactory(draft=True),
        ArticleFactory(scheduled=True),
        ArticleFactory(status=Article.Status.REVIEW, published_at=_days_ago(1)),
    ):
        CorrectionFactory(article=hidden, text="Cachée.")

    content = client.get(CORRECTIONS).content.decode()

    assert _listed(content) == [(visible.article.get_absolute_url(), "Visible.")]
    assert "Cachée." not in content


def test_corrections_page_without_corrections_says_so(client):
    assert "Aucune correction pour l’instant." in client.get(CORRECTIONS).content.decode()


def test_corrections_page_is_paginated(client):
    story = ArticleFactory()
    for n in range(25):
        CorrectionFactory(article=story, text=f"Note {n}.", published_at=_days_ago(n + 1))

    first = client.get(CORRECTIONS).content.decode()
    second = client.get(CORRECTIONS, {"page": 2}).content.decode()

    assert [text for _url, text in _listed(first)] == [f"Note {n}." for n in range(20)]
    assert [text for _url, text in _listed(second)] == [f"Note {n}." for n in range(20, 25)]
    assert '<a href="?page=2">2</a>' in first


def test_corrections_page_is_served_from_the_page_cache_and_follows_a_new_correction():
    story = ArticleFactory()
    CorrectionFactory(article=story, text="Première.")
    client = Client()
    assert client.get(CORRECTIONS).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert "Première." in client.get(CORRECTIONS).content.decode()
    assert len(queries) == 0

    CorrectionFactory(article=story, text="Seconde.")

    assert "Seconde." in client.get(CORRECTIONS).content.decode()


def test_corrections_page_query_count_does_not_grow_with_the_corrections(
    django_assert_max_num_queries,
):
    from django.core.cache import cache

    for _ in range(15):
        CorrectionFactory(article=ArticleFactory())
    cache.clear()

    with django_assert_max_num_queries(6):
        assert Client().get(CORRECTIONS).status_code == 200


def test_every_page_links_to_the_corrections_in_its_footer(client):
    content = client.get(reverse("articles:home")).content.decode()

    footer = content[content.index('<footer class="site-footer">') :]
    assert f'<a href="{CORRECTIONS}">Corrections</a>' in footer


# Tag feeds


def test_tag_feed_lists_the_tags_published_articles_newest_first(client):
    older = ArticleFactory(tags=["Otan"], published_at=_days_ago(2), title="L’Otan recrute")
    newer = ArticleFactory(tags=["Otan", "Défense"], published_at=_days_ago(1))
    ArticleFactory(tags=["Otan"], draft=True)
    ArticleFactory(tags=["Sport"])

    response = client.get(reverse("feeds:tag", args=["otan"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.title.endswith("– Otan")
    assert parsed.feed.link == f"http://testserver{reverse('articles:tag', args=['otan'])}"
    assert [entry.link for entry in parsed.entries] == [
        f"http://testserver{newer.get_absolute_url()}",
        f"http://testserver{older.get_absolute_url()}",
    ]


def test_unknown_tag_feed_is_not_found(client):
    assert client.get(reverse("feeds:tag", args=["inconnu"])).status_code == 404


def test_tag_page_announces_its_feed(client):
    ArticleFactory(tags=["Otan"])

    content = client.get(reverse("articles:tag", args=["otan"])).content.decode()

    feed = reverse("feeds:tag", args=["otan"])
    assert re.search(
        rf'<link rel="alternate" type="application/rss\+xml" title="[^"]+ – Otan" href="{feed}">',
        content,
    )


@pytest.mark.parametrize("state", ["draft", "scheduled"])
def test_a_tag_only_unpublished_stories_carry_has_neither_page_nor_feed(client, state):
    # An embargoed story's tag must not confirm, to a reader guessing its address, that it
    # exists: its page and feed answer as for a tag that does not exist, until publication.
    hidden = {"draft": {"draft": True}, "scheduled": {"published_at": _days_ago(-1)}}[state]
    story = ArticleFactory(tags=["Démission du ministre"], **hidden)
    ArticleFactory(tags=["Otan"])
    urls = [reverse(name, args=["demission-du-ministre"]) for name in ("articles:tag", "feeds:tag")]

    assert [client.get(url).status_code for url in urls] == [404, 404]

    Article.objects.filter(pk=story.pk).update(
        status=Article.Status.PUBLISHED, published_at=_days_ago(0)
    )
    assert [client.get(url).status_code for url in urls] == [200, 200]
