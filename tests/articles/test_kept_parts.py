"""Pages built afresh (staff's, the first view under a new content version) cost little: the
parts that depend on content alone are kept per content version ({% kept %}), never stale,
never a paywall variant for another, never a preview's."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Category, Correction, HouseAd, Image, ReadMoreLink
from pagecache import keys, versions
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
from tests.subscriptions.test_paywall import (
    ANNOUNCE,
    LOCKED_NOTE,
    METERED,
    OFF,
    ON,
    set_paywall,
    shows_full_text,
    story,
)

pytestmark = pytest.mark.django_db

KEPT = Template('{% load newsroom %}{% kept "test" name %}{{ value }}{% endkept %}')


def render(keep=True, **context):
    return KEPT.render(Context({"keep_parts": keep, "name": "n", **context}))


@pytest.fixture
def kept(monkeypatch):
    """The keys of the values asked of ``remember`` by the template tags, none kept."""
    from articles.templatetags import newsroom

    keys = []

    def remember(key, build, **options):
        keys.append(key)
        return build()

    monkeypatch.setattr(newsroom, "remember", remember)
    return keys


def staff():
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    return client


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_kept_part_is_built_once_per_content_version():
    assert render(value="premier") == "premier"
    assert render(value="second") == "premier"

    versions.start_new_version()

    assert render(value="second") == "second"


def test_a_kept_part_is_kept_per_name_and_per_day():
    assert render(value="premier") == "premier"
    assert render(name="autre", value="second") == "second"
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert render(value="demain") == "demain"


def test_a_part_is_built_every_time_where_the_view_does_not_keep_parts():
    assert render(keep=False, value="premier") == "premier"
    assert render(keep=False, value="second") == "second"
    assert render(value="troisième") == "troisième"  # nothing kept before


@pytest.mark.parametrize("page", ["article", "home", "section"])
def test_staffs_page_built_again_costs_the_session_and_the_user_alone(
    page, django_assert_max_num_queries
):
    section = CategoryFactory()
    articles = ArticleFactory.create_batch(8, category=section)
    url = {"article": articles[0].get_absolute_url(), "home": "/"}.get(
        page, section.get_absolute_url()
    )
    client = staff()
    first = get(client, url)

    # The session with its user, and at most one read of the content version.
    with django_assert_max_num_queries(2):
        assert get(client, url) == first


def test_an_article_page_built_again_in_another_worker_reads_the_cache_once(monkeypatch):
    """What the article's page keeps (the article, its related stories, its parts) is read
    in one round trip of the shared cache by a worker that has none of it in memory."""
    from django.core.cache import cache

    from articles.views import kept_article_values
    from pagecache import parts

    article = ArticleFactory(tags=["Climat"])
    ArticleFactory.create_batch(3, category=article.category, tags=["Climat"])
    client = staff()
    first = get(client, article.get_absolute_url())
    parts.MEMORY.clear()  # another worker: only the shared cache has them
    reads, batches = [], []
    get_one = cache.get

    def get_many(keys, **kwargs):  # Django's: one ``get`` a key, unless the backend has better
        batches.append(keys)
        return {key: value for key in keys if (value := get_one(key)) is not None}

    monkeypatch.setattr(
        cache, "get", lambda key, *a, **kw: reads.append(key) or get_one(key, *a, **kw)
    )
    monkeypatch.setattr(cache, "get_many", get_many)

    assert get(client, article.get_absolute_url()) == first

    version = versions.current()
    wanted = {keys.part(name, version) for name in kept_article_values(article.pk, "full-plain")}
    assert [set(batch) for batch in batches] == [wanted]
    assert not wanted & set(reads)

    # Built again in the same worker: its memory has every one of them, the cache is not read.
    batches.clear()
    reads.clear()
    assert get(client, article.get_absolute_url()) == first
    assert not batches
    assert not wanted & set(reads)


def test_each_article_kept_foot_names_its_own_article():
    """The signup form's source, the reading beacon and the section's feed are kept with the
    article's parts: each article's page, built again, names its own."""
    articles = [ArticleFactory(), ArticleFactory()]
    client = staff()
    for _time in range(2):  # built, then from the parts kept
        for article in articles:
            content = get(client, article.get_absolute_url())
            beacon = reverse("audience:read", args=[article.pk])
            feed = reverse("feeds:category", args=[article.category.slug])
            assert f'name="source" value="{article.get_absolute_url()}"' in content
            assert f'data-beacon="{beacon}"' in content
            assert f'title="Le Quotidien – {article.category.name}" href="{feed}"' in content


def test_staff_see_a_change_at_once():
    article = ArticleFactory(title="Avant la correction")
    client = staff()
    for url in ("/", article.category.get_absolute_url(), article.get_absolute_url()):
        assert "Avant la correction" in get(client, url)

    # Written without the signals: the write watcher alone starts a new version.
    Article.objects.filter(pk=article.pk).update(title="Après la correction")
    versions.VERSIONS.forget()

    for url in ("/", article.category.get_absolute_url(), article.get_absolute_url()):
        content = get(client, url)
        assert "Après la correction" in content, url
        assert "Avant la correction" not in content, url


def test_the_full_text_kept_for_staff_never_reaches_a_reader_without_a_subscription():
    set_paywall(ON)
    url = story("alpha").get_absolute_url()
    assert shows_full_text(get(staff(), url), "alpha")

    for client in (Client(), Client()):  # built, then from the page cache
        content = get(client, url)
        assert "Secret alpha" not in content
        assert LOCKED_NOTE in content


def test_the_teaser_kept_for_a_reader_never_reaches_staff():
    set_paywall(ON)
    url = story("alpha").get_absolute_url()
    assert LOCKED_NOTE in get(Client(), url)

    content = get(staff(), url)

    assert shows_full_text(content, "alpha")
    assert LOCKED_NOTE not in content


def test_a_preview_keeps_no_part(editor_client, kept):
    article = ArticleFactory(title="Titre publié")

    assert "Titre publié" in get(editor_client, f"/apercu/{article.pk}/")
    assert not [key for key in kept if key.startswith("part:")]
    assert "Titre publié" in get(editor_client, article.get_absolute_url())
    assert [key for key in kept if key.startswith("part:")]


@pytest.mark.parametrize("page", ["article", "home", "section"])
def test_a_change_made_while_a_page_is_built_is_not_kept_under_its_new_version(page, monkeypatch):
    """A page read under one version whose parts are rendered under the next (an edit
    committed meanwhile, the version re-read): its parts, made from the content read before,
    are not kept for the new version."""
    from articles import views

    article = ArticleFactory(title="Avant la correction")
    url = {"article": article.get_absolute_url(), "home": "/"}.get(
        page, article.category.get_absolute_url()
    )
    latest_articles, paginate = views.latest_articles, views.ArticleListView.paginate_queryset
    edit = []

    def edited_meanwhile():
        if not edit:
            edit.append(True)
            Article.objects.filter(pk=article.pk).update(title="Après la correction")

    def latest(*args, **kwargs):
        chosen = latest_articles(*args, **kwargs)
        edited_meanwhile()
        return chosen

    def paginate_queryset(self, *args, **kwargs):
        result = paginate(self, *args, **kwargs)
        edited_meanwhile()
        return result

    monkeypatch.setattr(views, "latest_articles", latest)
    monkeypatch.setattr(views.ArticleListView, "paginate_queryset", paginate_queryset)
    client = staff()
    assert "Avant la correction" in get(client, url)  # read before the edit

    content = get(client, url)

    assert "Après la correction" in content
    assert "Avant la correction" not in content


TWO_VALUES = Template('{% load newsroom %}{% kept "test" a b %}{{ value }}{% endkept %}')


@pytest.mark.parametrize(
    "first, second",
    [
        ({"a": "1:2", "b": "3"}, {"a": "1", "b": "2:3"}),  # joined, the same text
        ({"a": None, "b": 1}, {"a": "None", "b": 1}),
        ({"a": True, "b": 1}, {"a": 1, "b": 1}),  # equal in Python, not the same value
        ({"a": 1, "b": 1}, {"a": True, "b": 1}),
    ],
)
def test_parts_of_different_values_are_kept_apart(first, second):
    assert TWO_VALUES.render(Context({"keep_parts": True, **first, "value": "premier"}))

    content = TWO_VALUES.render(Context({"keep_parts": True, **second, "value": "second"}))

    assert content == "second"


def test_a_part_named_by_a_long_value_has_a_short_key(kept):
    TWO_VALUES.render(Context({"keep_parts": True, "a": "x" * 10_000, "b": 1, "value": "v"}))

    assert len(kept[0]) < 200


def test_the_home_page_kept_yesterday_says_the_day_of_yesterdays_stories(
    django_capture_on_commit_callbacks,
):
    """ "14 h 05" means today: the page kept with it (and its part) gives way at midnight, in
    Paris's time, with no change of content."""
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    evening = datetime(2026, 3, 3, 23, 58, tzinfo=paris)
    with time_machine.travel(evening, tick=False):
        with django_capture_on_commit_callbacks(execute=True):  # as when the saves commit
            ArticleFactory(
                title="Le conseil a voté", published_at=evening - timedelta(hours=9, minutes=28)
            )
            ArticleFactory(title="À la une", published_at=evening - timedelta(hours=1))
        assert "14 h 30" in get(Client(), "/")
    with time_machine.travel(evening + timedelta(minutes=5), tick=False):
        versions.VERSIONS.forget()  # a second later for the worker: the version read again

        content = get(Client(), "/")

    assert ">3 mar<" in content
    assert "14 h 30" not in content


@pytest.mark.parametrize("status", [Article.LiveStatus.LIVE, Article.LiveStatus.ENDED])
def test_a_live_story_keeps_no_part(status, kept):
    article = ArticleFactory(title="En direct du sommet", live_status=status)

    assert "En direct du sommet" in get(staff(), article.get_absolute_url())
    assert "En direct du sommet" in get(Client(), article.get_absolute_url())
    assert not [key for key in kept if key.startswith("part:")]


@pytest.mark.parametrize("mode", [ANNOUNCE, METERED, ON, OFF])
def test_each_reader_gets_the_text_of_their_own_decision_whoever_built_the_part(mode):
    """Staff first (the full text kept), then a metered reader who may read it, then one who
    has used their free articles, then a visitor: each gets what the paywall decides."""
    set_paywall(mode, free_articles=1)
    used, url = story("bravo"), story("alpha").get_absolute_url()
    assert shows_full_text(get(staff(), url), "alpha")
    spent = Client()
    get(spent, used.get_absolute_url())  # its one free article

    locked = mode in (METERED, ON)
    assert shows_full_text(get(Client(), url), "alpha") is (mode != ON)
    content = get(spent, url)
    assert shows_full_text(content, "alpha") is not locked
    assert (LOCKED_NOTE in content) is locked
    set_paywall(ON)
    assert not shows_full_text(get(Client(), url), "alpha")


def _newsroom():
    # Names no random text of the factories holds ("Monde" may open one of their sentences).
    section = CategoryFactory(name="Avant rubrique", slug="monde")
    other = CategoryFactory(name="Sports")
    image = ImageFactory(alt_text="Avant alt", credit="Avant crédit")
    related = ArticleFactory(category=section, title="Avant lié")
    article = ArticleFactory(
        category=section,
        featured_image=image,
        tags=["Avant étiquette"],
        title="Le sommet",
        authors=[AuthorFactory(name="Avant auteur")],
    )
    for block in (section, other):  # the home page's blocks, the ad after the second
        ArticleFactory.create_batch(8, category=block)
    ReadMoreLinkFactory(
        article=article, target_article=None, url="https://x.example/", label="Avant lien"
    )
    ReadMoreLinkFactory(article=article, target_article=related)
    Article.objects.filter(pk=article.pk).update(corrected_at=timezone.now())
    CorrectionFactory(article=article, text="Avant correction")
    HouseAdFactory(slot="home", alt_text="Avant pub")
    HouseAdFactory(slot="article", alt_text="Avant réclame")
    return {"article": article, "related": related, "section": section, "image": image}


EDITS = {
    "author's name": ("article", "Avant auteur", "Après auteur", Author, {}, "name"),
    "section's name": (
        "section",
        "Avant rubrique",
        "Après rubrique",
        Category,
        {"name": "Avant rubrique"},
        "name",
    ),
    "tag's name": ("article", "Avant étiquette", "Après étiquette", Tag, {}, "name"),
    "image's alt text": ("article", "Avant alt", "Après alt", Image, {}, "alt_text"),
    "image's credit": ("article", "Avant crédit", "Après crédit", Image, {}, "credit"),
    "correction": ("article", "Avant correction", "Après correction", Correction, {}, "text"),
    "read-more link": ("article", "Avant lien", "Après lien", ReadMoreLink, {}, "label"),
    "related story": (
        "article",
        "Avant lié",
        "Après lié",
        Article,
        {"title": "Avant lié"},
        "title",
    ),
    "house ad": ("home", "Avant pub", "Après pub", HouseAd, {}, "alt_text"),
    "article's house ad": (
        "article",
        "Avant réclame",
        "Après réclame",
        HouseAd,
        {"slot": "article"},
        "alt_text",
    ),
}


@pytest.mark.parametrize("edit", EDITS)
def test_every_change_to_what_a_part_shows_shows_at_once(edit):
    page, before, after, model, rows, field = EDITS[edit]
    newsroom = _newsroom()
    url = {"home": "/", "section": newsroom["section"].get_absolute_url()}.get(
        page, newsroom["article"].get_absolute_url()
    )
    for client in (staff(), Client()):
        for address in (url, newsroom["article"].get_absolute_url(), "/"):
            assert before in get(client, url)
            get(client, address)

    model.objects.filter(**rows).update(**{field: after})  # the write watcher alone
    versions.VERSIONS.forget()

    for client in (staff(), Client()):
        content = get(client, url)
        assert after in content
        assert before not in content


def test_a_part_holding_a_csrf_token_is_drawn_for_each_request_never_kept():
    # A token is one visitor's: kept, the first visitor's would go to every other.
    part = Template(
        '{% load newsroom %}{% kept "form" name %}<form>{% csrf_token %}{{ value }}</form>'
        "{% endkept %}"
    )

    def draw(token, value):
        context = {"keep_parts": True, "name": "n", "csrf_token": token, "value": value}
        return part.render(Context(context))

    assert 'value="premier-jeton"' in draw("premier-jeton", "un")
    second = draw("second-jeton", "deux")

    assert 'value="second-jeton"' in second and "deux" in second
