"""Kept pages answered by the first middleware (pagecache/fastpath.py): the same answer as the
whole stack gives, for anonymous visitors only, and every rule of the stack kept."""

import pytest
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import Client
from django.urls import reverse

from pagecache import fastpath, versions
from pagecache.pages import CachedPage
from subscriptions import paywall
from tests.factories import ArticleFactory, CategoryFactory, UserFactory
from wordpress.models import OldAddress

pytestmark = pytest.mark.django_db


@pytest.fixture
def stack(monkeypatch):
    """Counts the requests that went down the middleware stack (past the session's)."""
    calls = []
    original = SessionMiddleware.process_request

    def process_request(self, request):
        calls.append(request.get_full_path())
        return original(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", process_request)
    return calls


@pytest.fixture
def article():
    return ArticleFactory(category=CategoryFactory(slug="monde"), title="L’Otan se réunit")


def without_request_id(response):
    return {name: value for name, value in response.items() if name != "X-Request-ID"}


@pytest.mark.parametrize("page", ["home", "article", "section"])
def test_a_kept_page_is_answered_first_with_the_headers_the_stack_gave_it(
    article, stack, page, django_assert_num_queries
):
    url = {"home": "/", "article": article.get_absolute_url(), "section": "/monde/"}[page]
    first = Client().get(url)  # built by the whole stack, then kept with its headers
    assert stack == [url]

    with django_assert_num_queries(0):
        response = Client().get(url)

    assert stack == [url]  # the stack did not run
    assert response.status_code == 200
    assert response.content == first.content
    assert without_request_id(response) == without_request_id(first)
    assert response["X-Request-ID"]  # the request log still ran, and logged:
    assert response.page_cache_status == "hit"


def test_the_request_log_line_of_a_first_middleware_answer_says_hit(article, caplog):
    Client().get(article.get_absolute_url())

    with caplog.at_level("INFO", logger="newsroom.requests"):
        Client().get(article.get_absolute_url())

    (record,) = [r for r in caplog.records if r.name == "newsroom.requests"]
    assert record.cache == "hit"
    assert record.status == 200


def test_a_conditional_request_is_answered_304_first(article, stack):
    url = article.get_absolute_url()
    etag = Client().get(url)["ETag"]

    response = Client().get(url, headers={"if-none-match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert stack == [url]


def test_head_is_answered_first_without_a_body(article, stack):
    url = article.get_absolute_url()
    first = Client().get(url)

    response = Client().head(url)

    assert response.status_code == 200
    assert response.content == b""
    assert response["Content-Length"] == first["Content-Length"]
    assert stack == [url]


def test_a_host_not_allowed_is_still_400_once_the_page_is_kept(article, settings):
    settings.ALLOWED_HOSTS = ["journal.example"]
    url = article.get_absolute_url()
    assert Client(HTTP_HOST="journal.example").get(url).status_code == 200

    assert Client(HTTP_HOST="ailleurs.example").get(url).status_code == 400
    assert Client(HTTP_HOST="journal.example").get(url).page_cache_status == "hit"


def test_plain_http_is_still_sent_to_https_once_the_page_is_kept(article, settings):
    url = article.get_absolute_url()
    assert Client().get(url, secure=True).status_code == 200
    settings.SECURE_SSL_REDIRECT = True

    response = Client().get(url)

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_prepend_www_still_redirects_once_the_page_is_kept(article, settings):
    settings.ALLOWED_HOSTS = ["journal.example", "www.journal.example"]
    url = article.get_absolute_url()
    assert Client(HTTP_HOST="journal.example").get(url).status_code == 200
    settings.PREPEND_WWW = True

    response = Client(HTTP_HOST="journal.example").get(url)

    assert response.status_code == 301
    assert response["Location"] == f"http://www.journal.example{url}"


def test_each_scheme_gets_the_headers_the_stack_gives_it(article, settings, stack):
    settings.SECURE_HSTS_SECONDS = 3600
    url = article.get_absolute_url()
    Client().get(url)

    secure = Client().get(url, secure=True)  # the stack's first answer over HTTPS
    again = Client().get(url, secure=True)
    plain = Client().get(url)

    assert "Strict-Transport-Security" in secure
    assert "Strict-Transport-Security" in again
    assert "Strict-Transport-Security" not in plain
    assert stack == [url, url]


@pytest.mark.parametrize(
    "cookie", [settings.SESSION_COOKIE_NAME, paywall.METER_COOKIE], ids=["session", "meter"]
)
def test_a_visitor_with_a_cookie_that_changes_the_page_goes_down_the_stack(article, stack, cookie):
    url = article.get_absolute_url()
    Client().get(url)
    visitor = Client()
    visitor.cookies[cookie] = "quelque-chose"

    visitor.get(url)

    assert stack == [url, url]


def test_other_cookies_do_not_keep_a_visitor_from_the_first_answer(article, stack):
    url = article.get_absolute_url()
    Client().get(url)
    visitor = Client()
    visitor.cookies["_mesure_audience"] = "1"

    assert visitor.get(url).page_cache_status == "hit"
    assert stack == [url]


def test_a_signed_in_reader_goes_down_the_stack(article, stack):
    url = article.get_absolute_url()
    Client().get(url)
    reader = Client()
    reader.force_login(UserFactory())

    response = reader.get(url)

    assert "private" in response["Cache-Control"]
    assert stack == [url, url]


@pytest.fixture
def two_pages_of_monde():
    section = CategoryFactory(slug="monde")
    ArticleFactory.create_batch(21, category=section)


def test_a_lists_page_number_is_answered_first_and_a_bad_one_is_still_404(
    two_pages_of_monde, stack
):
    first = Client().get("/monde/?page=2")
    Client().get("/monde/")

    again = Client().get("/monde/?page=2")
    page_one = Client().get("/monde/?page=1")

    assert again.content == first.content
    assert page_one.content == Client().get("/monde/").content
    assert stack == ["/monde/?page=2", "/monde/"]
    assert Client().get("/monde/?page=abc").status_code == 404
    assert Client().get("/monde/?page=3").status_code == 404


def test_other_query_parameters_go_down_the_stack_and_get_the_kept_page(article, stack):
    url = article.get_absolute_url()
    first = Client().get(url)

    response = Client().get(f"{url}?utm_source=lettre")

    assert response.page_cache_status == "hit"
    assert response.content == first.content
    assert len(stack) == 2


def test_an_old_wordpress_post_address_still_redirects_once_the_home_page_is_kept(article):
    OldAddress.objects.create(path="/?p=12", article=article)
    assert Client().get("/").status_code == 200
    assert Client().get("/").page_cache_status == "hit"

    response = Client().get("/?p=12")

    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()


def test_a_new_content_version_is_never_answered_with_the_old_page(
    article, django_capture_on_commit_callbacks
):
    url = article.get_absolute_url()
    Client().get(url)

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "L’Otan s’élargit"
        article.save()
    response = Client().get(url)

    assert "L’Otan s’élargit" in response.content.decode()
    assert response.page_cache_status == "miss"


def test_a_version_that_cannot_be_confirmed_goes_down_the_stack(article, stack, monkeypatch):
    url = article.get_absolute_url()
    Client().get(url)
    current = versions.current()
    monkeypatch.setattr(
        versions, "current", lambda scope="pages": versions.Version(current.key, 0, confirmed=False)
    )

    Client().get(url)

    assert stack == [url, url]


def test_a_page_never_kept_is_never_answered_first(article, stack):
    url = reverse("articles:search") + "?q=Otan"

    Client().get(url)
    Client().get(url)

    assert stack == [url, url]


def test_a_path_with_no_kept_page_is_asked_of_the_cache_once_per_version(
    article, monkeypatch, django_capture_on_commit_callbacks
):
    url = reverse("articles:search") + "?q=Otan"
    reads = []
    read = CachedPage.read.__func__

    def counted(cls, request, *args, **kwargs):
        reads.append(request.path)
        return read(cls, request, *args, **kwargs)

    monkeypatch.setattr(CachedPage, "read", classmethod(counted))
    for _ in range(3):
        Client().get(url)
    assert reads == ["/recherche/"]  # the first middleware's one look: never kept

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "L’Otan s’élargit"
        article.save()
    Client().get(url)

    assert reads == ["/recherche/", "/recherche/"]


def test_a_page_kept_by_another_worker_is_answered_first_after_one_answer_the_long_way(
    article, stack
):
    url = article.get_absolute_url()
    Client().get(url)  # kept, with its headers
    fastpath._NOTHING_AT[url] = versions.current().key  # as a worker that looked before

    Client().get(url)  # the long way, from the cache
    response = Client().get(url)

    assert response.page_cache_status == "hit"
    assert stack == [url, url]
