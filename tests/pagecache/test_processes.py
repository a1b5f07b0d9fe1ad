"""Several server processes on the default settings (no CACHE_URL: each worker keeps pages in
its own memory) and a change made from another process: no worker serves a stale page."""

import contextlib
import time

import pytest

from tests.services import app_server, http, manage, production_env, throwaway_database

SETUP = """
from articles.models import Article, Category
from tests.factories import ArticleFactory, CategoryFactory
section = CategoryFactory(name="Monde", slug="monde")
ArticleFactory(category=section, title="Déjà en ligne", slug="deja-en-ligne")
ArticleFactory(category=section, title="La brève du soir", slug="la-breve", status="draft")
"""
PUBLISH = """
from django.utils import timezone
from articles.models import Article
article = Article.objects.get(slug="la-breve")
article.status, article.published_at = Article.Status.PUBLISHED, timezone.now()
article.save()
"""
RETITLE_IN_BULK = """
from articles.models import Article
Article.objects.filter(slug="deja-en-ligne").update(title="Déjà en ligne, mis à jour")
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request, tmp_path):
    """Two app servers of two workers each, on one database and the default cache."""
    if request.param == "sqlite":  # the default database
        database = contextlib.nullcontext(f"sqlite:///{tmp_path / 'newsroom.sqlite3'}")
    else:
        database = throwaway_database("newsroom_processes")
    with database as database_url:
        env = production_env(
            DATABASE_URL=database_url,
            MEDIA_ROOT=str(tmp_path / "media"),
            PAGE_CACHE_RECHECK="0.5",
        )
        env.pop("CACHE_URL", None)
        manage(env, "migrate", "--noinput")
        manage(env, "shell", "-c", SETUP)
        with app_server(env, workers=2) as (first, _), app_server(env, workers=2) as (second, _):
            yield env, [first, second]


def _every_worker_shows(servers, text, rounds=8):
    """Whether ``text`` is on the home page whichever worker answers (several asks each)."""
    pages = [http(f"{server}/")[2] for server in servers for _round in range(rounds)]
    return all(text in page for page in pages)


def test_a_publication_from_another_process_shows_on_every_worker(site):
    env, servers = site
    assert not _every_worker_shows(servers, "La brève du soir")  # every worker keeps the page

    manage(env, "shell", "-c", PUBLISH)
    time.sleep(0.6)  # PAGE_CACHE_RECHECK

    assert _every_worker_shows(servers, "La brève du soir")


def test_a_bulk_update_from_another_process_shows_on_every_worker(site):
    env, servers = site
    assert _every_worker_shows(servers, "Déjà en ligne")

    manage(env, "shell", "-c", RETITLE_IN_BULK)
    time.sleep(0.6)

    assert _every_worker_shows(servers, "Déjà en ligne, mis à jour")
