"""What search engines and social networks read: title, description, canonical, robots,
Open Graph and Twitter cards, and the JSON-LD structured data."""

import json
from datetime import datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import factory
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.urls import reverse
from PIL import Image as PILImage

from articles.models import Article
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CorrectionFactory,
    ImageFactory,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
SITE = "http://testserver"


class _Head(HTMLParser):
    """The page's <title>, <meta>, <link> and JSON-LD blocks, as a crawler reads them."""

    def __init__(self, content):
        super().__init__(convert_charrefs=True)
        self.title, self.meta, self.links, self.json_ld = "", {}, {}, []
        self._inside = None
        self.feed(content)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (key := attrs.get("property") or attrs.get("name")):
            self.meta.setdefault(key, []).append(attrs.get("content"))
        elif tag == "link":
            self.links.setdefault(attrs.get("rel"), []).append(attrs.get("href"))
        elif tag == "title":
            self._inside = "title"
        elif tag == "script":
            self._inside = "json-ld" if attrs.get("type") == "application/ld+json" else "script"
            if self._inside == "json-ld":
                self.json_ld.append("")

    def handle_endtag(self, tag):
        if tag in ("title", "script"):
            self._inside = None

    def handle_data(self, data):
        if self._inside == "title":
            self.title += data
        elif self._inside == "json-ld":
            self.json_ld[-1] += data

    def one(self, key):
        values = self.meta.get(key, [])
        assert len(values) == 1, f"{key}: {values}"
        return values[0]

    def canonical(self):
        (href,) = self.links["canonical"]
        return href

    def structured(self, kind):
        """The single JSON-LD object of ``@type`` ``kind``; every block must parse."""
        data = [json.loads(block) for block in self.json_ld]
        found = [item for item in data if item.get("@type") == kind]
        assert len(found) == 1, [item.get("@type") for item in data]
        return found[0]


def _head(client, url, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    return _Head(response.content.decode())


@pytest.fixture
def article():
    actualite = CategoryFactory(name="Actualité", slug="actualite")
    france = CategoryFactory(name="France", slug="france", parent=actualite)
    image = ImageFactory(
        file=factory.django.ImageField(filename="sommet.jpg", width=700, height=350),
        alt_text="Les chefs d’État réunis à Vilnius",
    )
    published = datetime(2022, 3, 15, 18, 4, tzinfo=PARIS)
    article = ArticleFactory(
        category=france,
        title="L’Otan renforce son flanc est face à la Russie",
        seo_title="Otan : le flanc est renforcé",
        lead="Les alliés s’accordent sur de nouveaux déploiements en Europe de l’Est.",
        meta_description="Réunis à Vilnius, les alliés renforcent leur présence à l’Est.",
        featured_image=image,
        authors=[
            AuthorFactory(name="Anne Martin", slug="anne-martin"),
            AuthorFactory(name="Hugo Bernard", slug="hugo-bernard"),
        ],
        tags=["Otan", "Défense"],
        published_at=published,
    )
    Article.objects.filter(pk=article.pk).update(updated_at=published)
    article.refresh_from_db()
    return article


# Title, description, canonical, robots


def test_article_head_has_its_seo_title_description_and_absolute_canonical(client, article):
    head = _head(client, article.get_absolute_url())

    assert head.title == "Otan : le flanc est renforcé – Le Quotidien"
    description = "Réunis à Vilnius, les alliés renforcent leur présence à l’Est."
    assert head.one("description") == description
    assert head.canonical() == f"{SITE}{article.get_absolute_url()}"
    assert "noindex" not in head.one("robots")


def test_article_head_falls_back_to_the_title_and_a_lead_cut_to_160_characters(client):
    lead = "Les ministres des Finances de la zone euro ont débattu toute la nuit. " * 5
    article = ArticleFactory(title="Le budget européen adopté de justesse", lead=lead)

    head = _head(client, article.get_absolute_url())

    assert head.title == "Le budget européen adopté de justesse – Le Quotidien"
    description = head.one("description")
    assert len(description) <= 160
    assert description.startswith("Les ministres des Finances de la zone euro")
    assert description.endswith("…")
    assert head.one("og:description") == description


def test_canonical_url_is_on_the_site_address_whatever_the_requests_host(client, article, settings):
    settings.NEWSROOM_SITE_URL = "https://www.example.fr"

    head = _head(client, article.get_absolute_url(), HTTP_HOST="localhost:6666")

    assert head.canonical() == f"https://www.example.fr{article.get_absolute_url()}"
    assert head.one("og:url") == head.canonical()


def test_article_hidden_from_search_engines_says_noindex(client, article):
    article.noindex = True
    article.save()

    head = _head(client, article.get_absolute_url())

    assert "noindex" in head.one("robots")


@pytest.mark.parametrize(
    ("page", "title", "canonical"),
    [
        ("home", "Le Quotidien – L’actualité en France, en Europe et dans le monde.", "/"),
        ("category", "Actualité – Le Quotidien", "/actualite/"),
        ("author", "Anne Martin – Le Quotidien", "/auteurs/anne-martin/"),
        ("tag", "Otan – Le Quotidien", "/tags/otan/"),
    ],
)
def test_list_pages_have_a_title_description_and_absolute_canonical(
    client, article, page, title, canonical
):
    args = {"home": [], "category": ["actualite"], "author": ["anne-martin"], "tag": ["otan"]}

    head = _head(client, reverse(f"articles:{page}", args=args[page]))

    assert head.title == title
    assert head.one("description")
    assert head.canonical() == f"{SITE}{canonical}"
    assert "noindex" not in (head.meta.get("robots") or [""])[0]


def test_second_page_of_a_section_has_its_own_canonical_and_title(client):
    section = CategoryFactory(name="Économie", slug="economie")
    ArticleFactory.create_batch(21, category=section, authors=[])

    head = _head(client, reverse("articles:category", args=["economie"]), data={"page": 2})

    assert head.title == "Économie – page 2 – Le Quotidien"
    assert head.canonical() == f"{SITE}/economie/?page=2"


def test_search_results_are_not_indexed(client, article):
    head = _head(client, reverse("articles:search"), data={"q": "Otan"})

    assert "noindex" in head.one("robots")


# Open Graph and Twitter


def test_article_open_graph_tags_describe_the_article(client, article):
    head = _head(client, article.get_absolute_url())

    assert head.one("og:type") == "article"
    assert head.one("og:title") == "Otan : le flanc est renforcé"
    assert head.one("og:description") == head.one("description")
    assert head.one("og:url") == head.canonical()
    assert head.one("og:locale") == "fr_FR"
    assert head.one("og:site_name") == "Le Quotidien"
    assert head.one("og:image:alt") == "Les chefs d’État réunis à Vilnius"
    assert head.one("article:published_time") == "2022-03-15T18:04:00+01:00"
    assert sorted(head.meta["article:tag"]) == ["Défense", "Otan"]


def test_share_image_is_an_absolute_url_to_a_rendition_of_the_stated_size(client, article):
    head = _head(client, article.get_absolute_url())

    url = head.one("og:image")
    prefix = f"{SITE}{settings.MEDIA_URL}renditions/"
    assert url.startswith(prefix)
    assert url.endswith("-640w.jpg")
    with default_storage.open(url.removeprefix(f"{SITE}{settings.MEDIA_URL}")) as file:
        width, height = PILImage.open(file).size
    assert (head.one("og:image:width"), head.one("og:image:height")) == (str(width), str(height))
    assert (width, height) == (640, 320)


def test_twitter_card_is_a_large_image_summary(client, article):
    head = _head(client, article.get_absolute_url())

    assert head.one("twitter:card") == "summary_large_image"
    assert head.one("twitter:title") == head.one("og:title")
    assert head.one("twitter:description") == head.one("og:description")
    assert head.one("twitter:image") == head.one("og:image")


def test_article_without_an_image_has_a_plain_summary_card_and_no_og_image(client):
    article = ArticleFactory(featured_image=None)

    head = _head(client, article.get_absolute_url())

    assert head.one("twitter:card") == "summary"
    assert "og:image" not in head.meta
    assert "image" not in head.structured("NewsArticle")


# JSON-LD


def test_news_article_structured_data_has_the_required_fields(client, article):
    head = _head(client, article.get_absolute_url())

    data = head.structured("NewsArticle")
    assert data["@context"] == "https://schema.org"
    assert data["headline"] == "L’Otan renforce son flanc est face à la Russie"
    assert data["image"] == [head.one("og:image")]
    assert data["datePublished"] == "2022-03-15T18:04:00+01:00"
    assert data["dateModified"] == "2022-03-15T18:04:00+01:00"
    assert data["author"] == [
        {"@type": "Person", "name": "Anne Martin", "url": f"{SITE}/auteurs/anne-martin/"},
        {"@type": "Person", "name": "Hugo Bernard", "url": f"{SITE}/auteurs/hugo-bernard/"},
    ]
    assert data["mainEntityOfPage"] == {"@type": "WebPage", "@id": head.canonical()}
    assert data["publisher"]["name"] == "Le Quotidien"


def test_publisher_logo_is_an_image_object_at_an_absolute_url_of_a_real_file(client, article):
    head = _head(client, article.get_absolute_url())

    logo = head.structured("NewsArticle")["publisher"]["logo"]
    assert logo["@type"] == "ImageObject"
    prefix = f"{SITE}{settings.STATIC_URL}"
    assert logo["url"].startswith(prefix)
    path = finders.find(logo["url"].removeprefix(prefix))
    assert path is not None
    assert PILImage.open(Path(path)).size == (logo["width"], logo["height"])


def test_date_modified_follows_the_latest_correction(client, article):
    CorrectionFactory(article=article, published_at=datetime(2022, 3, 16, 9, 30, tzinfo=PARIS))

    head = _head(client, article.get_absolute_url())

    data = head.structured("NewsArticle")
    assert data["datePublished"] == "2022-03-15T18:04:00+01:00"
    assert data["dateModified"] == "2022-03-16T09:30:00+01:00"
    assert head.one("article:modified_time") == "2022-03-16T09:30:00+01:00"


def test_breadcrumb_list_goes_from_home_to_the_article_with_absolute_urls(client, article):
    head = _head(client, article.get_absolute_url())

    items = head.structured("BreadcrumbList")["itemListElement"]
    assert [item["position"] for item in items] == [1, 2, 3, 4]
    assert [item["@type"] for item in items] == ["ListItem"] * 4
    assert [item["name"] for item in items] == [
        "Accueil",
        "Actualité",
        "France",
        "L’Otan renforce son flanc est face à la Russie",
    ]
    assert [item["item"] for item in items] == [
        f"{SITE}/",
        f"{SITE}/actualite/",
        f"{SITE}/france/",
        head.canonical(),
    ]


def test_a_title_cannot_break_out_of_the_json_ld_script(client):
    title = "</script><script>alert(1)</script>"
    article = ArticleFactory(title=title, lead="<!-- un chapô & des <balises> -->")

    content = client.get(article.get_absolute_url()).content.decode()
    head = _Head(content)

    assert head.structured("NewsArticle")["headline"] == title
    assert head.structured("NewsArticle")["description"] == "<!-- un chapô & des <balises> -->"
    assert head.structured("BreadcrumbList")["itemListElement"][-1]["name"] == title
    assert "<script>alert(1)" not in content
    assert "</script><script>" not in content
    assert len(head.json_ld) == 2
    # Besides them, only the site's own script file (the view-counting beacon).
    assert content.count("<script") == 2 + content.count('<script src="/static/js/')


def test_json_ld_dates_follow_paris_summer_time(client):
    article = ArticleFactory(published_at=datetime(2023, 7, 14, 8, 0, tzinfo=PARIS))
    # The text was edited three hours after publication.
    Article.objects.filter(pk=article.pk).update(
        text_updated_at=article.published_at + timedelta(hours=3)
    )

    head = _head(client, article.get_absolute_url())

    data = head.structured("NewsArticle")
    assert data["datePublished"] == "2023-07-14T08:00:00+02:00"
    assert data["dateModified"] == "2023-07-14T11:00:00+02:00"
