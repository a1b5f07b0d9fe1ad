"""The reader pages as a reader sees them: home, sections, article, author, tag, errors."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.views import defaults
from taggit.models import Tag

from articles.models import Article, ArticleAuthor, TaggedArticle
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CorrectionFactory,
    HouseAdFactory,
    ImageFactory,
    ReadMoreLinkFactory,
    UserFactory,
)

PARIS = ZoneInfo("Europe/Paris")
CARD = '<article class="card'


def _ago(hours):
    return timezone.now() - timedelta(hours=hours)


def _article(hours, **kwargs):
    return ArticleFactory(published_at=_ago(hours), **kwargs)


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _block(content, start, end):
    """The HTML from the first ``start`` marker to the next ``end`` marker, inclusive."""
    assert start in content, f"{start!r} not found"
    begin = content.index(start)
    return content[begin : content.index(end, begin) + len(end)]


def _main(content):
    return _block(content, "<main", "</main>")


def _links_to(html, article):
    return html.count(f'href="{article.get_absolute_url()}"')


def _card_urls(html):
    """The article addresses of the cards in ``html``, in order."""
    return re.findall(r'<h\d class="card__title"><a href="([^"]+)"', html)


def _bulk_articles(count, *, category, author=None, tag=None, title="Dépêche"):
    """``count`` published articles in a few queries, newest first (one minute apart)."""
    now = timezone.now()
    articles = Article.objects.bulk_create(
        Article(
            title=f"{title} {n:02d}",
            slug=f"depeche-{category.slug}-{n:02d}",
            lead=f"Le chapô de la dépêche {n:02d}.",
            body="<p>Le texte de la dépêche.</p>",
            category=category,
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(minutes=n + 1),
        )
        for n in range(count)
    )
    if author:
        ArticleAuthor.objects.bulk_create(ArticleAuthor(article=a, author=author) for a in articles)
    if tag:
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=a, tag=tag) for a in articles
        )
    return articles


# Home


@pytest.mark.django_db
def test_home_top_story_is_the_featured_article_even_when_older(client):
    section = CategoryFactory()
    featured = _article(30, category=section, featured=True, title="Le sommet de Vilnius s’ouvre")
    newer = _article(1, category=section, title="Une dépêche de dernière minute")

    content = _get(client, reverse("articles:home"))

    top = _block(content, '<article class="top-story">', "</article>")
    assert f'<a href="{featured.get_absolute_url()}">Le sommet de Vilnius s’ouvre</a>' in top
    assert newer.get_absolute_url() not in top


@pytest.mark.django_db
def test_home_top_story_is_the_latest_article_when_none_is_featured(client):
    section = CategoryFactory()
    _article(5, category=section)
    latest = _article(1, category=section, title="La dernière dépêche du jour")

    content = _get(client, reverse("articles:home"))

    top = _block(content, '<article class="top-story">', "</article>")
    assert f'<a href="{latest.get_absolute_url()}">La dernière dépêche du jour</a>' in top


@pytest.mark.django_db
def test_home_never_makes_a_featured_draft_review_or_scheduled_article_the_top_story(client):
    section = CategoryFactory()
    hidden = [
        ArticleFactory(category=section, featured=True, draft=True, title="Brouillon à la une"),
        ArticleFactory(
            category=section,
            featured=True,
            status=Article.Status.REVIEW,
            published_at=_ago(0.5),
            title="Relecture à la une",
        ),
        ArticleFactory(category=section, featured=True, scheduled=True, title="Programmé à la une"),
    ]
    visible = _article(3, category=section, title="Le seul article publié")

    content = _get(client, reverse("articles:home"))

    top = _block(content, '<article class="top-story">', "</article>")
    assert visible.get_absolute_url() in top
    for article in hidden:
        assert article.title not in content
        assert article.get_absolute_url() not in content


@pytest.mark.django_db
def test_home_latest_list_shows_the_six_newest_after_the_top_story_newest_first(client):
    section = CategoryFactory()
    articles = [_article(hours, category=section) for hours in range(1, 10)]

    content = _get(client, reverse("articles:home"))

    latest = _block(content, '<section class="latest"', "</section>")
    assert "Les dernières actualités" in latest
    shown = re.findall(r'<a href="([^"]+)">', latest)
    assert shown == [a.get_absolute_url() for a in articles[1:7]]


@pytest.mark.django_db
def test_home_has_one_block_per_main_section_with_articles_sub_sections_in_their_parent(client):
    monde = CategoryFactory(name="Monde", slug="monde", menu_order=1)
    sport = CategoryFactory(name="Sport", slug="sport", menu_order=2)
    football = CategoryFactory(name="Football", slug="football", parent=sport)
    CategoryFactory(name="Culture", slug="culture", menu_order=3)  # no article
    # The seven newest fill the top story and the latest list.
    for hours in range(1, 8):
        _article(hours, category=monde)
    older_world = _article(10, category=monde, title="Un article plus ancien du monde")
    match = _article(12, category=football, title="Le match de la veille")

    content = _get(client, reverse("articles:home"))

    assert 'aria-labelledby="section-culture"' not in content
    assert 'aria-labelledby="section-football"' not in content
    world_block = _block(content, 'aria-labelledby="section-monde"', "</section>")
    sport_block = _block(content, 'aria-labelledby="section-sport"', "</section>")
    assert '<a href="/monde/">Monde</a>' in world_block
    assert _card_urls(world_block) == [older_world.get_absolute_url()]
    assert '<a href="/sport/">Sport</a>' in sport_block
    assert _card_urls(sport_block) == [match.get_absolute_url()]
    assert content.index("section-monde") < content.index("section-sport")


@pytest.mark.django_db
def test_home_shows_more_articles_to_read_and_the_newsletter_call(client):
    section = CategoryFactory(slug="monde")
    articles = [_article(hours, category=section) for hours in range(1, 15)]

    content = _get(client, reverse("articles:home"))

    # Top story, six latest, four in the section's block: the three oldest are left to read.
    more = _block(content, '<section class="more"', "</section>")
    assert ">Plus d’articles à lire</h2>" in more
    assert _card_urls(more) == [a.get_absolute_url() for a in articles[11:]]
    assert "Inscrivez-vous à notre newsletter" in content
    assert content.index("Plus d’articles à lire") < content.index("Inscrivez-vous")


@pytest.mark.django_db
def test_home_shows_no_article_twice(client):
    politique = CategoryFactory(slug="politique", menu_order=1)
    economie = CategoryFactory(slug="economie", menu_order=2)
    entreprises = CategoryFactory(slug="entreprises", parent=economie)
    sport = CategoryFactory(slug="sport", menu_order=3)
    # An old featured article: the newest ones must not show it again in their blocks.
    featured = _article(40, category=politique, featured=True)
    articles = [featured]
    for hours in range(1, 31):
        section = (politique, economie, entreprises, sport)[hours % 4]
        articles.append(_article(hours, category=section))

    main = _main(_get(client, reverse("articles:home")))

    counts = {a.get_absolute_url(): _links_to(main, a) for a in articles}
    assert counts[featured.get_absolute_url()] == 1
    assert max(counts.values()) == 1, {url: n for url, n in counts.items() if n > 1}
    # Top story, six latest, three section blocks of four, six more to read.
    assert sum(counts.values()) == 1 + 6 + 3 * 4 + 6


@pytest.mark.django_db
def test_home_blocks_and_more_to_read_never_show_drafts_or_scheduled_articles(client):
    section = CategoryFactory()
    for hours in range(1, 16):
        _article(hours, category=section)
    hidden = [
        ArticleFactory(category=section, draft=True, title="Brouillon du soir"),
        ArticleFactory(
            category=section,
            status=Article.Status.REVIEW,
            published_at=_ago(12),
            title="En relecture",
        ),
        ArticleFactory(category=section, scheduled=True, title="Programmé demain"),
    ]

    content = _get(client, reverse("articles:home"))

    assert '<section class="more"' in content
    for article in hidden:
        assert article.title not in content
        assert article.get_absolute_url() not in content


# Section


@pytest.mark.django_db
def test_section_page_shows_breadcrumb_description_and_sub_section_links(client):
    actualite = CategoryFactory(
        name="Actualité", slug="actualite", description="Toute l’actualité en continu."
    )
    CategoryFactory(name="France", slug="france", parent=actualite)
    CategoryFactory(name="International", slug="international", parent=actualite)

    content = _get(client, reverse("articles:category", args=["actualite"]))

    crumb = _block(content, '<nav class="breadcrumb"', "</nav>")
    assert re.search(
        r'<a href="/">Accueil</a>.*<a href="/actualite/" aria-current="page">Actualité</a>',
        crumb,
        re.S,
    )
    assert '<h1 class="page-title">Actualité</h1>' in content
    assert "Toute l’actualité en continu." in content
    subsections = _block(content, '<nav class="subsections"', "</nav>")
    assert '<a href="/france/">France</a>' in subsections
    assert '<a href="/international/">International</a>' in subsections


@pytest.mark.django_db
def test_sub_section_page_breadcrumb_goes_through_its_parent(client):
    actualite = CategoryFactory(name="Actualité", slug="actualite")
    CategoryFactory(name="France", slug="france", parent=actualite)

    content = _get(client, reverse("articles:category", args=["france"]))

    crumb = _block(content, '<nav class="breadcrumb"', "</nav>")
    assert re.search(
        r'<a href="/">Accueil</a>.*<a href="/actualite/">Actualité</a>'
        r'.*<a href="/france/" aria-current="page">France</a>',
        crumb,
        re.S,
    )


@pytest.mark.django_db
def test_section_page_includes_its_sub_sections_articles_but_not_other_sections(client):
    actualite = CategoryFactory(slug="actualite")
    france = CategoryFactory(slug="france", parent=actualite)
    sport = CategoryFactory(slug="sport")
    own = _article(1, category=actualite, title="Article de la rubrique")
    child = _article(2, category=france, title="Article de la sous-rubrique")
    other = _article(3, category=sport, title="Article d’une autre rubrique")

    parent_page = _get(client, reverse("articles:category", args=["actualite"]))
    child_page = _get(client, reverse("articles:category", args=["france"]))

    assert _card_urls(_main(parent_page)) == [own.get_absolute_url(), child.get_absolute_url()]
    assert other.get_absolute_url() not in parent_page
    assert _card_urls(_main(child_page)) == [child.get_absolute_url()]


@pytest.fixture
def section_of_45(db):
    section = CategoryFactory(name="Actualité", slug="actualite")
    return section, _bulk_articles(45, category=section)


def test_section_page_is_paginated_with_page_numbers(client, section_of_45):
    _section, articles = section_of_45
    url = reverse("articles:category", args=["actualite"])

    pages = [_main(_get(client, f"{url}?page={n}")) for n in (1, 2, 3)]

    assert [len(_card_urls(page)) for page in pages] == [20, 20, 5]
    shown = [card for page in pages for card in _card_urls(page)]
    assert shown == [a.get_absolute_url() for a in articles]
    first = _block(pages[0], '<nav class="pagination"', "</nav>")
    assert '<a href="?page=1" aria-current="page">1</a>' in first
    assert '<a href="?page=2">2</a>' in first
    assert '<a href="?page=3">3</a>' in first
    assert 'rel="next">Suivante</a>' in first
    last = _block(pages[2], '<nav class="pagination"', "</nav>")
    assert '<a href="?page=3" aria-current="page">3</a>' in last
    assert 'rel="prev">Précédente</a>' in last
    assert 'rel="next"' not in last


def test_section_page_count_follows_a_publication_at_once(
    section_of_45, django_capture_on_commit_callbacks
):
    section, _articles = section_of_45
    url = reverse("articles:category", args=["actualite"])
    reader = Client()
    reader.force_login(UserFactory())
    assert "?page=4" not in _get(reader, url)

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(16):
            ArticleFactory(category=section)

    pagination = _block(_get(reader, url), '<nav class="pagination"', "</nav>")
    assert '<a href="?page=4">4</a>' in pagination


@pytest.mark.parametrize("page", ["99", "4", "0", "abc", "-1", "1.5"])
def test_section_page_out_of_range_or_invalid_page_is_a_french_404(client, section_of_45, page):
    response = client.get(reverse("articles:category", args=["actualite"]), {"page": page})

    assert response.status_code == 404
    assert "Page introuvable" in response.content.decode()


# Article


@pytest.fixture
def full_article(db):
    """An article with every block of DESIGN.md's page, subscriber-only."""
    section = CategoryFactory(name="Actualité", slug="actualite")
    image = ImageFactory(caption="Les ministres à Bruxelles", credit="Photo : AFP")
    article = ArticleFactory(
        category=section,
        kicker="Défense",
        title="L’Otan renforce son flanc est",
        lead="Les alliés s’accordent sur de nouveaux déploiements.",
        body="<p>Premier paragraphe.</p><h2>Un accord à l’unanimité</h2><p>Suite.</p>",
        featured_image=image,
        access=Article.Access.SUBSCRIBERS,
        authors=[AuthorFactory(name="Anne Martin")],
        tags=["Otan"],
        published_at=_ago(1),
    )
    ReadMoreLinkFactory(
        article=article,
        external=True,
        url="https://www.european-times.example/otan",
        label="Lire aussi The European Times",
    )
    for hours in range(2, 12):
        _article(hours, category=section, featured_image=image)
    HouseAdFactory(slot="article", image=image, alt_text="Notre offre d’essai")
    return article


def test_article_page_blocks_follow_the_design_order(client, full_article):
    content = _get(client, full_article.get_absolute_url())

    blocks = [
        '<header class="site-header">',
        '<nav class="breadcrumb"',
        '<p class="kicker">Défense</p>',
        "<h1>L’Otan renforce son flanc est</h1>",
        '<p class="article__lead">Les alliés s’accordent',
        '<div class="byline">',
        '<figure class="article__image">',
        '<div class="article__body">',
        '<p class="ad-slot__label">Publicité</p>',
        '<ul class="tags"',
        ">Lire aussi</h2>",
        ">Lire la suite</h2>",
        ">Plus d’articles à lire</h2>",
        ">Inscrivez-vous à notre newsletter</h2>",
        ">Profitez d’un accès exclusif à l’ensemble de notre contenu</h2>",
        '<footer class="site-footer">',
    ]
    positions = {block: content.find(block) for block in blocks}
    assert [block for block, position in positions.items() if position < 0] == []
    assert sorted(blocks, key=positions.get) == blocks
    assert "Bientôt, nous aurons un abonnement en ligne" in content


def test_article_page_byline_image_and_body_show_what_the_editor_wrote(client, full_article):
    content = _get(client, full_article.get_absolute_url())

    byline = _block(content, '<div class="byline">', "</div>")
    assert "Par" in byline
    assert "Anne Martin</a>" in byline
    assert re.search(r"· \d+ minutes? de lecture", byline)
    figure = _block(content, '<figure class="article__image">', "</figure>")
    assert "<picture>" in figure
    assert "Les ministres à Bruxelles" in figure
    assert '<span class="credit">Photo : AFP</span>' in figure
    body = _block(content, '<div class="article__body">', "</div>")
    assert "<h2>Un accord à l’unanimité</h2>" in body


def test_article_page_shows_three_related_cards_with_image_title_and_excerpt(client, full_article):
    content = _get(client, full_article.get_absolute_url())

    related = _block(content, '<section class="related"', "</section>")
    assert related.count(CARD) == 3
    assert related.count("<picture>") == 3
    assert related.count('class="card__title"') == 3
    assert related.count('<p class="card__lead">') == 3


def test_article_page_cards_never_repeat_each_other_or_the_article(client, full_article):
    content = _get(client, full_article.get_absolute_url())

    related = _card_urls(_block(content, '<section class="related"', "</section>"))
    more = _card_urls(_block(content, '<section class="more"', "</section>"))
    assert len(related) == 3
    assert more
    assert len(set(related + more)) == len(related) + len(more)
    assert full_article.get_absolute_url() not in related + more


@pytest.mark.django_db
def test_article_page_shows_no_story_twice_even_when_lire_aussi_links_one(client):
    # The issue: "the related cards ... skip what is already shown above them".
    section = CategoryFactory()
    article = _article(1, category=section)
    linked = _article(2, category=section, title="L’article que l’éditeur recommande")
    others = [_article(hours, category=section) for hours in range(3, 12)]
    ReadMoreLinkFactory(article=article, target_article=linked)

    main = _main(_get(client, article.get_absolute_url()))

    assert ">Lire aussi</h2>" in main
    counts = {a.get_absolute_url(): _links_to(main, a) for a in [article, linked, *others]}
    assert {url: n for url, n in counts.items() if n > 1} == {}


def test_free_article_has_no_subscription_teaser(client, full_article):
    full_article.access = Article.Access.FREE
    full_article.save()

    content = _get(client, full_article.get_absolute_url())

    assert "Profitez d’un accès exclusif" not in content
    assert "Inscrivez-vous à notre newsletter" in content


@pytest.mark.django_db
def test_article_ad_slot_shows_only_a_shown_house_ad_of_the_article_slot(client):
    article = ArticleFactory()
    url = article.get_absolute_url()
    image = ImageFactory()
    home_ad = HouseAdFactory(slot="home", image=image, link="https://ex.example/accueil")

    assert "Publicité" not in _get(client, url)

    ad = HouseAdFactory(
        slot="article", image=image, link="https://ex.example/essai", alt_text="Essai gratuit"
    )
    slot = _block(_get(client, url), '<aside class="ad-slot', "</aside>")
    assert '<p class="ad-slot__label">Publicité</p>' in slot
    assert '<a href="https://ex.example/essai" rel="sponsored noopener">' in slot
    assert 'alt="Essai gratuit"' in slot
    assert f'width="{image.width}" height="{image.height}"' in slot
    assert home_ad.link not in slot
    assert "<script" not in slot

    ad.is_active = False
    ad.save()
    content = _get(client, url)
    assert "Publicité" not in content
    assert "https://ex.example/essai" not in content


@pytest.mark.django_db
def test_correction_shows_at_the_foot_with_its_date_and_sets_the_updated_date(client):
    published = datetime(2022, 3, 15, 18, 4, tzinfo=PARIS)
    article = ArticleFactory(published_at=published)
    Article.objects.filter(pk=article.pk).update(updated_at=published)
    CorrectionFactory(
        article=article,
        published_at=datetime(2022, 3, 16, 9, 30, tzinfo=PARIS),
        text="Le vote a eu lieu mardi, et non lundi.",
    )

    content = _get(client, article.get_absolute_url())

    assert "Publié le 15 mars 2022 à 18 h 04" in content
    assert "mis à jour le 16 mars 2022 à 9 h 30" in content
    assert '<time datetime="2022-03-16T09:30:00+01:00">' in content
    foot = _block(content, '<div class="article__body">', "</article>")
    assert re.search(
        r"<strong>Correction, le 16 mars :</strong>\s*Le vote a eu lieu mardi, et non lundi\.",
        foot,
    )


@pytest.mark.django_db
def test_article_without_correction_or_later_edit_has_no_updated_date(client):
    published = datetime(2022, 3, 15, 18, 4, tzinfo=PARIS)
    article = ArticleFactory(published_at=published)
    Article.objects.filter(pk=article.pk).update(updated_at=published + timedelta(minutes=2))

    content = _get(client, article.get_absolute_url())

    assert "Publié le 15 mars 2022 à 18 h 04" in content
    assert "mis à jour" not in content
    assert "Correction," not in content and 'class="corrections"' not in content


@pytest.mark.django_db
def test_moving_an_article_to_the_front_page_does_not_mark_it_updated(client):
    published = datetime(2022, 3, 15, 18, 4, tzinfo=PARIS)
    with time_machine.travel(published, tick=False):
        article = ArticleFactory(published_at=published)
    # Hours later, the editor only puts it on the front page: its text is unchanged.
    with time_machine.travel(published + timedelta(hours=3), tick=False):
        article.featured = True
        article.save()

    content = _get(client, article.get_absolute_url())

    assert "Publié le 15 mars 2022 à 18 h 04" in content
    assert "mis à jour" not in content
    assert '"dateModified":"2022-03-15T18:04:00+01:00"' in content


@pytest.mark.django_db
def test_article_dates_are_shown_in_paris_time_across_midnight_in_summer(client):
    # 22:30 UTC on 1 July is 00:30 on 2 July in Paris (UTC+2).
    article = ArticleFactory(published_at=datetime(2022, 7, 1, 22, 30, tzinfo=UTC))

    content = _get(client, article.get_absolute_url())

    assert "Publié le 2 juillet 2022 à 0 h 30" in content
    assert '<time datetime="2022-07-02T00:30:00+02:00">' in content


# Author and tag


@pytest.mark.django_db
def test_author_page_shows_bio_photo_and_paginated_articles(client):
    photo = ImageFactory(alt_text="Portrait d’Inès Leroy")
    author = AuthorFactory(
        name="Inès Leroy", slug="ines-leroy", bio="Correspondante à Bruxelles.", photo=photo
    )
    articles = _bulk_articles(45, category=CategoryFactory(), author=author)
    _article(1, title="Un article d’un autre auteur")
    url = reverse("articles:author", args=["ines-leroy"])

    pages = [_get(client, f"{url}?page={n}") for n in (1, 2, 3)]

    assert '<h1 class="page-title">Inès Leroy</h1>' in pages[0]
    assert "Correspondante à Bruxelles." in pages[0]
    assert 'alt="Portrait d’Inès Leroy"' in pages[0]
    cards = [_card_urls(_main(page)) for page in pages]
    assert [len(c) for c in cards] == [20, 20, 5]
    assert [url for page in cards for url in page] == [a.get_absolute_url() for a in articles]
    assert '<a href="?page=3">3</a>' in pages[0]
    assert client.get(url, {"page": 99}).status_code == 404


@pytest.mark.django_db
def test_tag_page_is_paginated_and_lists_only_the_tags_articles(client):
    ArticleFactory(tags=["Otan"], title="Article amorce sur l’Otan")
    tag = Tag.objects.get(slug="otan")
    _bulk_articles(44, category=CategoryFactory(), tag=tag)
    _article(0.5, title="Sans rapport avec le mot-clé")
    url = reverse("articles:tag", args=["otan"])

    pages = [_get(client, f"{url}?page={n}") for n in (1, 2, 3)]

    assert "Otan" in _block(pages[0], "<h1", "</h1>")
    assert [len(_card_urls(_main(page))) for page in pages] == [20, 20, 5]
    assert all("Sans rapport avec le mot-clé" not in page for page in pages)
    assert '<a href="?page=2">2</a>' in pages[0]
    assert client.get(url, {"page": "abc"}).status_code == 404


# One <h1> on every page


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    ["home", "section", "article", "author", "tag", "search", "/nulle/part/du/tout/"],
)
def test_every_reader_page_has_exactly_one_h1(client, url):
    section = CategoryFactory(slug="monde")
    author = AuthorFactory(slug="lea-roux")
    article = ArticleFactory(category=section, authors=[author], tags=["Otan"], title="Otan")
    _article(2, category=section)
    urls = {
        "home": reverse("articles:home"),
        "section": section.get_absolute_url(),
        "article": article.get_absolute_url(),
        "author": author.get_absolute_url(),
        "tag": reverse("articles:tag", args=["otan"]),
        "search": reverse("articles:search") + "?q=Otan",
    }

    content = client.get(urls.get(url, url)).content.decode()

    assert content.count("<h1") == 1


# Errors


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/nulle-part/", "/monde/un-article-qui-n-existe-pas-999/"])
def test_unknown_address_gets_the_french_404_page_in_the_sites_design(client, settings, url):
    settings.DEBUG = False
    CategoryFactory(name="Monde", slug="monde")

    response = client.get(url)

    assert response.status_code == 404
    content = response.content.decode()
    assert '<html lang="fr">' in content
    assert "<title>Page introuvable – Le Quotidien</title>" in content
    assert '<h1 class="page-title">Page introuvable</h1>' in content
    assert '<header class="site-header">' in content
    assert '<a href="/monde/">Monde</a>' in content
    assert '<a href="/">Retour à la page d’accueil</a>' in content
    assert 'action="/recherche/"' in content


@pytest.mark.django_db
def test_server_error_gets_the_french_500_page(settings, monkeypatch):
    settings.DEBUG = False

    def broken(slot):
        raise RuntimeError("la base ne répond plus")

    monkeypatch.setattr("articles.views.house_ad", broken)

    response = Client(raise_request_exception=False).get(reverse("articles:home"))

    assert response.status_code == 500
    content = response.content.decode()
    assert '<html lang="fr">' in content
    assert "<title>Erreur du serveur</title>" in content
    assert "Un problème est survenu de notre côté" in content
    assert "la base ne répond plus" not in content


@pytest.mark.django_db
def test_500_template_renders_without_a_single_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        content = render_to_string("500.html")

    assert "Un problème est survenu de notre côté" in content
    assert '<a href="/">Retour à la page d’accueil</a>' in content


def test_500_page_is_served_while_the_database_is_unreachable():
    # No django_db mark: pytest-django makes any database access fail this test.
    response = defaults.server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    assert "Un problème est survenu de notre côté" in response.content.decode()


# Query counts


@pytest.fixture
def newsroom(db):
    """A small newsroom: sections and sub-sections, bylines, tags, images, links, ads."""
    image = ImageFactory()
    HouseAdFactory(slot="article", image=image)
    HouseAdFactory(slot="home", image=image)
    monde = CategoryFactory(slug="monde", menu_order=1)
    europe = CategoryFactory(slug="europe", parent=monde)
    author = AuthorFactory(slug="lea-roux")
    common = {"featured_image": image, "authors": [author], "tags": ["Otan"]}
    article = _article(1, category=europe, featured=True, **common)
    for hours in range(2, 12):
        _article(hours, category=(monde, europe)[hours % 2], **common)
    ReadMoreLinkFactory(article=article, target_article=_article(20, category=monde, **common))
    ReadMoreLinkFactory(article=article, external=True)
    CorrectionFactory(article=article)
    return article


def _grow(newsroom):
    """Many more of everything a page shows, in every section, menu entry and list."""
    image = ImageFactory()
    authors = AuthorFactory.create_batch(4)
    for n in range(4):
        section = CategoryFactory(slug=f"rubrique-{n}", menu_order=n + 2)
        child = CategoryFactory(slug=f"sous-rubrique-{n}", parent=section)
        for hours in range(30, 36):
            _article(
                hours + n / 10,
                category=(section, child, newsroom.category)[hours % 3],
                featured_image=image,
                authors=[authors[hours % 4], authors[(hours + 1) % 4]],
                tags=["Otan", f"Mot {hours}"],
            )
    for position, author in enumerate(authors, start=1):
        ArticleAuthor.objects.create(article=newsroom, author=author, position=position)
        CorrectionFactory(article=newsroom)
    newsroom.tags.add("Défense", "Europe", "Diplomatie")
    ReadMoreLinkFactory(article=newsroom, external=True, url="https://ex.example/deux")


def _cold_urls(newsroom):
    return {
        "article": newsroom.get_absolute_url(),
        "home": reverse("articles:home"),
        "section": reverse("articles:category", args=["monde"]),
        "author": reverse("articles:author", args=["lea-roux"]),
        "tag": reverse("articles:tag", args=["otan"]),
    }


def _cold_queries(url):
    """Queries of a request for ``url`` with nothing cached: everything comes from the database."""
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert Client().get(url).status_code == 200
    return len(queries)


# Built from nothing, a page also reads the furniture it shows (the menu, the ads, the alert,
# and on the home and article pages « Les plus lus »), one query each, kept from then on.
QUERY_LIMITS = {"article": 12, "home": 11, "section": 7, "author": 8, "tag": 8}


@pytest.mark.parametrize("page", QUERY_LIMITS)
def test_reader_page_built_from_an_empty_cache_stays_within_its_query_budget(
    newsroom, page, django_assert_max_num_queries
):
    url = _cold_urls(newsroom)[page]
    cache.clear()

    with django_assert_max_num_queries(QUERY_LIMITS[page]):
        response = Client().get(url)

    assert response.status_code == 200


def test_reader_pages_built_from_an_empty_cache_need_no_more_queries_for_more_content(
    newsroom,
):
    urls = _cold_urls(newsroom)
    small = {page: _cold_queries(url) for page, url in urls.items()}

    _grow(newsroom)
    large = {page: _cold_queries(url) for page, url in urls.items()}

    assert Article.objects.count() > 30
    assert {page: n for page, n in large.items() if n > small[page]} == {}
