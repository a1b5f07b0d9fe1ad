from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleAuthor
from pagecache import parts
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    ImageFactory,
    ReadMoreLinkFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def _hours_ago(hours):
    return timezone.now() - timedelta(hours=hours)


# The article page


def test_article_page_shows_kicker_title_lead_byline_and_tags(client):
    first = AuthorFactory(name="Anne Martin", slug="anne-martin")
    second = AuthorFactory(name="Hugo Bernard", slug="hugo-bernard")
    article = ArticleFactory(
        kicker="Défense",
        title="L’Otan craint que la Russie teste sa cohésion",
        lead="Les alliés se réunissent à Bruxelles.",
        authors=[first, second],
        tags=["Otan", "Russie"],
    )

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    content = response.content.decode()
    assert '<p class="kicker">Défense</p>' in content
    assert "<h1>L’Otan craint que la Russie teste sa cohésion</h1>" in content
    assert "Les alliés se réunissent à Bruxelles." in content
    assert f'<a href="{first.get_absolute_url()}" rel="author">Anne Martin</a>' in content
    assert f'<a href="{second.get_absolute_url()}" rel="author">Hugo Bernard</a>' in content
    assert content.index("Anne Martin") < content.index("Hugo Bernard")
    assert f'href="{reverse("articles:tag", args=["otan"])}">Otan</a>' in content
    assert f'href="{reverse("articles:tag", args=["russie"])}">Russie</a>' in content


def test_article_page_shows_the_byline_in_the_order_of_the_editor(client):
    article = ArticleFactory(authors=[])
    late = AuthorFactory(name="Zoé Dernière")
    early = AuthorFactory(name="Adam Premier")
    ArticleAuthor.objects.create(article=article, author=late, position=1)
    ArticleAuthor.objects.create(article=article, author=early, position=0)

    content = client.get(article.get_absolute_url()).content.decode()

    assert content.index("Adam Premier") < content.index("Zoé Dernière")


def test_article_page_shows_the_publication_date_in_french(client):
    article = ArticleFactory(published_at=datetime(2022, 3, 15, 18, 4, tzinfo=PARIS))

    content = client.get(article.get_absolute_url()).content.decode()

    assert "Publié le 15 mars 2022 à 18 h 04" in content


def test_article_page_shows_read_more_links_but_hides_those_to_unpublished_articles(client):
    article = ArticleFactory()
    visible = ArticleFactory(title="Le budget est adopté")
    draft = ArticleFactory(title="Brouillon à ne pas montrer", draft=True)
    scheduled = ArticleFactory(title="Article programmé pour demain", scheduled=True)
    ReadMoreLinkFactory(article=article, target_article=visible, position=0)
    ReadMoreLinkFactory(article=article, target_article=draft, position=1)
    ReadMoreLinkFactory(article=article, target_article=scheduled, position=2)
    ReadMoreLinkFactory(
        article=article,
        external=True,
        url="https://www.european-times.example/otan",
        label="Lire aussi The European Times",
        position=3,
    )

    response = client.get(article.get_absolute_url())

    content = response.content.decode()
    assert "Lire aussi" in content
    assert f'<a href="{visible.get_absolute_url()}">Le budget est adopté</a>' in content
    assert (
        '<a href="https://www.european-times.example/otan">Lire aussi The European Times</a>'
        in content
    )
    assert "Brouillon à ne pas montrer" not in content
    assert draft.get_absolute_url() not in content
    assert "Article programmé pour demain" not in content
    assert scheduled.get_absolute_url() not in content


def test_article_page_shows_related_articles_and_no_draft(client):
    article = ArticleFactory(tags=["Climat"])
    related = ArticleFactory(title="La COP s’achève sans accord", tags=["Climat"])
    ArticleFactory(title="Brouillon sur le climat", tags=["Climat"], draft=True)

    response = client.get(article.get_absolute_url())

    content = response.content.decode()
    assert "Lire la suite" in content
    assert response.context["related_articles"] == [related]
    assert f'<a href="{related.get_absolute_url()}">La COP s’achève sans accord</a>' in content
    assert "Brouillon sur le climat" not in content


def test_draft_article_is_not_found_by_readers(client):
    article = ArticleFactory(draft=True)

    assert client.get(article.get_absolute_url()).status_code == 404


def test_article_in_review_is_not_found_by_readers(client):
    article = ArticleFactory(status=Article.Status.REVIEW, published_at=_hours_ago(2))

    assert client.get(article.get_absolute_url()).status_code == 404


def test_scheduled_article_is_not_found_by_readers(client):
    article = ArticleFactory(scheduled=True)

    assert client.get(article.get_absolute_url()).status_code == 404


def test_old_slug_redirects_permanently_to_the_new_address(client):
    article = ArticleFactory(title="Premier titre")
    old_url = article.get_absolute_url()
    article.slug = "titre-corrige"
    article.save()

    response = client.get(old_url)

    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
    assert "titre-corrige" in response["Location"]
    assert client.get(response["Location"]).status_code == 200


def test_wrong_section_in_the_address_redirects_permanently_to_the_article(client):
    article = ArticleFactory()
    other_section = CategoryFactory()
    wrong_url = reverse(
        "articles:detail",
        kwargs={"category": other_section.slug, "slug": article.slug, "pk": article.pk},
    )

    response = client.get(wrong_url)

    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_old_slug_of_a_draft_does_not_redirect(client):
    article = ArticleFactory(draft=True)
    wrong_url = reverse(
        "articles:detail",
        kwargs={"category": article.category.slug, "slug": "ancien", "pk": article.pk},
    )

    assert client.get(wrong_url).status_code == 404


# Preview


def test_preview_is_not_found_by_anonymous_readers(client):
    article = ArticleFactory(draft=True)

    assert client.get(article.get_preview_url()).status_code == 404


def test_preview_is_not_found_by_a_logged_in_reader_who_is_not_staff(client):
    article = ArticleFactory(draft=True)
    client.force_login(UserFactory(is_staff=False))

    assert client.get(article.get_preview_url()).status_code == 404


def test_preview_shows_a_draft_to_staff_without_indexing(editor_client):
    article = ArticleFactory(title="Brouillon en cours", draft=True)

    response = editor_client.get(article.get_preview_url())

    assert response.status_code == 200
    assert "Brouillon en cours" in response.content.decode()
    assert '<meta name="robots" content="noindex' in response.content.decode()
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_preview_shows_their_scheduled_article_to_its_author(author_client, author_user):
    article = ArticleFactory(
        title="Programmé pour demain", scheduled=True, authors=[author_user.author_profile]
    )

    response = author_client.get(article.get_preview_url())

    assert response.status_code == 200
    assert "Programmé pour demain" in response.content.decode()


# Lists


@pytest.fixture
def three_articles_of_one_section_author_and_tag():
    section = CategoryFactory(name="Économie", slug="economie")
    author = AuthorFactory(name="Inès Leroy", slug="ines-leroy")
    common = {"category": section, "authors": [author], "tags": ["Inflation"]}
    ArticleFactory(title="Les prix ralentissent enfin", **common)
    ArticleFactory(title="Brouillon secret sur les prix", draft=True, **common)
    ArticleFactory(title="Programmé pour demain matin", scheduled=True, **common)
    return section, author


@pytest.mark.parametrize(
    ("view", "args"),
    [("home", []), ("category", ["economie"]), ("author", ["ines-leroy"]), ("tag", ["inflation"])],
)
def test_list_pages_show_published_articles_only(
    client, view, args, three_articles_of_one_section_author_and_tag
):
    response = client.get(reverse(f"articles:{view}", args=args))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Les prix ralentissent enfin" in content
    assert "Brouillon secret sur les prix" not in content
    assert "Programmé pour demain matin" not in content


def test_unknown_section_is_not_found(client):
    assert client.get(reverse("articles:category", args=["nulle-part"])).status_code == 404


# Queries


def _page_queries(url):
    """Queries of the first anonymous request for ``url``: the page itself is not cached yet,
    the site-wide lookups (content version, menu, house ads) are, as on a running site."""
    cache.clear()
    # Another address than ``url``, so that only the shared lookups are cached.
    assert Client().get(reverse("articles:home"), {"warm-up": "1"}).status_code == 200
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_article_page_query_count_does_not_grow_with_authors_tags_and_links(
    django_assert_max_num_queries,
):
    section = CategoryFactory(parent=CategoryFactory())
    image = ImageFactory()
    article = ArticleFactory(
        category=section, featured_image=image, authors=[AuthorFactory()], tags=["Otan"]
    )
    # Enough articles of the section for three related cards whatever the links.
    for hours in (2, 3, 4):
        ArticleFactory(category=section, featured_image=image, published_at=_hours_ago(hours))
    ReadMoreLinkFactory(
        article=article, position=0, target_article=ArticleFactory(featured_image=image)
    )
    url = article.get_absolute_url()
    small = _page_queries(url)

    for position, author in enumerate(AuthorFactory.create_batch(5), start=1):
        ArticleAuthor.objects.create(article=article, author=author, position=position)
    article.tags.add(*(f"Mot-clé {n}" for n in range(8)))
    # One more link to an article (two editor's picks, each a card with its image) and four
    # external links: the related block still needs its fallback query, as with one link, so
    # both pages run the same queries unless something is fetched per author, tag or link.
    ReadMoreLinkFactory(
        article=article, position=1, target_article=ArticleFactory(featured_image=image)
    )
    for position in range(2, 6):
        ReadMoreLinkFactory(
            article=article, position=position, external=True, url=f"https://ex.example/{position}"
        )
    large = _page_queries(url)

    assert article.read_more_links.count() == 6
    assert large == small
    # Right after an edit: every page is rebuilt, the site furniture (menu, ads, paywall
    # settings, alert) is still cached, as on a running site; « Les plus lus », which shows
    # stories, is read again once for the new version.
    assert Client().get(url).status_code == 200
    article.save()
    with django_assert_max_num_queries(11):
        assert Client().get(url).status_code == 200


@pytest.mark.parametrize("view", ["home", "category", "author", "tag"])
def test_list_page_query_count_does_not_grow_with_the_number_of_articles(view):
    section = CategoryFactory(slug="monde")
    author = AuthorFactory(slug="lea-roux")
    image = ImageFactory()
    common = {"category": section, "featured_image": image, "tags": ["Diplomatie"]}
    ArticleFactory(authors=[author], **common)
    args = {"home": [], "category": ["monde"], "author": ["lea-roux"], "tag": ["diplomatie"]}
    url = reverse(f"articles:{view}", args=args[view])
    few = _page_queries(url)

    for _ in range(6):
        ArticleFactory(authors=[author, AuthorFactory()], **common)
    many = _page_queries(url)

    assert many == few


def test_article_page_never_offers_the_same_story_twice(client):
    import re

    article = ArticleFactory(tags=["Otan", "Défense"])
    pick = ArticleFactory(category=article.category, tags=["Otan", "Défense"])
    ReadMoreLinkFactory(article=article, target_article=pick)
    for hours in range(1, 10):
        ArticleFactory(
            category=article.category, tags=["Otan"][: hours % 2], published_at=_hours_ago(hours)
        )

    content = client.get(article.get_absolute_url()).content.decode()

    read_also = re.search(r'<section class="read-more".*?</section>', content, re.S).group()
    below = content[content.index('<section class="related"') :]
    offered = re.findall(r'href="(/[^"/]+/[^"/]+-\d+/)"', read_also + below)
    assert pick.get_absolute_url() in read_also
    assert article.get_absolute_url() not in offered
    assert len(offered) == len(set(offered)) >= 1 + 3 + 3


def test_a_story_picked_twice_under_read_also_is_offered_once(client):
    import re

    article = ArticleFactory()
    pick = ArticleFactory(category=article.category)
    ReadMoreLinkFactory(article=article, target_article=pick)
    ReadMoreLinkFactory(article=article, target_article=pick)  # two editors, one story
    ReadMoreLinkFactory(article=article, external=True, url="https://example.com/a", label="A")
    ReadMoreLinkFactory(article=article, external=True, url="https://example.com/a", label="A")

    content = client.get(article.get_absolute_url()).content.decode()

    read_also = re.search(r'<section class="read-more".*?</section>', content, re.S).group()
    assert read_also.count(f'href="{pick.get_absolute_url()}"') == 1
    assert read_also.count('href="https://example.com/a"') == 1


# Pages built for every request (signed-in readers): what every reader sees alike is kept
# per content version, so that a page built again asks the database for the reader alone.


@pytest.fixture
def reader_client():
    client = Client()
    client.force_login(UserFactory())
    return client


def _signed_in_queries(client, url):
    """The queries of a signed-in reader's request, once the page has been seen."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]  # built for this reader, not from the cache
    return [query["sql"] for query in queries], response


def test_signed_in_readers_article_page_asks_only_for_the_session_and_its_reader(reader_client):
    section = CategoryFactory(slug="monde")
    article = ArticleFactory(
        category=section, title="L’Otan se réunit", authors=[AuthorFactory()], tags=["Otan"]
    )
    ReadMoreLinkFactory(article=article, target_article=ArticleFactory(category=section))

    queries, response = _signed_in_queries(reader_client, article.get_absolute_url())

    assert len(queries) == 1, queries  # the session with its user
    assert "L’Otan se réunit" in response.content.decode()


def test_signed_in_readers_article_page_shows_an_edit_at_once(reader_client):
    article = ArticleFactory(title="Premier titre")
    url = article.get_absolute_url()
    assert "Premier titre" in reader_client.get(url).content.decode()

    article.title = "Titre corrigé"
    article.save()

    assert "Titre corrigé" in reader_client.get(url).content.decode()
    article.status = Article.Status.DRAFT
    article.save()
    assert reader_client.get(url).status_code == 404


def test_signed_in_readers_home_page_asks_only_for_the_session_and_its_reader(reader_client):
    section = CategoryFactory(slug="monde")
    ArticleFactory(category=section, title="À la une", featured=True, published_at=_hours_ago(5))
    for hours in range(1, 4):
        ArticleFactory(category=section, title=f"Récent {hours}", published_at=_hours_ago(hours))

    queries, response = _signed_in_queries(reader_client, reverse("articles:home"))

    assert len(queries) == 1, queries
    content = response.content.decode()
    assert "À la une" in content and "Récent 3" in content


def test_signed_in_readers_section_page_asks_only_for_the_session_and_its_reader(reader_client):
    monde = CategoryFactory(slug="monde", name="Monde")
    CategoryFactory(slug="europe", name="Europe", parent=monde)
    ArticleFactory(category=monde, title="Un sommet à Vilnius")

    queries, response = _signed_in_queries(
        reader_client, reverse("articles:category", args=["monde"])
    )

    assert len(queries) == 1, queries  # the session with its user
    content = response.content.decode()
    assert "Un sommet à Vilnius" in content and 'href="/europe/"' in content


def test_a_sub_section_page_marks_its_main_section_and_an_unknown_section_is_a_404(client):
    monde = CategoryFactory(slug="monde", name="Monde", menu_order=1)
    europe = CategoryFactory(slug="europe", name="Europe", parent=monde)
    ArticleFactory(category=europe, title="Un sommet à Vilnius")

    response = client.get(reverse("articles:category", args=["europe"]))

    assert response.status_code == 200
    assert response.context["current_section"] == monde
    assert response.context["subsections"] == []
    assert client.get(reverse("articles:category", args=["nulle-part"])).status_code == 404
    monde.name = "Le monde"
    monde.save()
    assert "Le monde" in client.get(reverse("articles:category", args=["europe"])).content.decode()


@pytest.mark.parametrize("view", ["category", "author", "tag"])
def test_a_list_page_kept_per_version_shows_a_new_story_at_once(reader_client, view):
    section = CategoryFactory(slug="monde")
    author = AuthorFactory(slug="lea-roux")
    common = {"category": section, "authors": [author], "tags": ["Otan"]}
    ArticleFactory(title="Premier sommet", published_at=_hours_ago(2), **common)
    args = {"category": ["monde"], "author": ["lea-roux"], "tag": ["otan"]}[view]
    url = reverse(f"articles:{view}", args=args)
    assert "Premier sommet" in reader_client.get(url).content.decode()

    ArticleFactory(title="Second sommet", **common)

    for client in (reader_client, Client()):
        content = client.get(url).content.decode()
        assert "Second sommet" in content and "Premier sommet" in content
    assert reader_client.get(url, {"page": "7"}).status_code == 404
    # Kept as large values, within the worker's budget, which a crawler would otherwise fill.
    assert not [key for key in parts.MEMORY.values if ":stories:" in key]
    assert [key for key in parts.MEMORY.large if ":stories:" in key]
