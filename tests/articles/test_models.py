import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ReadMoreLink
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    ReadMoreLinkFactory,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


# Slugs


def test_slug_is_made_from_a_french_title_without_its_apostrophe():
    article = ArticleFactory(title="L’Otan craint que…")

    assert article.slug.startswith("lotan-craint-que")


def test_slug_folds_accents_to_ascii():
    article = ArticleFactory(title="Élections régionales : à Besançon, l’écologie progresse")

    assert article.slug == "elections-regionales-a-besancon-lecologie-progresse"
    assert article.slug.isascii()


def test_slug_writes_out_ligatures_instead_of_dropping_them():
    article = ArticleFactory(title="Une œuvre, un ex-æquo et Œdipe")

    assert article.slug == "une-oeuvre-un-ex-aequo-et-oedipe"


def test_slug_gets_a_numbered_suffix_when_the_title_is_taken():
    first = ArticleFactory(title="Grève à la SNCF")
    second = ArticleFactory(title="Grève à la SNCF")
    third = ArticleFactory(title="Grève à la SNCF")

    assert first.slug == "greve-a-la-sncf"
    assert second.slug == "greve-a-la-sncf-2"
    assert third.slug == "greve-a-la-sncf-3"


def test_slug_of_a_very_long_title_fits_the_field_even_with_a_suffix():
    title = "Réforme " + "très " * 36 + "longue"
    assert len(title) <= Article._meta.get_field("title").max_length
    max_length = Article._meta.get_field("slug").max_length

    first = ArticleFactory(title=title)
    second = ArticleFactory(title=title)

    assert len(first.slug) <= max_length
    assert len(second.slug) <= max_length
    assert second.slug.endswith("-2")
    assert second.slug != first.slug


def test_slug_chosen_by_the_editor_is_kept():
    article = ArticleFactory(title="Un titre quelconque", slug="mon-adresse-choisie")

    assert article.slug == "mon-adresse-choisie"


def test_slug_does_not_change_when_the_title_is_edited():
    article = ArticleFactory(title="Premier titre")

    article.title = "Titre corrigé"
    article.save()
    article.refresh_from_db()

    assert article.slug == "premier-titre"


# What readers may see


def test_published_includes_only_published_articles_whose_time_has_come():
    visible = ArticleFactory()
    ArticleFactory(draft=True)
    ArticleFactory(status=Article.Status.REVIEW, published_at=None)
    ArticleFactory(scheduled=True)

    assert list(Article.objects.published()) == [visible]


def test_unpublished_article_with_a_past_date_stays_hidden():
    ArticleFactory(status=Article.Status.DRAFT)

    assert not Article.objects.published().exists()


def test_scheduled_article_becomes_visible_when_its_time_comes(
    client, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime(2025, 3, 15, 16, 0, tzinfo=UTC), tick=False) as clock:
        # Committed, as the admin's save is: the content version records when it comes out.
        with django_capture_on_commit_callbacks(execute=True):
            article = ArticleFactory(published_at=datetime(2025, 3, 15, 18, 4, tzinfo=PARIS))
        url, home = article.get_absolute_url(), reverse("articles:home")

        assert article.is_scheduled
        assert not article.is_visible
        assert article not in Article.objects.published()
        assert article in Article.objects.scheduled()
        assert client.get(url).status_code == 404
        assert article.title not in client.get(home).content.decode()

        clock.move_to(datetime(2025, 3, 15, 18, 4, 1, tzinfo=PARIS))

        assert article.is_visible
        assert article in Article.objects.published()
        assert article not in Article.objects.scheduled()
        assert client.get(url).status_code == 200
        assert article.title in client.get(home).content.decode()


def test_saving_a_published_article_without_a_date_publishes_it_now():
    with time_machine.travel(datetime(2025, 3, 15, 17, 4, tzinfo=UTC), tick=False):
        article = ArticleFactory(status=Article.Status.PUBLISHED, published_at=None)

    assert article.published_at == datetime(2025, 3, 15, 17, 4, tzinfo=UTC)


# Sanitising

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src="/media/images/photo.jpg" onerror="alert(1)">',
    "<img src=x onerror=alert(1)//>",
    '<a href="javascript:alert(1)">clic</a>',
    '<a href="  JaVaScRiPt:alert(1)">clic</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:alert(1)">clic</a>',
    '<a href="jav&#x09;ascript:alert(1)">clic</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">clic</a>',
    '<a href="vbscript:msgbox(1)">clic</a>',
    '<svg onload="alert(1)"><circle r="10"/></svg>',
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example/"></iframe>',
    '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
    "<style>body { background: url(javascript:alert(1)) }</style>",
    '<p style="background:url(javascript:alert(1))">texte</p>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">clic</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+PC9zdmc+">',
    '<img src="https://evil.example/pixel.gif">',
    '<img src="https://evil.example/media/pixel.gif">',
    '<img src="//evil.example/media/pixel.gif">',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="https://evil.example/flash.swf">',
    '<form action="javascript:alert(1)"><button>Envoyer</button></form>',
    '<div onmouseover="alert(1)">survol</div>',
    '<a href="https://example.com/" onclick="alert(1)">lien</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<img src=x onerror=alert(1)>-->",
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
]
DANGEROUS_TAGS = {
    "script", "style", "iframe", "svg", "math", "object", "embed", "form", "button", "input",
    "base", "meta", "link", "frame", "frameset",
}  # fmt: skip


class _Elements(HTMLParser):
    """Every element of an HTML fragment with its attributes, entities decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _elements(html):
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser.elements


def _assert_harmless(html):
    assert "<script" not in html.lower()
    for tag, attrs in _elements(html):
        assert tag not in DANGEROUS_TAGS, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name not in {"style", "srcdoc", "srcset", "formaction"}, html
            if name in {"href", "src"}:
                url = "".join(ch for ch in (value or "") if ch.isprintable() and not ch.isspace())
                parts = urlsplit(url)
                assert parts.scheme.lower() in {"", "http", "https", "mailto"}, html
                if tag == "img":
                    # Only images of the newsroom's own media library, never another host.
                    assert not parts.scheme, html
                    assert not parts.netloc, html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_no_script_survives_in_a_saved_body(payload):
    try:
        article = ArticleFactory(body=f"<p>Avant</p>{payload}<p>Après</p>")
    except ValidationError:  # an element left open: refused, since "Après" would be lost
        assert not Article.objects.exists()
        return
    article.refresh_from_db()

    _assert_harmless(article.body)
    assert article.body.startswith("<p>Avant</p>")


def test_sanitising_keeps_the_rich_text_editors_allowed_markup():
    body = (
        "<h2>Intertitre</h2><p>Un <strong>texte</strong> en <em>italique</em> avec "
        '<a href="https://www.example.fr/dossier">un lien</a>.</p>'
        "<blockquote><p>Une citation.</p></blockquote><ul><li>un</li><li>deux</li></ul>"
        '<figure><img src="/media/images/2025/03/photo.jpg" alt="Une photo">'
        "<figcaption>Légende</figcaption></figure>"
    )

    article = ArticleFactory(body=body)
    article.refresh_from_db()

    for fragment in [
        "<h2>Intertitre</h2>",
        "<strong>texte</strong>",
        '<a href="https://www.example.fr/dossier">un lien</a>',
        "<blockquote>",
        "<li>deux</li>",
        '<img src="/media/images/2025/03/photo.jpg" alt="Une photo">',
        "<figcaption>Légende</figcaption>",
    ]:
        assert fragment in article.body


def test_plain_text_fields_are_shown_escaped_on_the_article_page(client):
    script = "<script>alert('xss')</script>"
    article = ArticleFactory(
        kicker=f"Surtitre {script}",
        title=f"Titre {script}",
        lead=f"Chapô {script}",
        seo_title=f"SEO {script}",
        meta_description=f'Description " onmouseover="alert(1) {script}',
        category=CategoryFactory(name=f"Rubrique {script}"),
        authors=[AuthorFactory(name=f"Auteur {script}")],
        tags=[f"Mot {script}"],
    )
    ReadMoreLinkFactory(article=article, external=True, label=f"Lien {script}")
    ReadMoreLinkFactory(article=article, target_article=ArticleFactory(title=f"Cible {script}"))

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    content = response.content.decode()
    assert script not in content
    assert "<script>" not in content
    # Structured data (JSON-LD) is the only inline script element a page may carry; any other
    # is the site's own file (the view-counting beacon).
    assert content.count("<script") == content.count(
        '<script type="application/ld+json">'
    ) + content.count('<script src="/static/js/')
    for data in re.findall(r'<script type="application/ld\+json">(.*?)</script>', content, re.S):
        assert "<" not in data
    assert 'onmouseover="alert' not in content
    for escaped in [
        "Surtitre &lt;script&gt;",
        "Titre &lt;script&gt;",
        "Chapô &lt;script&gt;",
        "Auteur &lt;script&gt;",
        "Lien &lt;script&gt;",
        "Cible &lt;script&gt;",
    ]:
        assert escaped in content


# Word count and reading time


def test_word_count_counts_the_words_of_the_body_not_its_markup():
    article = ArticleFactory(body='<p>Un <a href="https://example.com/">deux</a> trois</p>')

    assert article.word_count == 3


def test_word_count_separates_words_of_consecutive_paragraphs_and_headings():
    # The rich-text editor writes blocks without whitespace between them.
    article = ArticleFactory(body="<h2>Un titre</h2><p>deux mots</p><ul><li>cinq</li></ul>")

    assert article.word_count == 5


@pytest.mark.parametrize(
    ("words", "minutes"), [(0, 1), (1, 1), (230, 1), (231, 2), (460, 2), (461, 3), (2300, 10)]
)
def test_reading_time_is_minutes_at_230_words_rounded_up(words, minutes):
    article = ArticleFactory(body="<p>" + " ".join(["mot"] * words) + "</p>")

    assert article.word_count == words
    assert article.reading_time == minutes


# Related articles


def _hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


def test_related_articles_put_the_editors_picks_first_then_shared_tags_newest_first():
    section = CategoryFactory()
    article = ArticleFactory(category=section, tags=["Otan"])
    pick = ArticleFactory(category=CategoryFactory(), published_at=_hours_ago(500))
    ReadMoreLinkFactory(article=article, target_article=pick)
    older = ArticleFactory(category=section, tags=["Otan"], published_at=_hours_ago(30))
    newer = ArticleFactory(category=section, tags=["Otan"], published_at=_hours_ago(3))
    ArticleFactory(category=section, tags=["Otan"], published_at=_hours_ago(60))

    assert article.related_articles() == [pick, newer, older]


def test_related_articles_with_equal_relevance_are_newest_first():
    section = CategoryFactory()
    article = ArticleFactory(category=section)
    old = ArticleFactory(category=section, published_at=_hours_ago(50))
    recent = ArticleFactory(category=section, published_at=_hours_ago(5))
    middle = ArticleFactory(category=section, published_at=_hours_ago(20))

    assert article.related_articles() == [recent, middle, old]


def test_related_articles_share_a_tag_or_the_section_before_unrelated_ones():
    article = ArticleFactory(tags=["Climat"])
    unrelated = ArticleFactory(tags=["Football"], published_at=timezone.now())
    same_tag = ArticleFactory(tags=["Climat"], published_at=timezone.now() - timedelta(days=3))
    same_section = ArticleFactory(
        category=article.category, published_at=timezone.now() - timedelta(days=2)
    )

    related = article.related_articles()

    # The newest story comes last: it shares nothing, and only fills the third card.
    assert set(related[:2]) == {same_tag, same_section}
    assert related[2] == unrelated


def test_related_articles_fill_with_the_latest_when_too_few_are_related():
    article = ArticleFactory(tags=["Climat"])
    others = [ArticleFactory(tags=["Football"]) for _ in range(4)]

    related = article.related_articles()

    assert len(related) == 3
    assert set(related) <= set(others)


def test_related_articles_never_include_the_article_itself():
    article = ArticleFactory(tags=["Otan"])
    other = ArticleFactory(category=article.category, tags=["Otan"])

    related = article.related_articles()

    assert article not in related
    assert related == [other]


def test_related_articles_never_include_drafts_or_scheduled_articles():
    article = ArticleFactory(tags=["Otan"])
    draft = ArticleFactory(category=article.category, tags=["Otan"], draft=True)
    in_review = ArticleFactory(
        category=article.category, status=Article.Status.REVIEW, published_at=_hours_ago(1)
    )
    scheduled = ArticleFactory(category=article.category, tags=["Otan"], scheduled=True)
    for target in (draft, in_review, scheduled):
        ReadMoreLinkFactory(article=article, target_article=target)
    visible = ArticleFactory(category=article.category)

    assert article.related_articles() == [visible]


def test_related_articles_are_limited_to_three():
    article = ArticleFactory()
    ArticleFactory.create_batch(5, category=article.category)

    assert len(article.related_articles()) == 3
    assert len(article.related_articles(limit=2)) == 2


def test_related_articles_leave_out_the_given_ids():
    article = ArticleFactory()
    shown_elsewhere = ArticleFactory(category=article.category, published_at=_hours_ago(0.5))
    pick = ArticleFactory()
    ReadMoreLinkFactory(article=article, target_article=pick)
    other = ArticleFactory(category=article.category, published_at=_hours_ago(2))

    related = article.related_articles(exclude=[shown_elsewhere.pk, pick.pk])

    assert related == [other]


def test_related_articles_put_the_stories_sharing_most_tags_first_whatever_their_age():
    article = ArticleFactory(tags=["Otan", "Défense", "Ukraine"])
    one_tag = ArticleFactory(tags=["Otan"], published_at=_hours_ago(1))
    three_tags = ArticleFactory(tags=["Otan", "Défense", "Ukraine"], published_at=_hours_ago(90))
    two_tags = ArticleFactory(tags=["Défense", "Ukraine"], published_at=_hours_ago(40))

    assert article.related_articles() == [three_tags, two_tags, one_tag]


def test_related_articles_take_the_main_section_before_unrelated_recent_stories():
    monde = CategoryFactory(slug="monde")
    europe = CategoryFactory(slug="europe", parent=monde)
    afrique = CategoryFactory(slug="afrique", parent=monde)
    nato = ArticleFactory(category=europe, title="L’Otan se réunit à Vilnius")
    ArticleFactory(category=CategoryFactory(slug="sport"), title="Le Tour de France part")
    same_section = ArticleFactory(category=europe, published_at=_hours_ago(80))
    parent = ArticleFactory(category=monde, published_at=_hours_ago(50))
    sibling = ArticleFactory(category=afrique, published_at=_hours_ago(60))

    assert nato.related_articles() == [same_section, parent, sibling]


def _related_queries(article):
    fresh = Article.objects.for_page().get(pk=article.pk)  # as the article page has it
    with CaptureQueriesContext(connection) as queries:
        related = fresh.related_articles()
    return len(queries), related


def test_related_articles_take_the_same_queries_whatever_the_picks_tags_and_stories():
    monde = CategoryFactory()
    article = ArticleFactory(category=CategoryFactory(parent=monde), tags=["Otan"])
    ReadMoreLinkFactory(article=article, target_article=ArticleFactory())
    ArticleFactory.create_batch(2, tags=["Otan"])
    few, _ = _related_queries(article)

    article.tags.add(*(f"Mot {n}" for n in range(8)))
    ReadMoreLinkFactory(article=article, target_article=ArticleFactory(), position=1)
    for n in range(8):
        ArticleFactory(tags=["Otan", f"Mot {n}"], category=monde)
    many, _ = _related_queries(article)

    assert few == many == 2  # the picks as cards, the stories sharing tags


def test_related_articles_take_at_most_five_queries_when_nothing_is_related():
    lonely = ArticleFactory(category=CategoryFactory(parent=CategoryFactory()), tags=["Otan"])
    latest = ArticleFactory(published_at=_hours_ago(1))

    queries, related = _related_queries(lonely)

    assert related == [latest]
    assert queries == 4  # the shared tags, the section, the main section, the latest


# Read-more links


def test_read_more_link_with_both_an_article_and_a_url_is_refused_by_the_database():
    article, target = ArticleFactory(), ArticleFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReadMoreLink.objects.create(
            article=article, target_article=target, url="https://example.com/", label="Ailleurs"
        )


def test_read_more_link_with_neither_an_article_nor_a_url_is_refused_by_the_database():
    article = ArticleFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReadMoreLink.objects.create(article=article, label="Nulle part")


def test_external_read_more_link_without_a_label_is_refused_by_the_database():
    article = ArticleFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ReadMoreLink.objects.create(article=article, url="https://example.com/")


def test_read_more_link_to_an_article_or_to_a_labelled_url_is_accepted():
    article = ArticleFactory()

    ReadMoreLink.objects.create(article=article, target_article=ArticleFactory())
    ReadMoreLink.objects.create(article=article, url="https://example.com/", label="Ailleurs")

    assert article.read_more_links.count() == 2


# Sections


def test_category_breadcrumb_goes_from_the_top_section_down():
    news = CategoryFactory(name="Actualité")
    politics = CategoryFactory(name="Politique", parent=news)
    local = CategoryFactory(name="Municipales", parent=politics)

    assert local.breadcrumb() == [news, politics, local]
    assert news.breadcrumb() == [news]


def test_a_section_with_sub_sections_cannot_become_a_sub_section():
    monde = CategoryFactory(name="Monde", slug="monde")
    CategoryFactory(name="Europe", slug="europe", parent=monde)
    actualite = CategoryFactory(name="Actualité", slug="actualite")
    monde.parent = actualite

    with pytest.raises(ValidationError) as error:
        monde.full_clean()

    assert "parent" in error.value.message_dict
