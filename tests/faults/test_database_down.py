"""PostgreSQL unreachable under a running site: readers keep the pages kept for them, anything
else is a French 503 with Retry-After, nothing is half-saved, and the site recovers alone.

The site runs under gunicorn (2 workers, production settings, a Redis of its own) on a
database made for the test (tests/services.py), whatever database the suite runs on.
"""

import json
import time

import psycopg
import pytest

from tests.services import (
    app_server,
    cut_off_database,
    http,
    manage,
    production_env,
    redis_server,
    throwaway_database,
)

SEED = """
import json
from django.test import Client
from tests.factories import ArticleFactory, CategoryFactory, UserFactory
monde = CategoryFactory(name="Monde", slug="monde")
economie = CategoryFactory(name="Économie", slug="economie")
warm = ArticleFactory(category=monde, title="Le sommet de Vilnius s’ouvre")
cold = ArticleFactory(category=economie, title="La Bourse de Paris recule")
staff = Client()
staff.force_login(UserFactory(username="editrice", is_staff=True, is_superuser=True))
print(json.dumps({
    "warm": warm.get_absolute_url(),
    "cold": cold.get_absolute_url(),
    "session": staff.cookies["sessionid"].value,
}))
"""
RENAME = """
from articles.models import Article
article = Article.objects.get(title="Le sommet de Vilnius s’ouvre")
article.title = "Le sommet de Vilnius se termine"
article.save()
"""
UNAVAILABLE_FR = "Service momentanément indisponible"


@pytest.fixture(scope="module")
def site():
    with redis_server() as redis, throwaway_database() as database_url:
        env = production_env(DATABASE_URL=database_url, CACHE_URL=redis.url)
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        pages = json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
        with app_server(env) as (base_url, log):
            yield {"env": env, "base": base_url, "database": database_url, "log": log, **pages}


def _get(site, path, **headers):
    return http(site["base"] + path, headers=headers)


def _signup(site, email):
    return http(
        site["base"] + "/newsletter/",
        "POST",
        {"email": email, "consent": "on", "website": "", "source": "/"},
        headers={"Origin": site["base"]},
    )


def _subscribers(site, email):
    with psycopg.connect(site["database"].replace("postgres://", "postgresql://")) as db:
        return db.execute(
            "SELECT count(*) FROM subscriptions_subscriber WHERE email = %s", [email]
        ).fetchone()[0]


def _until(check, timeout=15):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the site did not recover"
        time.sleep(0.3)


def test_database_down_readers_get_kept_pages_others_a_french_503_then_recovery(site):
    for path in ("/", site["warm"]):
        for _worker in range(4):  # both workers: the page is kept in Redis by the first
            assert _get(site, path)[0] == 200
    staff = {"Cookie": f"sessionid={site['session']}"}
    assert _get(site, "/admin/articles/article/", **staff)[0] == 200

    cut_off_database(site["database"], allowed=False)
    try:
        for _request in range(6):
            for path in ("/", site["warm"]):
                status, _headers, body = _get(site, path)
                assert status == 200, path
        assert "Le sommet de Vilnius s’ouvre" in _get(site, site["warm"])[2]

        status, headers, body = _get(site, site["cold"])
        assert status == 503
        assert UNAVAILABLE_FR in body
        assert int(headers["Retry-After"]) > 0
        assert "no-store" in headers["Cache-Control"]
        status, _headers, body = _get(site, "/admin/articles/article/", **staff)
        assert status == 503
        assert UNAVAILABLE_FR in body
        assert _signup(site, "pendant-la-panne@exemple.fr")[0] == 503
    finally:
        cut_off_database(site["database"], allowed=True)

    _until(lambda: _get(site, site["cold"])[0] == 200)
    assert "La Bourse de Paris recule" in _get(site, site["cold"])[2]
    assert _get(site, "/admin/articles/article/", **staff)[0] == 200
    assert _signup(site, "apres-la-panne@exemple.fr")[0] == 302
    # The worker records signups: the one refused during the outage left nothing to record.
    manage(site["env"], "db_worker", "--batch", "--no-reload", "--no-startup-delay")
    assert _subscribers(site, "pendant-la-panne@exemple.fr") == 0
    assert _subscribers(site, "apres-la-panne@exemple.fr") == 1


def test_database_down_right_after_a_change_readers_get_the_older_copy(site):
    for _worker in range(4):
        assert _get(site, site["warm"])[0] == 200
    manage(site["env"], "shell", "-c", RENAME)  # a new content version: every page to rebuild

    cut_off_database(site["database"], allowed=False)
    try:
        time.sleep(1.1)  # each worker re-reads the content version within a second
        for _worker in range(4):
            status, headers, body = _get(site, site["warm"])
            assert status == 200
            assert "Le sommet de Vilnius s’ouvre" in body  # better slightly old than an error
            assert "no-cache" in headers["Cache-Control"]
        assert _get(site, "/economie/")[0] == 503  # never kept
    finally:
        cut_off_database(site["database"], allowed=True)

    _until(lambda: "se termine" in _get(site, site["warm"])[2])


def test_database_down_the_health_check_says_503_down_then_ok_again(site):
    for _worker in range(4):  # both workers, each with its own connection to lose
        status, headers, body = _get(site, "/sante/")
        assert status == 200
        assert json.loads(body)["database"] == "ok"
        assert json.loads(body)["cache"] == "ok"

    cut_off_database(site["database"], allowed=False)
    try:
        for _worker in range(4):
            status, headers, body = _get(site, "/sante/")
            assert status == 503
            assert json.loads(body)["status"] == "down"
            assert json.loads(body)["database"] == "unreachable"
            assert json.loads(body)["cache"] == "ok"
            assert "no-store" in headers["Cache-Control"]
    finally:
        cut_off_database(site["database"], allowed=True)

    _until(lambda: _get(site, "/sante/")[0] == 200)


WITHDRAWN = """
from articles.models import Article, Author
from tests.factories import ArticleFactory
article = ArticleFactory(
    category_id=Article.objects.first().category_id,
    title="Un récit retiré",
    authors=[Author.objects.first()],
)
print(article.get_absolute_url())
"""
UNPUBLISH = """
from articles.models import Article
article = Article.objects.get(title="Un récit retiré")
article.status = Article.Status.DRAFT
article.save()
"""


def test_database_down_an_unpublished_story_is_never_served_from_an_older_copy(site):
    path = manage(site["env"], "shell", "-c", WITHDRAWN).strip().splitlines()[-1]
    for _worker in range(4):
        assert _get(site, path)[0] == 200  # kept in Redis and in both workers' memory
    manage(site["env"], "shell", "-c", UNPUBLISH)  # withdrawn, say, by a court order

    cut_off_database(site["database"], allowed=False)
    try:
        time.sleep(1.1)  # each worker re-reads the content version within a second
        for _worker in range(4):
            status, _headers, body = _get(site, path)
            assert status == 503
            assert "Un récit retiré" not in body
    finally:
        cut_off_database(site["database"], allowed=True)

    _until(lambda: _get(site, path)[0] == 404)
