"""Varnish for real (Debian's varnish and varnish-modules, deploy/varnish/newsroom.vcl) in
front of the site under gunicorn: pages kept for an hour, and a publication made by another
process shows through Varnish as soon as the background worker has run."""

import contextlib
import shutil
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.services import (
    REPO_ROOT,
    _listening,
    _wait_for,
    app_server,
    free_port,
    http,
    manage,
    production_env,
)

VCL = REPO_ROOT / "deploy" / "varnish" / "newsroom.vcl"

SETUP = """
from tests.factories import ArticleFactory, CategoryFactory
section = CategoryFactory(name="Monde", slug="monde")
ArticleFactory(category=section, title="Déjà en ligne", slug="deja-en-ligne")
ArticleFactory(category=section, title="La brève du soir", slug="la-breve", status="draft")
ArticleFactory(category=CategoryFactory(name="Sport", slug="sport"), title="Le derby")
"""
PUBLISH = """
from django.utils import timezone
from articles.models import Article
article = Article.objects.get(slug="la-breve")
article.status, article.published_at = Article.Status.PUBLISHED, timezone.now()
article.save()
"""
RETITLE = """
from articles.models import Article
article = Article.objects.get(slug="deja-en-ligne")
article.title = "Déjà en ligne, corrigé"
article.save()
"""
RECHECK = 0.5  # PAGE_CACHE_RECHECK
PURGE_DELAY = RECHECK + 0.25  # CDN_PURGE_DELAY, by default


@contextlib.contextmanager
def varnish(port, backend_port):
    """varnishd on ``port``, in a working directory of its own, as the current user."""
    with tempfile.TemporaryDirectory(prefix="purge-varnish-") as directory:
        vcl = Path(directory) / "newsroom.vcl"
        vcl.write_text(VCL.read_text().replace('"8000"', f'"{backend_port}"'))
        command = [
            shutil.which("varnishd") or "/usr/sbin/varnishd",
            "-F", "-j", "none", "-n", f"{directory}/work",
            "-a", f"127.0.0.1:{port}", "-f", str(vcl), "-s", "malloc,64m",
        ]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait_for(lambda: _listening(port), "varnishd", process)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def purging_site_env(tmp_path, **purge_settings):
    """The environment of a site whose pages a CDN may keep an hour, purged as ``purge_settings``
    say; its database migrated and seeded."""
    env = production_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'newsroom.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        PAGE_CACHE_RECHECK=str(RECHECK),
        PAGE_CACHE_SHARED_MAX_AGE="3600",
        **purge_settings,
    )
    env.pop("CACHE_URL", None)
    manage(env, "collectstatic", "--noinput")  # pages name their hashed static files
    manage(env, "migrate", "--noinput")
    manage(env, "shell", "-c", SETUP)
    return env


@pytest.fixture
def site(tmp_path):
    """The site (an hour of s-maxage) behind Varnish; yields (env, Varnish's address)."""
    varnish_port = free_port()
    env = purging_site_env(
        tmp_path,
        CDN_PURGE_BACKEND="varnish",
        CDN_PURGE_VARNISH_URLS=f"http://127.0.0.1:{varnish_port}",
    )
    with app_server(env) as (base_url, _log):
        port = int(base_url.rsplit(":", 1)[1])
        with varnish(varnish_port, port) as front:
            _run_worker(env)  # the setup's purges
            yield env, front


def _pending_purges(env):
    """How many keys wait in the site's database (its SQLite file) for the CDN."""
    path = env["DATABASE_URL"].removeprefix("sqlite:///")
    with contextlib.closing(sqlite3.connect(path, timeout=30)) as connection:
        return connection.execute("SELECT count(*) FROM pagecache_pendingpurge").fetchone()[0]


def _run_worker(env, within=30):
    """The background worker runs what is due, then stops (``db_worker --batch``), again until
    no key waits any more, for at most ``within`` seconds: on a loaded machine the purge a
    change queued at its commit may fall due only after a run has started, or a purge that
    timed out is retried a little later."""
    deadline = time.monotonic() + within
    while True:
        time.sleep(PURGE_DELAY + 0.2)  # the purges wait for every app server to see the change
        manage(env, "db_worker", "--batch", "--no-reload", "--no-startup-delay")
        if not _pending_purges(env) or time.monotonic() > deadline:
            return


def test_a_publication_shows_through_varnish_once_the_worker_has_run(site):
    env, front = site
    status, headers, page = http(f"{front}/")
    assert status == 200 and "La brève du soir" not in page
    status, headers, page = http(f"{front}/")
    assert headers["X-Cache"] == "HIT"
    assert "xkey" not in headers  # the keys stay in Varnish
    assert "s-maxage=3600" in headers["Cache-Control"]

    manage(env, "shell", "-c", PUBLISH)
    time.sleep(PURGE_DELAY + 0.2)
    # Every app server shows it now; Varnish keeps its copy until the worker purges it.
    status, headers, page = http(f"{front}/")
    assert headers["X-Cache"] == "HIT" and "La brève du soir" not in page

    _run_worker(env)

    status, headers, page = http(f"{front}/")
    assert "La brève du soir" in page
    assert headers["X-Cache"] == "MISS"
    # Signed-in readers always reach the site.
    signed_in = {"Cookie": "sessionid=abc"}
    assert [http(f"{front}/", headers=signed_in)[1]["X-Cache"] for _ in range(2)] == ["MISS"] * 2


def retitle_and_check_only_its_pages_are_purged(env, front, pages):
    """Retitle the story from another process, let the worker purge, then: the pages that show
    it (the first three of ``pages``) are asked again and show the new title; /sport/ is not."""
    manage(env, "shell", "-c", RETITLE)
    _run_worker(env)

    seen = {address: http(address) for address in pages}
    for address in pages[:3]:
        assert seen[address][1]["X-Cache"] == "MISS", address
        assert "Déjà en ligne, corrigé" in seen[address][2], address
    assert seen[f"{front}/sport/"][1]["X-Cache"] == "HIT"  # it does not show the story


def test_an_edit_purges_the_pages_that_show_the_story_and_no_other(site):
    env, front = site
    pages = [f"{front}/", f"{front}/monde/", f"{front}/monde/deja-en-ligne-1/", f"{front}/sport/"]
    for _round in range(2):
        assert [http(address)[1]["X-Cache"] for address in pages][-1] in ("MISS", "HIT")
    assert {http(address)[1]["X-Cache"] for address in pages} == {"HIT"}

    retitle_and_check_only_its_pages_are_purged(env, front, pages)


LIVE = """
from articles.models import Article, Author, LiveEntry
article = Article.objects.get(slug="deja-en-ligne")
if not article.is_live_story:
    article.live_status = Article.LiveStatus.LIVE
    article.save()
author = Author.objects.first()
LiveEntry.objects.create(article=article, author=author, body="<p>{text}</p>")
"""


def test_a_live_entry_reaches_readers_through_varnish_once_the_worker_has_run(site):
    env, front = site
    fragment = f"{front}/direct/1/entrees/"
    manage(env, "shell", "-c", LIVE.format(text="Première entrée du direct."))
    _run_worker(env)
    assert "Première entrée du direct." in http(fragment)[2]
    status, headers, page = http(fragment)
    assert status == 200 and headers["X-Cache"] == "HIT"

    manage(env, "shell", "-c", LIVE.format(text="Deuxième entrée du direct."))
    _run_worker(env)

    for address in (fragment, f"{front}/monde/deja-en-ligne-1/"):
        status, headers, page = http(address)
        assert headers["X-Cache"] == "MISS", address
        assert "Deuxième entrée du direct." in page and "Première entrée du direct." in page
