import html
import importlib
import os
import re
import subprocess
import sys
from io import StringIO
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.urls import clear_url_caches
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Category, Image, ReadMoreLink
from articles.sanitizing import sanitize_html
from benchmark import content
from benchmark.content import reader_session, uncached_session
from benchmark.load import LoadResult, time_builds, time_pages
from benchmark.management.commands.bench import Command as Bench
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

CEILING_URL = "/bench/plafond/"


def _generate(*args):
    call_command("generate_articles", *args, stdout=StringIO())


def _reload_urls():
    import newsroom.urls

    importlib.reload(newsroom.urls)
    clear_url_caches()


@pytest.fixture
def urls_without_benchmark(settings):
    """The URLs as production loads them; reloaded as they were after the test."""
    settings.NEWSROOM_BENCHMARK = False
    _reload_urls()
    yield
    settings.NEWSROOM_BENCHMARK = False
    _reload_urls()


def test_generate_articles_creates_published_articles_with_authors_and_tags():
    _generate("--count", "30", "--images", "2", "--authors", "5", "--seed", "1")

    articles = Article.objects.published().filter(slug__startswith="gen-")
    assert articles.count() == 30
    assert Image.objects.count() == 2
    for article in articles.prefetch_related("tags", "bylines"):
        assert article.bylines.all(), article
        assert article.tags.all(), article
        # What Article.save() would have stored, computed without it.
        assert sanitize_html(article.body) == article.body
        text = html.unescape(re.sub(r"<[^>]+>", " ", article.body))
        assert article.word_count == len(text.split())
        assert not article.was_updated
    assert ReadMoreLink.objects.filter(article__slug__startswith="gen-").exists()


def test_generated_articles_are_the_unfriendly_case_an_old_archive_all_pictures_no_top_story():
    _generate("--count", "40", "--images", "2", "--authors", "3", "--seed", "2")

    articles = Article.objects.published().filter(slug__startswith="gen-")
    dates = sorted(articles.values_list("published_at", flat=True))
    # Spread over years, the newest still recent: the home page has its blocks to fill.
    assert (dates[-1] - dates[0]).days > 3 * 365
    assert (timezone.now() - dates[-1]).days < 365
    # No story marked for the front page: the home page looks for one and falls back.
    assert not articles.filter(featured=True).exists()
    # A picture on every story: every card and page asks for its renditions.
    assert not articles.filter(featured_image__isnull=True).exists()


def test_generated_articles_can_be_the_friendly_case_a_recent_archive_with_top_stories():
    _generate("--count", "1500", "--images", "1", "--authors", "3", "--seed", "3")
    _generate("--clear", "--archive", "recent", "--count", "1500", "--images", "1", "--seed", "3")

    articles = Article.objects.published().filter(slug__startswith="gen-")
    dates = articles.values_list("published_at", flat=True)
    assert articles.count() == 1500
    assert (timezone.now() - min(dates)).days <= 366
    # One in 500 on the front page: the home page finds its top story at once.
    assert 1 <= articles.filter(featured=True).count() <= 10
    assert content.archive_of(articles) == "recent"


def test_the_bare_view_is_django_alone_a_fixed_page_without_middleware_nor_database():
    script = (
        "from django.core.wsgi import get_wsgi_application\n"
        "from django.conf import settings\n"
        "from wsgiref.util import setup_testing_defaults\n"
        "environ = {'PATH_INFO': '/bench/nu/', 'QUERY_STRING': 'bytes=2345', "
        "'HTTP_HOST': '127.0.0.1'}\n"
        "setup_testing_defaults(environ)\n"
        "answer = []\n"
        "body = b''.join(get_wsgi_application()(environ, lambda s, h: answer.append(s)))\n"
        "engine = settings.DATABASES['default']['ENGINE']\n"
        "print(answer[0], len(body), settings.MIDDLEWARE, engine, settings.INSTALLED_APPS)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "benchmark.bare_settings", "SECRET_KEY": "x"}

    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, capture_output=True,
        text=True, check=True, timeout=60,
    )  # fmt: skip

    assert done.stdout.split() == ["200", "OK", "2345", "[]", "django.db.backends.dummy", "[]"]


def test_bench_reports_every_page_as_a_ratio_to_the_bare_view_and_says_which_targets_hold():
    bench = Bench(stdout=StringIO(), stderr=StringIO())
    bench.options, bench.load, bench.lines = {"count": 10}, None, []
    bench.pages = ("article", "home")
    run = LoadResult(requests=1000, seconds=1, bytes=0, p50_ms=1, p99_ms=2)
    references = {"bare": run, "ceiling": LoadResult(500, 1, 0, 2, 4)}
    results = {
        ("article", "cached"): LoadResult(900, 1, 0, 1, 2),
        ("article", "uncached"): LoadResult(120, 1, 0, 10, 20),
        ("home", "cached"): LoadResult(500, 1, 0, 2, 3),
        ("home", "uncached"): LoadResult(40, 1, 0, 30, 60),
        ("article", "signed-in"): LoadResult(300, 1, 0, 3, 6),
        ("home", "signed-in"): LoadResult(250, 1, 0, 4, 8),
    }

    slower = {"bare": LoadResult(800, 1, 0, 1, 2), "ceiling": LoadResult(400, 1, 0, 2, 4)}
    around = {"article": (references, references), "home": (slower, references)}

    bench._table(results, around, {"article": 30_000, "home": 56_000})

    report = "\n".join(bench.lines)
    # Each page against the bare view at its own size, measured around it.
    assert "article (30000 bytes) 1000, 1000; home (56000 bytes) 800, 1000 req/s" in report
    assert "| home | cached | 500 | 900 | 0.556 | 1.111 |" in report
    assert "| article | uncached | 120 | 1000 | 0.120 | 0.240 |" in report
    assert "| home | signed-in | 250 | 900 | 0.278 | 0.556 |" in report
    assert "Target, cached article ≥ 0.8 × bare: 0.900 — met." in report
    assert "Target, uncached article ≥ 0.1 × bare: 0.120 — met." in report
    assert "Target, cached home ≥ 0.8 × bare: 0.556 — NOT met." in report
    assert "Target, uncached home ≥ 0.06 × bare: 0.044 — NOT met." in report


def test_generate_articles_clear_removes_only_generated_content():
    real = Category.objects.create(name="Sciences", slug="sciences")
    Article.objects.create(title="Un vrai article", lead="Chapô.", category=real)
    _generate("--count", "5", "--images", "1", "--authors", "3")

    _generate("--clear", "--count", "0")

    assert list(Article.objects.values_list("title", flat=True)) == ["Un vrai article"]
    assert not Author.objects.filter(slug__startswith="gen-").exists()
    assert not Tag.objects.filter(slug__startswith="gen-").exists()
    assert list(Category.objects.values_list("slug", flat=True)) == ["sciences"]


def test_ceiling_page_does_not_exist_without_the_benchmark_flag(client, urls_without_benchmark):
    assert client.get(CEILING_URL).status_code == 404


def test_ceiling_page_is_a_fixed_page_of_the_asked_size(client, settings, urls_without_benchmark):
    settings.NEWSROOM_BENCHMARK = True
    _reload_urls()

    response = client.get(CEILING_URL, {"bytes": "12345"})

    assert response.status_code == 200
    assert len(response.content) == 12345
    assert response["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("session", "staff", "cache"),
    [(reader_session, False, "hit"), (uncached_session, True, "bypass")],
    ids=["reader", "uncached"],
)
def test_sessions_sign_in_a_reader_served_from_the_cache_or_staff_served_afresh(
    client, session, staff, cache
):
    article = ArticleFactory(title="Page d’une lectrice")
    client.cookies[settings.SESSION_COOKIE_NAME] = session()
    client.get(article.get_absolute_url())

    response = client.get(article.get_absolute_url())

    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated
    assert response.wsgi_request.user.is_staff is staff
    assert response.page_cache_status == cache
    assert "private" in response["Cache-Control"]


def test_time_builds_reports_warm_and_cold_uncached_article_pages():
    paths = [ArticleFactory().get_absolute_url() for _ in range(3)]

    times = time_builds(paths, rounds=1)

    assert set(times) == {"warm", "cold"}
    assert all(value > 0 for value in times.values())


def test_time_pages_times_each_page_cached_and_not_against_the_ceiling_in_one_process(settings):
    settings.NEWSROOM_BENCHMARK = True
    _reload_urls()
    article = ArticleFactory()
    pages = {"article": [article.get_absolute_url()], "home": ["/"]}

    try:
        times = time_pages(pages, f"{CEILING_URL}?bytes=1000", requests=2, rounds=1)
    finally:
        settings.NEWSROOM_BENCHMARK = False
        _reload_urls()

    assert set(times) == {
        "ceiling cached", "article cached", "article uncached", "home cached", "home uncached"
    }  # fmt: skip
    assert all(value > 0 for value in times.values())


def test_bench_runs_a_redis_server_of_its_own_and_stops_it():
    bench = Bench(stdout=StringIO(), stderr=StringIO())
    bench.options = {"no_redis": False}

    with bench._redis() as url:
        # Never the Redis on the usual port, which serves everything else on the machine.
        assert urlsplit(url).port != 6379
        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        assert client.ping()
        assert client.dbsize() == 0

    with pytest.raises(redis.ConnectionError):
        client.ping()


@pytest.mark.parametrize("worker_class", ["sync", "gthread"])
@pytest.mark.parametrize("threads_from", ["nowhere", "environment", "config file"])
def test_the_server_runs_the_worker_class_asked_for(
    worker_class, threads_from, monkeypatch, tmp_path
):
    """gunicorn turns a sync worker given threads into a gthread one, and it also reads its
    settings from GUNICORN_CMD_ARGS and a gunicorn.conf.py in its directory, which a server's
    environment may well hold: a run labelled sync must not serve with threads all the same."""
    from gunicorn.app.wsgiapp import WSGIApplication

    from benchmark.management.commands.bench import gunicorn_command

    monkeypatch.delenv("GUNICORN_CMD_ARGS", raising=False)
    monkeypatch.chdir(tmp_path)  # the directory gunicorn reads gunicorn.conf.py from
    if threads_from == "environment":
        monkeypatch.setenv("GUNICORN_CMD_ARGS", "--threads 8")
    elif threads_from == "config file":
        (tmp_path / "gunicorn.conf.py").write_text("threads = 8\n")
    options = {"workers": 2, "worker_class": worker_class, "threads": 4, "connections": 8}
    command = gunicorn_command("newsroom.wsgi", 8000, options)
    monkeypatch.setattr(sys, "argv", ["gunicorn", *command[command.index("gunicorn") + 1 :]])

    config = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").cfg  # as gunicorn reads it

    assert config.worker_class_str == worker_class
    assert config.threads == (4 if worker_class == "gthread" else 1)
