"""Kept pages answered in front of Django (pagecache/fastpath.py, newsroom/wsgi.py): the same
answer as the whole stack gives, for anonymous visitors only, and every rule of the stack kept.

Django's test client goes through Django's handler, never through the application in front of
it: these tests call the site's WSGI application as a server does, with a request's environ."""

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from newsroom.logs import JsonFormatter
from newsroom.wsgi import application
from pagecache import fastpath, versions, watch
from pagecache.models import ContentVersion
from pagecache.pages import CachedPage
from pagecache.registry import PAGES
from subscriptions import paywall
from tests.factories import ArticleFactory, CategoryFactory, UserFactory
from tests.services import app_server, http, manage, production_env
from wordpress.models import OldAddress

pytestmark = pytest.mark.django_db


@dataclass
class Answer:
    status: int
    headers: list
    body: bytes

    def __getitem__(self, name):
        (value,) = [v for n, v in self.headers if n.lower() == name.lower()]
        return value

    def __contains__(self, name):
        return any(n.lower() == name.lower() for n, _v in self.headers)

    def without_request_id(self):
        return [(n, v) for n, v in self.headers if n != "X-Request-ID"]


def call(path, method="GET", *, secure=False, headers=None, **environ):
    """The site's answer to ``method path``, as a WSGI server gets it."""
    request = RequestFactory().generic(method, path, secure=secure, headers=headers, **environ)
    started = []

    def start_response(status, response_headers, exc_info=None):
        started.append((int(status[:3]), response_headers))

    # Middleware that read settings once (SecurityMiddleware) read them as the test set them,
    # as a test client's own handler would.
    application.application.load_middleware()
    result = application(request.environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()  # as a server does: Django's request_finished
    ((status, response_headers),) = started
    return Answer(status, list(response_headers), body)


@pytest.fixture(autouse=True)
def connections_kept(monkeypatch):
    """As Django's test client does: the test's transaction, on the connection, is not closed
    by the care taken of connections around requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(fastpath, "close_old_connections", lambda: None)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def stack(monkeypatch):
    """The requests that went through Django (down to the session's middleware)."""
    calls = []
    original = SessionMiddleware.process_request

    def process_request(self, request):
        calls.append(request.get_full_path())
        return original(self, request)

    monkeypatch.setattr(SessionMiddleware, "process_request", process_request)
    return calls


@pytest.fixture
def cache_reads(monkeypatch):
    """The paths whose entry was read from the cache."""
    reads = []
    read = CachedPage.read.__func__

    def counted(cls, request, *args, **kwargs):
        reads.append(request.path)
        return read(cls, request, *args, **kwargs)

    monkeypatch.setattr(CachedPage, "read", classmethod(counted))
    return reads


@pytest.fixture
def article():
    return ArticleFactory(category=CategoryFactory(slug="monde"), title="L’Otan se réunit")


@pytest.mark.parametrize("page", ["home", "article", "section"])
def test_a_kept_page_is_answered_in_front_of_django_with_the_headers_the_stack_gave_it(
    article, stack, page, django_assert_num_queries
):
    url = {"home": "/", "article": article.get_absolute_url(), "section": "/monde/"}[page]
    first = call(url)  # built by the whole stack, then kept with its headers
    assert stack == [url]

    with django_assert_num_queries(0):
        answer = call(url)

    assert stack == [url]  # Django did not run
    assert answer.status == 200
    assert answer.body == first.body
    assert answer.without_request_id() == first.without_request_id()
    assert int(answer["Content-Length"]) == len(answer.body)
    assert answer["X-Request-ID"] != first["X-Request-ID"]


def test_a_page_answered_once_is_answered_again_without_reading_the_cache(
    article, stack, cache_reads
):
    url = article.get_absolute_url()
    call(url)  # the long way: built, kept, its headers recorded
    call(url)  # answered in front of Django, from the cache
    reads = len(cache_reads)

    for _ in range(3):
        assert call(url).status == 200

    assert len(cache_reads) == reads
    assert stack == [url]


def test_an_answer_kept_in_memory_is_never_given_under_a_newer_version(
    article, stack, settings, monkeypatch
):
    """A change made by another process: this one sees it when it reads the version again,
    and the answer it keeps in memory for the older version is not given."""
    url = article.get_absolute_url()
    call(url)
    assert b"se r\xc3\xa9unit" in call(url).body
    settings.PAGE_CACHE_RECHECK = 0  # the version is read again at every request
    monkeypatch.setattr(watch.watcher, "paused", True)  # no version of this process's own
    type(article).objects.filter(pk=article.pk).update(title="L’Otan s’élargit")
    ContentVersion.objects.filter(scope=PAGES).update(
        number=F("number") + 1, changed_at=timezone.now()
    )

    answer = call(url)

    assert "L’Otan s’élargit" in answer.body.decode()
    assert stack == [url, url]


def test_a_change_in_this_process_is_never_answered_with_the_old_page(
    article, django_capture_on_commit_callbacks, stack
):
    url = article.get_absolute_url()
    call(url)
    call(url)

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "L’Otan s’élargit"
        article.save()
    answer = call(url)

    assert "L’Otan s’élargit" in answer.body.decode()
    assert stack == [url, url]


def test_a_version_that_cannot_be_confirmed_goes_the_long_way(article, stack, monkeypatch):
    url = article.get_absolute_url()
    call(url)
    current = versions.current()
    monkeypatch.setattr(
        versions,
        "current",
        lambda scope="pages", reading=None: versions.Version(current.key, 0, confirmed=False),
    )

    call(url)

    assert stack == [url, url]


def test_the_connections_are_looked_after_around_a_read_of_the_version(
    article, stack, settings, monkeypatch
):
    """As Django does around a request (their age, their health): the answer in front of
    Django sends no request signal."""
    url = article.get_absolute_url()
    call(url)
    looked_after = []
    monkeypatch.setattr(fastpath, "close_old_connections", lambda: looked_after.append(1))

    call(url)  # the version known: no read
    assert looked_after == []
    settings.PAGE_CACHE_RECHECK = 0
    call(url)

    assert looked_after == [1, 1]
    assert stack == [url]


def test_the_request_log_line_of_an_answer_in_front_of_django_says_hit(article, caplog):
    url = article.get_absolute_url()
    call(url)

    with caplog.at_level("INFO", logger="newsroom.requests"):
        answer = call(url, headers={"x-request-id": "lb-42"}, REMOTE_ADDR="192.0.2.7")
        other = call(url)

    first, second = [r for r in caplog.records if r.name == "newsroom.requests"]
    assert answer["X-Request-ID"] == "lb-42"
    assert (first.request_id, first.method, first.path) == ("lb-42", "GET", url)
    assert (first.status, first.cache, first.client_ip) == (200, "hit", "192.0.2.7")
    assert isinstance(first.duration_ms, float)
    assert second.request_id == other["X-Request-ID"]
    assert len(second.request_id) == 32
    line = json.loads(JsonFormatter().format(first))
    assert line["request_id"] == "lb-42"
    assert line["cache"] == "hit"


def test_a_conditional_request_is_answered_304_as_conditional_get_middleware_answers_it(
    article, stack
):
    url = article.get_absolute_url()
    first = call(url)

    answer = call(url, headers={"if-none-match": first["ETag"]})
    dated = call(url, headers={"if-modified-since": first["Last-Modified"]})
    changed = call(url, headers={"if-none-match": '"autre"'})
    older = call(url, headers={"if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"})

    assert (answer.status, answer.body) == (304, b"")
    kept = ("Cache-Control", "ETag", "Last-Modified", "Vary")  # RFC 9110's, as Django's
    assert answer.without_request_id() == [(name, first[name]) for name in kept]
    assert dated.status == 304
    assert (changed.status, older.status) == (200, 200)
    assert changed.body == older.body == first.body
    assert stack == [url]


def test_if_match_goes_the_long_way(article, stack):
    url = article.get_absolute_url()
    call(url)

    answer = call(url, headers={"if-match": '"autre"'})

    assert answer.status == 412
    assert len(stack) == 2


def test_head_is_answered_without_a_body(article, stack):
    url = article.get_absolute_url()
    first = call(url)

    answer = call(url, method="HEAD")

    assert answer.status == 200
    assert answer.body == b""
    assert answer["Content-Length"] == first["Content-Length"] == str(len(first.body))
    assert stack == [url]


def test_a_conditional_head_is_answered_as_the_stack_answers_it(article, stack):
    """ConditionalGetMiddleware answers GET alone: a HEAD gets the page's headers, not a 304."""
    url = article.get_absolute_url()
    first = call(url)
    conditions = {"if-none-match": first["ETag"], "if-modified-since": first["Last-Modified"]}

    answer = call(url, method="HEAD", headers=conditions)

    assert (answer.status, answer.body) == (200, b"")
    assert answer.without_request_id() == first.without_request_id()
    assert stack == [url]


def test_another_method_goes_the_long_way(article, stack):
    url = article.get_absolute_url()
    call(url)

    assert call(url, method="POST").status == 403  # CSRF: no token
    assert len(stack) == 2


def test_a_host_not_allowed_is_still_400_once_the_page_is_kept(article, settings):
    settings.ALLOWED_HOSTS = ["journal.example"]
    url = article.get_absolute_url()
    call(url, headers={"host": "journal.example"})
    assert call(url, headers={"host": "journal.example"}).status == 200

    assert call(url, headers={"host": "ailleurs.example"}).status == 400
    assert call(url).status == 400  # SERVER_NAME testserver, no Host


def test_the_forwarded_host_is_checked_when_it_is_used(article, settings, stack):
    settings.ALLOWED_HOSTS = ["journal.example"]
    url = article.get_absolute_url()
    call(url, headers={"host": "journal.example"})
    forwarded = {"host": "journal.example", "x-forwarded-host": "ailleurs.example"}
    assert call(url, headers=forwarded).status == 200  # not used: ignored
    assert stack == [url]

    settings.USE_X_FORWARDED_HOST = True

    assert call(url, headers=forwarded).status == 400
    assert call(url, headers={"host": "x", "x-forwarded-host": "journal.example"}).status == 200


def test_plain_http_is_still_sent_to_https_once_the_page_is_kept(article, settings, stack):
    url = article.get_absolute_url()
    call(url, secure=True)
    call(url)
    settings.SECURE_SSL_REDIRECT = True

    answer = call(url)

    assert answer.status == 301
    assert answer["Location"].startswith("https://")
    assert call(url, secure=True).status == 200
    assert stack == [url, url]


def test_the_proxys_scheme_header_is_honoured(article, settings, stack):
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    url = article.get_absolute_url()
    https = {"x-forwarded-proto": "https"}
    call(url, headers=https)

    answer = call(url, headers=https)

    assert answer.status == 200
    assert "Strict-Transport-Security" in answer
    assert stack == [url]
    assert call(url, headers={"x-forwarded-proto": "http"}).status == 301


def test_prepend_www_still_redirects_once_the_page_is_kept(article, settings):
    settings.ALLOWED_HOSTS = ["journal.example", "www.journal.example"]
    url = article.get_absolute_url()
    call(url, headers={"host": "journal.example"})
    settings.PREPEND_WWW = True

    answer = call(url, headers={"host": "journal.example"})

    assert answer.status == 301
    assert answer["Location"] == f"http://www.journal.example{url}"


def test_disallowed_user_agents_are_still_refused_once_the_page_is_kept(article, settings):
    url = article.get_absolute_url()
    call(url)
    settings.DISALLOWED_USER_AGENTS = [re.compile(r"^Aspirateur")]

    assert call(url, headers={"user-agent": "Aspirateur/1.0"}).status == 403


def test_each_scheme_gets_the_headers_the_stack_gives_it(article, settings, stack):
    settings.SECURE_HSTS_SECONDS = 3600
    url = article.get_absolute_url()
    call(url)

    secure = call(url, secure=True)  # the stack's first answer over HTTPS
    again = call(url, secure=True)
    plain = call(url)

    assert "Strict-Transport-Security" in secure
    assert "Strict-Transport-Security" in again
    assert "Strict-Transport-Security" not in plain
    assert stack == [url, url]


def _below_record_answers(settings, middleware):
    at = settings.MIDDLEWARE.index("pagecache.fastpath.record_answers") + 1
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:at], middleware, *settings.MIDDLEWARE[at:]]


def vary_on_user_agent(get_response):
    def middleware(request):
        response = get_response(request)
        patch_vary_headers(response, ["User-Agent"])
        return response

    return middleware


def test_an_answer_the_stack_compressed_is_never_recorded(article, settings, stack):
    """A middleware that changes the page on its way out (GZipMiddleware: the body compressed,
    ``Vary: Accept-Encoding``) leaves the page to the stack: the answer in front of Django sends
    the page as kept, for every visitor alike."""
    _below_record_answers(settings, "django.middleware.gzip.GZipMiddleware")
    url = article.get_absolute_url()
    compressed = call(url, headers={"accept-encoding": "gzip"})
    assert compressed["Content-Encoding"] == "gzip"

    plain = call(url)

    assert "Content-Encoding" not in plain
    assert "L’Otan se réunit" in plain.body.decode()
    assert stack == [url, url]


def test_an_answer_that_varies_on_another_request_header_is_never_recorded(
    article, settings, stack
):
    _below_record_answers(settings, f"{__name__}.vary_on_user_agent")
    url = article.get_absolute_url()
    call(url)

    answer = call(url)

    assert "User-Agent" in answer["Vary"]
    assert stack == [url, url]


@pytest.mark.parametrize(
    "cookie", [settings.SESSION_COOKIE_NAME, paywall.METER_COOKIE], ids=["session", "meter"]
)
def test_a_visitor_with_a_cookie_that_changes_the_page_goes_the_long_way(article, stack, cookie):
    url = article.get_absolute_url()
    call(url)

    call(url, headers={"cookie": f"_mesure=1; {cookie}=quelque-chose"})

    assert stack == [url, url]


def test_other_cookies_do_not_keep_a_visitor_from_the_answer_in_front(article, stack):
    url = article.get_absolute_url()
    call(url)

    assert call(url, headers={"cookie": "_mesure_audience=1"}).status == 200
    assert stack == [url]


def test_a_signed_in_reader_goes_the_long_way(article, stack, client):
    url = article.get_absolute_url()
    call(url)
    client.force_login(UserFactory())

    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    answer = call(url, headers={"cookie": f"{settings.SESSION_COOKIE_NAME}={session}"})

    assert "private" in answer["Cache-Control"]
    assert stack == [url, url]


def test_static_files_and_the_health_check_are_left_to_django(article, cache_reads):
    assert call("/sante/").status in (200, 503)
    assert call("/sante").status in (200, 503)
    call(f"{settings.STATIC_URL}css/introuvable.css")

    assert cache_reads == []


@pytest.fixture
def two_pages_of_monde():
    section = CategoryFactory(slug="monde")
    ArticleFactory.create_batch(21, category=section)


def test_a_lists_page_number_is_answered_in_front_and_a_bad_one_is_still_404(
    two_pages_of_monde, stack
):
    first = call("/monde/", QUERY_STRING="page=2")
    home = call("/monde/")

    again = call("/monde/", QUERY_STRING="page=2")
    page_one = call("/monde/", QUERY_STRING="page=1")

    assert again.body == first.body
    assert page_one.body == home.body
    assert stack == ["/monde/?page=2", "/monde/"]
    assert call("/monde/", QUERY_STRING="page=abc").status == 404
    assert call("/monde/", QUERY_STRING="page=3").status == 404
    assert call("/monde/", QUERY_STRING="page=2&page=2").body == first.body
    assert stack[-1] == "/monde/?page=2&page=2"  # the long way: twice the parameter


@pytest.mark.parametrize("query", ["page=%32", "page=2&", "pag%65=2", "page=2&&&"])
def test_another_spelling_of_a_page_number_goes_the_long_way(two_pages_of_monde, stack, query):
    """Only the page number as the site's links write it is answered in front of Django: the
    worker's memory keeps one answer per page, not one per spelling anyone makes up."""
    first = call("/monde/", QUERY_STRING="page=2")
    call("/monde/")
    assert call("/monde/", QUERY_STRING="page=2").body == first.body

    answer = call("/monde/", QUERY_STRING=query)

    assert answer.body == first.body  # from the cache, the long way
    assert stack[-1] == f"/monde/?{query}"
    assert query not in {key[2] for key in fastpath.MEMORY.answers}  # nothing kept for it


def test_a_bad_request_is_left_to_django_without_an_error_logged(
    two_pages_of_monde, stack, settings, caplog
):
    """Too many query parameters: Django's 400, and its warning; no fault in front of it."""
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    call("/monde/")
    assert call("/monde/").status == 200

    answer = call("/monde/", QUERY_STRING="page=2&&&&&")

    assert answer.status == 400
    assert stack[-1] == "/monde/?page=2&&&&&"
    assert not [r for r in caplog.records if r.name == "pagecache.fastpath"]


def test_other_query_parameters_go_the_long_way_and_get_the_kept_page(article, stack):
    url = article.get_absolute_url()
    first = call(url)

    answer = call(url, QUERY_STRING="utm_source=lettre")

    assert answer.body == first.body
    assert len(stack) == 2


def test_an_old_wordpress_post_address_still_redirects_once_the_home_page_is_kept(article, stack):
    OldAddress.objects.create(path="/?p=12", article=article)
    call("/")
    assert call("/").status == 200
    assert stack == ["/"]

    answer = call("/", QUERY_STRING="p=12")

    assert answer.status == 301
    assert answer["Location"] == article.get_absolute_url()


def test_a_page_never_kept_is_never_answered_in_front(article, stack):
    url = reverse("articles:search")

    call(url, QUERY_STRING="q=Otan")
    call(url, QUERY_STRING="q=Otan")

    assert len(stack) == 2


def test_a_path_with_no_kept_page_is_asked_of_the_cache_once_per_version(
    article, cache_reads, django_capture_on_commit_callbacks
):
    url = reverse("articles:search")
    for _ in range(3):
        call(url, QUERY_STRING="q=Otan")
    assert cache_reads == ["/recherche/"]  # the one look in front of Django: never kept

    with django_capture_on_commit_callbacks(execute=True):
        article.title = "L’Otan s’élargit"
        article.save()
    call(url, QUERY_STRING="q=Otan")

    assert cache_reads == ["/recherche/", "/recherche/"]


def test_a_page_kept_by_another_worker_is_answered_in_front_after_one_answer_the_long_way(
    article, stack
):
    url = article.get_absolute_url()
    call(url)  # kept, with its headers
    fastpath._NOTHING_AT[url] = versions.current().key  # as a worker that looked before

    call(url)  # the long way, from the cache
    call(url)

    assert stack == [url, url]


def test_memory_is_emptied_when_full_of_entries_or_bytes():
    memory = fastpath.Memory(max_entries=2, max_bytes=10)
    answer = fastpath.Answer("200 OK", [], b"1234")

    memory.keep("a", answer)
    memory.keep("b", answer)
    memory.keep("c", answer)  # a third entry: emptied first
    assert list(memory.answers) == ["c"]
    memory.keep("d", answer)
    memory.keep("e", answer)  # 12 bytes: emptied first
    assert list(memory.answers) == ["e"]
    memory.keep("f", fastpath.Answer("200 OK", [], b"x" * 11))  # larger than the whole
    assert list(memory.answers) == ["e"]


SETUP = """
from tests.factories import ArticleFactory, CategoryFactory
ArticleFactory(category=CategoryFactory(name="Monde", slug="monde"), title="Déjà en ligne")
ArticleFactory(title="La brève du soir", slug="la-breve", status="draft")
"""
PUBLISH = """
from django.utils import timezone
from articles.models import Article
article = Article.objects.get(slug="la-breve")
article.status, article.published_at = Article.Status.PUBLISHED, timezone.now()
article.save()
"""


def _requests_logged(log):
    lines = [json.loads(line) for line in Path(log).read_text().splitlines() if line[:1] == "{"]
    return [line for line in lines if line["logger"] == "newsroom.requests"]


def test_under_gunicorn_a_publication_from_another_process_replaces_the_answer(tmp_path):
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'newsroom.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        PAGE_CACHE_RECHECK="0.5",
        LOG_LEVEL="INFO",
        LOG_FORMAT="json",
    )
    env.pop("CACHE_URL", None)
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SETUP)
    time.sleep(1.6)  # the version says its date: the home page's headers are recorded
    with app_server(env, workers=2) as (site, log):
        pages = [http(f"{site}/") for _ in range(12)]
        shown = [(status, "La brève du soir" in body) for status, _h, body in pages]
        assert shown == [(200, False)] * 12, Path(log).read_text()[-3000:]
        logged = [line["cache"] for line in _requests_logged(log)]
        assert logged[-1] == "hit"
        assert logged.count("miss") <= 2  # a worker's first: each keeps its own pages
        head = http(f"{site}/", method="HEAD")
        assert head[2] == ""
        assert int(head[1]["Content-Length"]) == len(pages[-1][2].encode())

        manage(env, "shell", "-c", PUBLISH)
        time.sleep(0.6)  # PAGE_CACHE_RECHECK

        assert all("La brève du soir" in http(f"{site}/")[2] for _ in range(8))


def test_a_fault_in_front_of_django_leaves_the_request_to_django(
    article, stack, monkeypatch, caplog
):
    url = article.get_absolute_url()
    call(url)

    def broken(request, version):
        raise ValueError("a cache entry this code cannot read")

    monkeypatch.setattr(fastpath, "_kept_answer", broken)
    fastpath.forget()  # nothing in the worker's memory: the cache entry is read

    answer = call(url)

    assert answer.status == 200 and "L’Otan se réunit" in answer.body.decode()
    assert stack == [url, url]  # Django answered, with its page from the cache
    assert "a cache entry this code cannot read" in caplog.text  # and the fault is logged
