"""Redis lost while serving, or never there: the cache is an accelerator, not a dependency.

Each test runs the site (in process) on a redis-server of its own (tests/services.py), then
kills, pauses or restarts it.
"""

import logging
import socket
import time

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.models import Article
from newsroom import cache as resilient_cache
from newsroom import ratelimit
from pagecache import pages, versions
from tests.factories import PASSWORD, ArticleFactory, CategoryFactory
from tests.services import RedisServer, free_port

pytestmark = pytest.mark.django_db

RETRY_AFTER = 1  # seconds without trying Redis after a failure (5 in production)
HOME = reverse("articles:home")
SIGNUP_URL = reverse("subscriptions:signup")
ORIGIN = "http://testserver"


def _use_redis(settings, url):
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "socket_connect_timeout": 0.25,
                "socket_timeout": 0.5,
                "retry_after": RETRY_AFTER,
            },
        },
        pages.LOCAL_PAGES: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "faults-local-pages",
        },
    }
    # Every request reads the content version, as a worker does once a second.
    settings.PAGE_CACHE_RECHECK = 0


@pytest.fixture
def redis(settings):
    server = RedisServer().start()
    _use_redis(settings, server.url)
    try:
        yield server
    finally:
        server.remove()
        caches[pages.LOCAL_PAGES].clear()
        versions.VERSIONS.forget()
        resilient_cache._outages.clear()
        ratelimit._local_windows.clear()


@pytest.fixture
def newsroom():
    section = CategoryFactory(name="Monde", slug="monde")
    article = ArticleFactory(category=section, title="Le sommet de Vilnius s’ouvre")
    return {
        "home": HOME,
        "section": section.get_absolute_url(),
        "article": article.get_absolute_url(),
        "search": reverse("articles:search") + "?q=Vilnius",
        "object": article,
    }


def _reader_pages(newsroom):
    return [newsroom[name] for name in ("home", "section", "article", "search")]


def _warm(newsroom):
    for url in _reader_pages(newsroom):
        assert Client().get(url).status_code == 200


def _cache_warnings(caplog):
    return [r for r in caplog.records if r.name == "newsroom.cache" and "unreachable" in r.message]


def _count_queries(url):
    with CaptureQueriesContext(connection) as queries:
        assert Client(raise_request_exception=False).get(url).status_code == 200
    return len(queries)


def _signup(client, email):
    data = {"email": email, "consent": "on", "website": "", "source": "/"}
    return client.post(SIGNUP_URL, data, HTTP_ORIGIN=ORIGIN)


def test_killed_redis_readers_staff_and_sign_in_keep_working(redis, newsroom, editor, caplog):
    _warm(newsroom)
    assert any(b":page:" in key for key in redis.stored_keys())
    staff = Client(raise_request_exception=False)
    staff.force_login(editor)
    assert staff.get(reverse("admin:index")).status_code == 200

    redis.kill()
    caches[pages.LOCAL_PAGES].clear()  # a worker that had not kept these pages itself
    caplog.set_level(logging.WARNING, logger="newsroom.cache")
    started = time.monotonic()
    for _round in range(3):
        for url in _reader_pages(newsroom):
            response = Client(raise_request_exception=False).get(url)
            assert response.status_code == 200, url
            assert "Le sommet de Vilnius s’ouvre" in response.content.decode(), url
        for url in (
            reverse("admin:index"),
            reverse("admin:articles_article_changelist"),
            reverse("admin:articles_article_change", args=[newsroom["object"].pk]),
        ):
            assert staff.get(url).status_code == 200, url
        time.sleep(RETRY_AFTER * 0.6)  # across several pauses: tried again, still down

    newcomer = Client(raise_request_exception=False)
    signed_in = newcomer.post(
        reverse("admin:login"), {"username": "editrice", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert newcomer.get(reverse("admin:index")).status_code == 200
    assert staff.post(reverse("admin:logout")).status_code == 200
    assert staff.get(reverse("admin:index")).status_code == 302  # signed out
    assert time.monotonic() - started < 15
    assert len(_cache_warnings(caplog)) == 1


def test_killed_redis_a_worker_keeps_pages_only_as_long_as_it_would_trust_a_version(
    redis, newsroom, settings
):
    settings.PAGE_CACHE_RECHECK = 1
    _warm(newsroom)
    redis.kill()
    url = newsroom["article"]
    assert Client(raise_request_exception=False).get(url).status_code == 200
    assert _count_queries(url) == 0  # still an accelerator, in the worker's memory
    # Changed in another process, whose news this worker can no longer read from Redis.
    Article.objects.filter(pk=newsroom["object"].pk).update(title="Le sommet se termine")

    time.sleep(1.1)

    for name in ("home", "section", "article"):
        content = Client(raise_request_exception=False).get(newsroom[name]).content.decode()
        assert "Le sommet se termine" in content, name
        assert "Le sommet de Vilnius s’ouvre" not in content, name


def test_redis_unreachable_from_the_start_every_page_is_served(settings, newsroom, editor):
    _use_redis(settings, f"redis://127.0.0.1:{free_port()}/0")
    try:
        for url in _reader_pages(newsroom):
            assert Client(raise_request_exception=False).get(url).status_code == 200, url
        staff = Client(raise_request_exception=False)
        signed_in = staff.post(
            reverse("admin:login"), {"username": "editrice", "password": PASSWORD}
        )
        assert signed_in.status_code == 302
        assert staff.get(reverse("admin:articles_article_changelist")).status_code == 200
    finally:
        resilient_cache._outages.clear()


def test_killed_redis_rate_limits_still_limit(redis, settings):
    settings.NEWSLETTER = {**settings.NEWSLETTER, "RATE_PER_IP": 3, "RATE_PER_ADDRESS": 2}
    redis.kill()
    client = Client(raise_request_exception=False)

    by_address = [_signup(client, "marie@exemple.fr").status_code for _n in range(3)]
    by_ip = [_signup(client, f"lecteur{n}@exemple.fr").status_code for n in range(3)]

    assert by_address == [302, 302, 429]
    assert by_ip[-1] == 429


def test_restarted_redis_is_used_again_without_restarting_the_app(redis, newsroom, caplog):
    _warm(newsroom)
    redis.kill()
    caches[pages.LOCAL_PAGES].clear()  # a worker that had not kept these pages itself
    for url in _reader_pages(newsroom):
        assert Client(raise_request_exception=False).get(url).status_code == 200

    redis.start()  # the same port, empty
    time.sleep(RETRY_AFTER + 0.1)
    caches[pages.LOCAL_PAGES].clear()
    caplog.set_level(logging.INFO, logger="newsroom.cache")
    assert Client().get(newsroom["article"]).status_code == 200

    assert any(b":page:" in key for key in redis.stored_keys())
    assert any("reachable again" in r.message for r in caplog.records)
    caches[pages.LOCAL_PAGES].clear()
    assert _count_queries(newsroom["article"]) == 1  # the version; the page from Redis


def _signed_in_then_redis_lost(redis, newsroom, editor):
    """Pages kept and an editor signed in, Redis's data saved, then Redis killed; the editor."""
    _warm(newsroom)
    staff = Client()
    staff.force_login(editor)
    assert staff.get(reverse("admin:index")).status_code == 200  # signed in
    redis.snapshot()
    redis.kill()
    return staff


def test_what_changed_while_redis_was_down_is_not_read_back_from_its_old_data(
    redis, newsroom, editor
):
    article, staff = newsroom["object"], _signed_in_then_redis_lost(redis, newsroom, editor)

    article.title = "Le sommet se termine"
    article.save()  # the end of the content version is lost with Redis
    assert "Le sommet se termine" in Client().get(newsroom["article"]).content.decode()
    stolen_key = staff.cookies["sessionid"].value  # kept by someone after the sign-out
    assert staff.post(reverse("admin:logout")).status_code == 200

    redis.start()  # with the old version, the pages kept under it and the old session
    assert any(b":page:" in key for key in redis.stored_keys())
    time.sleep(RETRY_AFTER + 0.1)
    for name in ("home", "section", "article"):
        content = Client().get(newsroom[name]).content.decode()
        assert "Le sommet se termine" in content, name
    thief = Client()
    thief.cookies["sessionid"] = stolen_key
    assert thief.get(reverse("admin:index")).status_code == 302


def test_what_another_process_changed_while_redis_was_down_is_not_read_back_either(
    redis, newsroom, editor
):
    """An editor's shell, another server or a worker since restarted: the process that lost
    the writes is not the one that reads Redis again."""
    article, staff = newsroom["object"], _signed_in_then_redis_lost(redis, newsroom, editor)
    assert Client().get(newsroom["article"]).status_code == 200  # this worker sees the outage

    article.status = Article.Status.DRAFT
    article.save()  # unpublished
    stolen_key = staff.cookies["sessionid"].value
    assert staff.post(reverse("admin:logout")).status_code == 200
    # Those writes were lost by the other process: this one has nothing to delete at recovery.
    caches["default"]._cache._outage.lost_writes.clear()

    redis.start()  # with the old version, the pages kept under it and the old session
    time.sleep(RETRY_AFTER + 0.1)
    assert Client().get(newsroom["article"]).status_code == 404
    assert "Le sommet de Vilnius" not in Client().get(newsroom["home"]).content.decode()
    thief = Client()
    thief.cookies["sessionid"] = stolen_key
    assert thief.get(reverse("admin:index")).status_code == 302


def test_past_too_many_lost_writes_the_cache_is_emptied_when_redis_is_back(
    redis, newsroom, monkeypatch, caplog
):
    monkeypatch.setattr(resilient_cache, "LOST_WRITES_KEPT", 3)
    _warm(newsroom)
    redis.snapshot()
    redis.kill()
    for number in range(5):
        caches["default"].set(f"test:{number}", number)

    redis.start()
    time.sleep(RETRY_AFTER + 0.1)
    caplog.set_level(logging.WARNING, logger="newsroom.cache")
    assert caches["default"].get("test:0") is None

    assert not any(b":page:" in key for key in redis.stored_keys())
    assert any("emptied" in r.message for r in caplog.records)


def test_a_hung_redis_costs_one_timeout_per_pause_not_one_per_request(settings, newsroom):
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        _use_redis(settings, f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        try:
            started = time.monotonic()
            for _n in range(20):
                assert Client(raise_request_exception=False).get(HOME).status_code == 200
            elapsed = time.monotonic() - started
        finally:
            resilient_cache._outages.clear()

    # One timeout (0.5 s), then Redis is left alone for RETRY_AFTER seconds.
    assert elapsed < 20 * 0.5 / 2


def test_killed_redis_the_rate_limits_memory_of_a_process_stays_bounded(redis, monkeypatch):
    monkeypatch.setattr(ratelimit, "LOCAL_WINDOWS_KEPT", 5)
    redis.kill()

    for number in range(20):
        assert ratelimit.allow(f"signup:ip:10.0.0.{number}", 3, 60)

    assert len(ratelimit._local_windows) <= 5
