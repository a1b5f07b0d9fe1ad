from datetime import timedelta
from email.utils import parsedate_to_datetime

import factory
import feedparser
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from articles import images
from articles.models import Article
from pagecache import versions
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory, ImageFactory

pytestmark = pytest.mark.django_db

BODY_TEXT = "Le conseil municipal s’est réuni mardi soir."


def _hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


def _feed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/rss+xml; charset=utf-8"
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    return parsed


def _links(parsed):
    return [entry.link for entry in parsed.entries]


def _absolute(obj):
    return f"http://testserver{obj.get_absolute_url()}"


# What a feed lists


def test_site_feed_lists_published_articles_newest_first(client):
    older = ArticleFactory(published_at=_hours_ago(5))
    newer = ArticleFactory(published_at=_hours_ago(1))
    ArticleFactory(draft=True)
    ArticleFactory(status=Article.Status.REVIEW, published_at=_hours_ago(2))
    ArticleFactory(scheduled=True)

    parsed = _feed(client, reverse("feeds:latest"))

    assert _links(parsed) == [_absolute(newer), _absolute(older)]


def test_feed_keeps_the_30_latest_articles(client):
    ArticleFactory.create_batch(32, authors=[AuthorFactory()])
    newest = Article.objects.published().first()

    parsed = _feed(client, reverse("feeds:latest"))

    assert len(parsed.entries) == 30
    assert parsed.entries[0].link == _absolute(newest)


def test_section_feed_includes_sub_sections_but_not_other_sections(client):
    section = CategoryFactory(name="International", slug="international")
    sub_section = CategoryFactory(name="Europe", slug="europe", parent=section)
    in_section = ArticleFactory(category=section, published_at=_hours_ago(3))
    in_sub_section = ArticleFactory(category=sub_section, published_at=_hours_ago(2))
    ArticleFactory(category=CategoryFactory(slug="sport"))
    ArticleFactory(category=section, draft=True)
    ArticleFactory(category=sub_section, scheduled=True)

    parsed = _feed(client, reverse("feeds:category", kwargs={"slug": "international"}))

    assert _links(parsed) == [_absolute(in_sub_section), _absolute(in_section)]


def test_sub_section_feed_has_only_the_sub_section(client):
    section = CategoryFactory(slug="international")
    sub_section = CategoryFactory(slug="europe", parent=section)
    ArticleFactory(category=section)
    in_sub_section = ArticleFactory(category=sub_section)

    parsed = _feed(client, reverse("feeds:category", kwargs={"slug": "europe"}))

    assert _links(parsed) == [_absolute(in_sub_section)]


def test_author_feed_lists_only_the_authors_published_articles(client):
    anne = AuthorFactory(name="Anne Martin", slug="anne-martin")
    alone = ArticleFactory(authors=[anne], published_at=_hours_ago(3))
    shared = ArticleFactory(authors=[AuthorFactory(), anne], published_at=_hours_ago(2))
    ArticleFactory(authors=[AuthorFactory()])
    ArticleFactory(authors=[anne], draft=True)
    ArticleFactory(authors=[anne], scheduled=True)

    parsed = _feed(client, reverse("feeds:author", kwargs={"slug": "anne-martin"}))

    assert _links(parsed) == [_absolute(shared), _absolute(alone)]


@pytest.mark.parametrize("url", ["/rss/rubrique-inconnue/", "/rss/auteurs/auteur-inconnu/"])
def test_feed_of_an_unknown_section_or_author_is_not_found(client, url):
    assert client.get(url).status_code == 404


# What an item says


def test_item_gives_the_lead_and_never_the_body_of_a_subscriber_only_article(client):
    ArticleFactory(
        lead="Les élus ont adopté le budget.",
        body=f"<p>{BODY_TEXT}</p><p>Texte réservé aux abonnés.</p>",
        access=Article.Access.SUBSCRIBERS,
    )

    response = client.get(reverse("feeds:latest"))
    (entry,) = feedparser.parse(response.content).entries

    assert entry.description == "Les élus ont adopté le budget."
    content = response.content.decode()
    assert BODY_TEXT not in content
    assert "réservé aux abonnés" not in content


def test_item_has_title_link_guid_dates_byline_and_categories(client):
    section = CategoryFactory(name="International")
    article = ArticleFactory(
        title="L’Otan & l'Europe : <la> réunion",
        category=section,
        authors=[
            AuthorFactory(name="Anne Martin"),
            AuthorFactory(name="Hugo Bernard"),
        ],
        tags=["Otan", "Défense"],
    )
    article.refresh_from_db()

    (entry,) = _feed(client, reverse("feeds:latest")).entries

    assert entry.title == "L’Otan & l'Europe : <la> réunion"
    assert entry.link == _absolute(article)
    assert entry.id == _absolute(article)
    assert parsedate_to_datetime(entry.published) == article.published_at.replace(microsecond=0)
    assert entry.author == "Anne Martin, Hugo Bernard"
    terms = [tag.term for tag in entry.tags]
    assert terms[0] == "International"
    assert sorted(terms[1:]) == ["Défense", "Otan"]


def test_item_enclosure_is_the_640px_rendition_with_absolute_url_size_and_type(client):
    wide = ImageFactory(file=factory.django.ImageField(filename="otan.jpg", width=1200, height=800))
    ArticleFactory(featured_image=wide)

    (entry,) = _feed(client, reverse("feeds:latest")).entries

    (enclosure,) = entry.enclosures
    name = images.rendition_name(wide.file.name, 640, "jpg")
    assert enclosure.href == f"http://testserver{default_storage.url(name)}"
    assert enclosure.type == "image/jpeg"
    assert int(enclosure.length) == default_storage.size(name) > 0


def test_item_enclosure_of_a_small_image_is_its_widest_rendition(client):
    small = ImageFactory(
        file=factory.django.ImageField(filename="logo.png", format="PNG", width=500, height=200)
    )
    ArticleFactory(featured_image=small)

    (entry,) = _feed(client, reverse("feeds:latest")).entries

    (enclosure,) = entry.enclosures
    name = images.rendition_name(small.file.name, 320, "png")
    assert enclosure.href == f"http://testserver{default_storage.url(name)}"
    assert enclosure.type == "image/png"
    assert int(enclosure.length) == default_storage.size(name)


def test_missing_rendition_leaves_the_feed_up_with_an_unknown_length(client):
    image = ImageFactory()
    ArticleFactory(featured_image=image)
    default_storage.delete(images.rendition_name(image.file.name, 320, "jpg"))

    (entry,) = _feed(client, reverse("feeds:latest")).entries

    assert entry.enclosures[0].length == "0"


def test_item_without_image_has_no_enclosure(client):
    ArticleFactory(featured_image=None)

    (entry,) = _feed(client, reverse("feeds:latest")).entries

    assert entry.enclosures == []


# The feed itself


def test_site_feed_describes_itself_in_french_with_a_self_link(client):
    ArticleFactory()

    parsed = _feed(client, reverse("feeds:latest"))

    site = settings.NEWSROOM_SITE_NAME
    assert parsed.feed.title == f"{site} – {gettext('Latest news')}"
    assert parsed.feed.link == "http://testserver/"
    assert parsed.feed.language == "fr"
    assert parsed.feed.ttl == "15"
    assert parsed.feed.subtitle
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == ["http://testserver/rss/"]


def test_section_feed_is_named_after_the_section(client):
    section = CategoryFactory(name="International", slug="international", description="")

    parsed = _feed(client, reverse("feeds:category", kwargs={"slug": "international"}))

    assert parsed.feed.title == f"{settings.NEWSROOM_SITE_NAME} – International"
    assert parsed.feed.link == _absolute(section)
    assert "International" in parsed.feed.subtitle
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == ["http://testserver/rss/international/"]


def test_author_feed_is_named_after_the_author(client):
    anne = AuthorFactory(name="Anne Martin", slug="anne-martin")

    parsed = _feed(client, reverse("feeds:author", kwargs={"slug": "anne-martin"}))

    assert parsed.feed.title == f"{settings.NEWSROOM_SITE_NAME} – Anne Martin"
    assert parsed.feed.link == _absolute(anne)
    assert "Anne Martin" in parsed.feed.subtitle


def test_feed_urls_are_on_the_site_address_whatever_the_requests_host(client, settings):
    settings.NEWSROOM_SITE_URL = "https://www.example.fr"
    article = ArticleFactory(featured_image=ImageFactory())

    response = client.get(reverse("feeds:latest"), HTTP_HOST="localhost:6666")
    parsed = feedparser.parse(response.content)

    assert parsed.feed.link == "https://www.example.fr/"
    (entry,) = parsed.entries
    assert entry.link == f"https://www.example.fr{article.get_absolute_url()}"
    assert entry.enclosures[0].href.startswith("https://www.example.fr/media/")
    assert "localhost" not in response.content.decode()


# Queries


def _feed_urls(section, author):
    return [
        reverse("feeds:latest"),
        reverse("feeds:category", kwargs={"slug": section.slug}),
        reverse("feeds:author", kwargs={"slug": author.slug}),
    ]


def _add_articles(count, section, author):
    for n in range(count):
        ArticleFactory(
            category=section,
            authors=[author, AuthorFactory()],
            tags=[f"Sujet {n}", f"Thème {n}"],
            featured_image=ImageFactory(),
        )


def test_feeds_take_a_handful_of_queries(client, django_assert_max_num_queries):
    section, author = CategoryFactory(), AuthorFactory()
    urls = _feed_urls(section, author)
    _add_articles(8, section, author)

    for url in urls:
        with django_assert_max_num_queries(4):
            assert client.get(url).status_code == 200


def test_feed_query_count_does_not_grow_with_the_items(client):
    section, author = CategoryFactory(), AuthorFactory()
    urls = _feed_urls(section, author)
    _add_articles(2, section, author)
    versions.current()  # read once, before either count
    with CaptureQueriesContext(connection) as few:
        for url in urls:
            assert len(_feed(client, url).entries) == 2

    _add_articles(6, section, author)
    with CaptureQueriesContext(connection) as more:
        for url in urls:
            assert len(_feed(client, url).entries) == 8

    assert len(more) == len(few)
