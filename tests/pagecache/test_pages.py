"""The page cache (pagecache/) as readers and CDNs meet it: cacheable anonymous
pages, conditional requests, private pages for signed-in readers (tests/pagecache/
test_signed_in_readers.py), no cache for staff or previews, and never stale."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from pagecache import pages, parts, versions, watch
from pagecache.models import ContentVersion
from tests.factories import (
    ArticleFactory,
    AuthorFactory,
    CategoryFactory,
    CorrectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOME = reverse("articles:home")


@pytest.fixture
def article():
    section = CategoryFactory(name="Monde", slug="monde")
    author = AuthorFactory(name="Léa Roux", slug="lea-roux")
    ArticleFactory(category=section, authors=[author], tags=["Otan"], title="L’Otan recrute")
    return ArticleFactory(
        category=section, authors=[author], tags=["Otan"], title="L’Otan se réunit à Vilnius"
    )


def _urls(article):
    return {
        "home": HOME,
        "section": reverse("articles:category", args=["monde"]),
        "article": article.get_absolute_url(),
        "author": reverse("articles:author", args=["lea-roux"]),
        "tag": reverse("articles:tag", args=["otan"]),
        "search": reverse("articles:search") + "?q=Otan",
    }


PAGES = ["home", "section", "article", "author", "tag", "search"]
KEPT_PAGES = [page for page in PAGES if page != "search"]  # search results are never kept


def _queries(client, url, status=200):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == status, url
    return len(queries), response.content.decode()


def _prime(url):
    """Request ``url`` twice as an anonymous reader; the second answer must come from the cache."""
    client = Client()
    assert client.get(url).status_code == 200
    count, content = _queries(client, url)
    assert count == 0, f"{url} was not served from the cache"
    return content


def _cache_control(response):
    return {part.strip() for part in response["Cache-Control"].split(",")}


# Headers for browsers and CDNs


@pytest.mark.parametrize("page", KEPT_PAGES)
def test_anonymous_page_is_public_for_shared_caches_with_etag_and_last_modified(
    client, article, page
):
    response = client.get(_urls(article)[page])

    assert response.status_code == 200
    directives = _cache_control(response)
    assert "public" in directives
    assert "private" not in directives
    assert "no-store" not in directives
    s_maxage = [d for d in directives if d.startswith("s-maxage=")]
    assert len(s_maxage) == 1
    assert int(s_maxage[0].removeprefix("s-maxage=")) > 0
    assert response.has_header("ETag")
    assert response.has_header("Last-Modified")


@pytest.mark.parametrize("page", ["home", "article"])
def test_public_page_varies_on_cookie_so_a_cdn_keeps_signed_in_readers_apart(client, article, page):
    response = client.get(_urls(article)[page])

    assert "public" in _cache_control(response)
    vary = {header.strip().lower() for header in response.get("Vary", "").split(",")}
    assert "cookie" in vary


@pytest.mark.parametrize("page", ["home", "article", "section"])
def test_conditional_get_with_the_etag_is_answered_304(client, article, page):
    url = _urls(article)[page]
    etag = client.get(url)["ETag"]

    response = client.get(url, headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response.content == b""


def test_conditional_get_with_last_modified_is_answered_304(client, article):
    url = article.get_absolute_url()
    last_modified = client.get(url)["Last-Modified"]

    response = client.get(url, headers={"if-modified-since": last_modified})

    assert response.status_code == 304


def test_old_etag_gets_the_new_page_after_an_edit(client, article):
    url = article.get_absolute_url()
    first = client.get(url)

    article.title = "L’Otan s’élargit"
    article.save()
    response = client.get(
        url,
        headers={"if-none-match": first["ETag"], "if-modified-since": first["Last-Modified"]},
    )

    assert response.status_code == 200
    assert "L’Otan s’élargit" in response.content.decode()
    assert response["ETag"] != first["ETag"]


# The full-page cache


@pytest.mark.parametrize("page", KEPT_PAGES)
def test_second_anonymous_request_is_served_without_a_query(
    client, article, page, django_assert_num_queries
):
    url = _urls(article)[page]
    first = client.get(url)

    with django_assert_num_queries(0):
        second = client.get(url)

    assert second.status_code == 200
    assert second.content == first.content


@pytest.mark.parametrize("page", KEPT_PAGES)
@pytest.mark.parametrize("cookie", ["x", "a-made-up-key-of-the-right-length-0123"])
def test_a_made_up_session_cookie_gets_the_kept_page_for_one_query(
    client, article, page, cookie, django_assert_max_num_queries
):
    """Otherwise anyone could have every page built afresh, at many times the cost."""
    url = _urls(article)[page]
    first = client.get(url)
    visitor = Client()
    visitor.cookies[settings.SESSION_COOKIE_NAME] = cookie

    with django_assert_max_num_queries(1):  # the session looked up
        response = visitor.get(url)

    assert response.status_code == 200
    assert response.content == first.content


@pytest.mark.parametrize("page", KEPT_PAGES)
@pytest.mark.parametrize("cookie", ["", "x", "a-made-up-key-of-the-right-length-0123"])
def test_the_answer_to_a_session_cookie_naming_no_session_is_kept_by_no_shared_cache(
    client, article, page, cookie
):
    """SessionMiddleware deletes such a cookie (a Set-Cookie): a CDN keeping that answer for
    everyone would sign every reader out who got it."""
    url = _urls(article)[page]
    client.get(url)
    visitor = Client()
    visitor.cookies[settings.SESSION_COOKIE_NAME] = cookie

    response = visitor.get(url)

    assert response.status_code == 200
    assert response.page_cache_status == "hit"
    assert {"private", "no-cache"} <= _cache_control(response)
    assert "public" not in _cache_control(response)
    assert "s-maxage" not in response["Cache-Control"]


def test_signed_in_reader_sees_a_change_at_once_and_gets_a_private_page(article):
    url = article.get_absolute_url()
    _prime(url)
    # Changed without the signals: the write watcher alone tells the page cache.
    Article.objects.filter(pk=article.pk).update(title="Titre vu par l’abonnée")
    reader = Client()
    reader.force_login(UserFactory())

    count, content = _queries(reader, url)
    again, _content = _queries(reader, url)

    assert "Titre vu par l’abonnée" in content
    assert count > 0
    assert again > 0
    directives = _cache_control(reader.get(url))
    assert "private" in directives
    assert "public" not in directives


def test_page_built_for_a_signed_in_reader_is_not_kept_for_anonymous_readers(article):
    url = article.get_absolute_url()
    reader = Client()
    reader.force_login(UserFactory(is_staff=True))
    assert reader.get(url).status_code == 200

    response = Client().get(url)

    # Rendered for the anonymous reader: not the signed-in reader's page from the cache (the
    # page may cost no query: its article is kept per content version).
    assert response.templates[0].name == "articles/article_detail.html"


# Never stale


def test_publishing_a_draft_shows_it_at_once_on_the_home_and_section_pages(
    article, django_capture_on_commit_callbacks
):
    draft = ArticleFactory(category=article.category, draft=True, title="Le brouillon paraît")
    section = article.category.get_absolute_url()
    for url in (HOME, section):
        assert "Le brouillon paraît" not in _prime(url)

    with django_capture_on_commit_callbacks(execute=True):
        draft.status = Article.Status.PUBLISHED
        draft.save()

    for url in (HOME, section):
        assert "Le brouillon paraît" in Client().get(url).content.decode(), url
    assert Client().get(draft.get_absolute_url()).status_code == 200


def test_editing_a_title_shows_at_once_on_every_page_that_shows_it(
    article, django_capture_on_commit_callbacks
):
    urls = [HOME, article.category.get_absolute_url(), article.get_absolute_url()]
    for url in urls:
        assert "L’Otan se réunit à Vilnius" in _prime(url)

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Les alliés se réunissent à Vilnius"
        article.save()

    for url in urls:
        content = Client().get(url).content.decode()
        assert "Les alliés se réunissent à Vilnius" in content, url
        assert "L’Otan se réunit à Vilnius" not in content, url


def test_unpublishing_removes_the_article_at_once_everywhere(
    article, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    search = reverse("articles:search") + "?q=Otan"
    listings = [HOME, article.category.get_absolute_url(), search]
    for page in [HOME, article.category.get_absolute_url(), url]:
        assert "L’Otan se réunit à Vilnius" in _prime(page)
    assert "L’Otan se réunit à Vilnius" in Client().get(search).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        article.status = Article.Status.DRAFT
        article.save()

    assert Client().get(url).status_code == 404
    for page in listings:
        assert url not in Client().get(page).content.decode(), page


def test_unpublishing_from_the_admin_list_removes_the_article_at_once(
    article, editor_client, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    _prime(url)
    _prime(HOME)

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            reverse("admin:articles_article_changelist"),
            {"action": "unpublish", "_selected_action": [article.pk]},
        )

    assert response.status_code == 302
    assert Client().get(url).status_code == 404
    assert url not in Client().get(HOME).content.decode()


def test_renaming_an_author_or_a_section_shows_at_once(article, django_capture_on_commit_callbacks):
    url = article.get_absolute_url()
    assert "Léa Roux" in _prime(url)
    assert ">Monde</a>" in _prime(HOME)

    with django_capture_on_commit_callbacks(execute=True):
        author = article.authors.get()
        author.name = "Léa Roux-Martin"
        author.save()
        section = article.category
        section.name = "International"
        section.save()

    assert "Léa Roux-Martin" in Client().get(url).content.decode()
    home = Client().get(HOME).content.decode()
    assert ">International</a>" in home
    assert ">Monde</a>" not in home


def test_a_new_correction_or_tag_shows_at_once_on_the_article_page(
    article, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    _prime(url)

    with django_capture_on_commit_callbacks(execute=True):
        CorrectionFactory(article=article, text="Le sommet a lieu à Vilnius, non à Riga.")
        article.tags.add("Lituanie")

    content = Client().get(url).content.decode()
    assert "Le sommet a lieu à Vilnius, non à Riga." in content
    assert ">Lituanie</a>" in content


def test_scheduled_articles_appear_on_the_home_page_when_their_time_comes_without_a_save(
    django_capture_on_commit_callbacks,
):
    # Minutes apart, well within the page cache's timeout: only the content version can
    # make the cached page give way.
    with time_machine.travel(datetime(2025, 3, 15, 16, 0, tzinfo=UTC), tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):  # as when the save commits
            section = CategoryFactory(slug="monde")
            ArticleFactory(category=section, title="Déjà en ligne")
            first = ArticleFactory(
                category=section,
                title="Premier article programmé",
                published_at=datetime(2025, 3, 15, 16, 4, tzinfo=UTC),
            )
            second = ArticleFactory(
                category=section,
                title="Second article programmé",
                published_at=datetime(2025, 3, 15, 16, 8, tzinfo=UTC),
            )
        home = _prime(HOME)
        assert "Déjà en ligne" in home
        assert first.title not in home

        clock.move_to(datetime(2025, 3, 15, 16, 3, 59, tzinfo=UTC))
        count, home = _queries(Client(), HOME)
        assert count == 0
        assert first.title not in home

        clock.move_to(datetime(2025, 3, 15, 16, 4, 1, tzinfo=UTC))
        home = _prime(HOME)
        assert first.title in home
        assert second.title not in home
        assert Client().get(first.get_absolute_url()).status_code == 200
        assert Client().get(second.get_absolute_url()).status_code == 404

        clock.move_to(datetime(2025, 3, 15, 16, 8, 1, tzinfo=UTC))
        home = Client().get(HOME).content.decode()
        assert first.title in home
        assert second.title in home
        assert second.title in Client().get(section.get_absolute_url()).content.decode()


# Several workers


def _another_process_changes_the_title(article, title):
    """What a publication in another process leaves in the database: the row changed, and the
    version it started, which this worker has not read yet."""
    watch.watcher.paused = True  # not this worker's own change, which it would see at once
    try:
        Article.objects.filter(pk=article.pk).update(title=title)
    finally:
        watch.watcher.paused = False
    ContentVersion.objects.update(number=F("number") + 1)


def test_another_workers_change_shows_here_within_the_recheck_delay(article, settings):
    settings.PAGE_CACHE_RECHECK = 1.0
    url = article.get_absolute_url()
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False) as clock:
        _prime(url)
        _another_process_changes_the_title(article, "Titre changé ailleurs")

        clock.shift(0.5)
        count, content = _queries(Client(), url)
        assert count == 0
        assert "L’Otan se réunit à Vilnius" in content

        clock.shift(0.6)
        content = Client().get(url).content.decode()
        assert "Titre changé ailleurs" in content
        assert "L’Otan se réunit à Vilnius" not in content


LOCAL_TIER = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "shared"},
    pages.LOCAL_PAGES: {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "worker",
    },
}


@pytest.fixture
def local_tier(settings):
    """A shared cache with each worker's own page tier in front of it, as with Redis."""
    settings.CACHES = LOCAL_TIER
    yield caches[pages.LOCAL_PAGES]
    caches[pages.LOCAL_PAGES].clear()
    caches["default"].clear()


def test_worker_serves_a_page_from_its_own_memory_without_asking_the_shared_cache(
    article, local_tier, monkeypatch
):
    url = article.get_absolute_url()
    first = _prime(url)
    shared_reads = []
    shared = caches["default"]
    monkeypatch.setattr(shared, "get", lambda *a, **k: shared_reads.append(a) or None)

    count, content = _queries(Client(), url)

    assert count == 0
    assert content == first
    assert shared_reads == []


def test_worker_without_the_page_takes_it_from_the_shared_cache(article, local_tier):
    url = article.get_absolute_url()
    first = _prime(url)
    local_tier.clear()  # another worker built the page

    count, content = _queries(Client(), url)

    assert count == 0
    assert content == first


def test_worker_never_serves_its_copy_of_a_page_once_the_content_changed(
    article, local_tier, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    _prime(url)

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "Les alliés se réunissent à Vilnius"
        article.save()

    assert "Les alliés se réunissent à Vilnius" in Client().get(url).content.decode()


# Pages built afresh: what they share with other pages is built once per version


def test_a_signed_in_readers_page_shows_an_edit_to_a_related_story_at_once(
    article, django_capture_on_commit_callbacks
):
    other = Article.objects.exclude(pk=article.pk).get()  # shares the tag: a "Lire la suite" card
    reader = Client()
    reader.force_login(UserFactory())
    assert "L’Otan recrute" in reader.get(article.get_absolute_url()).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        other.title = "L’Otan recrute en Lituanie"
        other.save()

    content = reader.get(article.get_absolute_url()).content.decode()
    assert "L’Otan recrute en Lituanie" in content


def test_the_menu_marks_the_section_of_each_page(client, article):
    CategoryFactory(name="Économie", slug="economie")

    monde = client.get(article.category.get_absolute_url()).content.decode()
    economie = client.get(reverse("articles:category", args=["economie"])).content.decode()

    assert '<a href="/monde/" aria-current="true">Monde</a>' in monde
    assert '<a href="/economie/">Économie</a>' in monde
    assert '<a href="/economie/" aria-current="true">Économie</a>' in economie
    assert '<a href="/monde/">Monde</a>' in economie


def test_remember_builds_once_per_content_version():
    builds = []

    def build():
        builds.append(1)
        return len(builds)

    first = parts.remember("test:value", build)
    again = parts.remember("test:value", build)
    versions.start_new_version()
    after_a_change = parts.remember("test:value", build)

    assert (first, again, after_a_change) == (1, 1, 2)


def test_remember_lets_go_of_the_values_of_an_old_version():
    for number in range(5):
        parts.remember(f"test:{number}", lambda number=number: number, shared=False)
    versions.start_new_version()

    parts.remember("test:new", lambda: "new", shared=False)

    assert list(parts.MEMORY.values) == ["test:new"]


def test_remember_keeps_a_bounded_number_of_values_in_the_worker(monkeypatch):
    monkeypatch.setattr(parts, "WORKER_MEMORY_ENTRIES", 10)
    for number in range(25):
        parts.remember(f"test:{number}", lambda number=number: number, shared=False)

    assert len(parts.MEMORY.values) <= 10


def test_remember_keeps_a_large_value_in_the_worker_until_a_new_version():
    builds = []

    def build():
        builds.append(1)
        return {"built": len(builds)}

    first = parts.remember("test:large", build, large=True)
    caches["default"].clear()  # the worker's memory alone answers
    again = parts.remember("test:large", build, large=True)
    versions.start_new_version()
    after_a_change = parts.remember("test:large", build, large=True)

    assert [first, again, after_a_change] == [{"built": 1}, {"built": 1}, {"built": 2}]
    assert not parts.MEMORY.values  # the small values' room is left to them
    assert list(parts.MEMORY.large) == ["test:large"]


def test_remember_keeps_the_large_values_used_last_within_a_budget(monkeypatch):
    monkeypatch.setattr(parts, "WORKER_MEMORY_LARGE_BYTES", 8_000)
    text = "x" * 900
    for number in range(8):
        parts.remember(f"test:{number}", lambda: text, large=True)
    parts.remember("test:0", lambda: "rebuilt", large=True)  # read: used last
    for number in range(8, 12):
        parts.remember(f"test:{number}", lambda: text, large=True)

    assert parts.MEMORY.large_bytes <= 8_000
    assert "test:0" in parts.MEMORY.large
    assert "test:1" not in parts.MEMORY.large  # the least recently used went first
    assert parts.MEMORY.large_bytes == sum(size for *_kept, size in parts.MEMORY.large.values())
    # Too large for the budget: kept in the shared cache alone.
    assert parts.remember("test:huge", lambda: "y" * 2_000, large=True) == "y" * 2_000
    assert "test:huge" not in parts.MEMORY.large


# Previews


def test_preview_is_never_cached_and_never_indexed(editor_client):
    article = ArticleFactory(draft=True, title="Brouillon du matin")
    url = article.get_preview_url()
    assert editor_client.get(url).status_code == 200
    # Changed without the signals: only a page built afresh can show it.
    Article.objects.filter(pk=article.pk).update(title="Brouillon de midi")

    count, content = _queries(editor_client, url)
    response = editor_client.get(url)

    assert count > 0
    assert "Brouillon de midi" in content
    assert {"no-cache", "no-store", "private"} <= _cache_control(response)
    assert "public" not in _cache_control(response)
    assert "noindex" in response["X-Robots-Tag"]
    assert Client().get(url).status_code == 404


# Made-up addresses cannot fill the cache


def _kept_pages():
    """The page entries in the shared cache (local memory in tests)."""
    return [key for key in caches["default"]._cache if ":page:" in key]


@pytest.fixture
def two_pages_of_monde(article):
    ArticleFactory.create_batch(25, category=article.category)
    return article.category.get_absolute_url()


def test_query_parameters_a_page_does_not_read_share_its_one_entry(client, article):
    _prime(HOME)
    url = article.get_absolute_url()
    _prime(url)
    # The first "?p=" of a version asks once whether WordPress addresses were imported.
    Client().get(HOME + "?p=1")
    kept = len(_kept_pages())

    for junk in ("?page=2", "?page=abc", "?q=Otan", "?p=3", "?utm_source=x&q=y"):
        assert _queries(Client(), HOME + junk)[0] == 0, junk
        assert _queries(Client(), url + junk)[0] == 0, junk

    assert len(_kept_pages()) == kept


@pytest.mark.parametrize("number", ["abc", "99999", "0", "-1", "2.0", "1e3"])
def test_an_invalid_page_number_is_404_and_never_kept(client, two_pages_of_monde, number):
    url = f"{two_pages_of_monde}?page={number}"

    assert client.get(url).status_code == 404
    assert client.get(url).status_code == 404
    assert _kept_pages() == []


def test_the_first_page_with_or_without_its_number_is_one_entry(two_pages_of_monde):
    _prime(two_pages_of_monde)

    count, _content = _queries(Client(), f"{two_pages_of_monde}?page=1")

    assert count == 0
    assert len(_kept_pages()) == 1


def test_a_valid_page_number_is_kept_once(two_pages_of_monde):
    first = Client().get(two_pages_of_monde).content.decode()
    second = _prime(f"{two_pages_of_monde}?page=2")

    assert 'aria-current="page">2<' in second
    assert second != first
    assert len(_kept_pages()) == 2


@pytest.mark.parametrize("number", ["01", "%2B2", "0_2", "%202", "last", ""])
def test_a_page_number_written_unlike_the_links_is_built_each_time_never_kept(
    two_pages_of_monde, number
):
    url = f"{two_pages_of_monde}?page={number}"

    first = Client().get(url)
    again = Client().get(url)

    # Rendered each time (the stories it lists may be kept per content version, not the page).
    assert first.status_code == again.status_code == 200
    assert first.templates and again.templates
    assert _kept_pages() == []


def test_search_results_are_built_for_each_request_and_never_kept(article, settings):
    settings.SEARCH_RATE_PER_IP = 100  # 31 searches from one address: not what is tested here
    search = reverse("articles:search")
    for number in range(30):
        assert Client().get(f"{search}?q=Otan+{number}").status_code == 200
    Article.objects.filter(pk=article.pk).update(title="L’Otan change de titre")

    count, content = _queries(Client(), f"{search}?q=Otan")

    assert count > 0
    assert "L’Otan change de titre" in content
    assert _kept_pages() == []


def test_the_empty_search_form_is_kept(client):
    _prime(reverse("articles:search"))

    assert len(_kept_pages()) == 1


@pytest.mark.parametrize("number", ["abc", "0", "99"])
def test_a_sitemap_page_that_does_not_exist_is_404_and_never_kept(client, article, number):
    url = reverse("sitemaps:section", args=["articles"])

    assert client.get(f"{url}?p={number}").status_code == 404
    assert _kept_pages() == []
    _prime(url)
    assert _queries(Client(), f"{url}?p=1")[0] == 0


def test_search_results_are_never_kept_by_a_cdn_either(client, article):
    response = client.get(reverse("articles:search") + "?q=Otan")

    assert {"private", "no-cache"} <= _cache_control(response)
    assert "s-maxage" not in response["Cache-Control"]
