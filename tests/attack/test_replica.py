"""Attack on read replicas (newsroom/routers.py) and the page cache's withdrawal of an
unpublished story (pagecache/pages.py: ``withdrawn_at``), against a real streaming replica."""

import json
import os
import signal
import time
from pathlib import Path

import pytest

from tests.services import app_server, http, manage, postgres_replica, production_env, redis_server

SEED = """
import json
from tests.factories import ArticleFactory
print(json.dumps({"article": ArticleFactory(title="Un récit retiré").get_absolute_url()}))
"""
UNPUBLISH = """
from articles.models import Article
article = Article.objects.get(title="Un récit retiré")
article.status = Article.Status.DRAFT
article.save()
"""


@pytest.fixture
def site():
    with postgres_replica() as clusters, redis_server() as redis:
        env = production_env(
            DATABASE_URL=clusters.primary_url,
            DATABASE_REPLICA_URLS=clusters.replica_url,
            CACHE_URL=redis.url,
        )
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        seeded = json.loads(manage(env, "shell", "-c", SEED).strip().splitlines()[-1])
        with app_server(env) as (base_url, _log):
            yield {"env": env, "base": base_url, "clusters": clusters, **seeded}


def _until(check, timeout=30):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "never came true"
        time.sleep(0.2)


def test_a_story_withdrawn_while_the_replica_lags_is_not_served_once_the_database_is_down(site):
    clusters, path = site["clusters"], site["article"]
    _until(clusters.caught_up)
    clusters.pause_replay()
    manage(site["env"], "shell", "-c", UNPUBLISH)  # withdrawn: its kept copy is emptied
    time.sleep(1.1)
    for _worker in range(4):
        http(site["base"] + path)  # the lagging replica still shows it: fair, for a while
    clusters.resume_replay()
    _until(clusters.caught_up)
    _until(lambda: http(site["base"] + path)[0] == 404)  # withdrawn everywhere now

    clusters.stop_replica()
    clusters._pg_ctl("primary", "stop")  # the database is down
    time.sleep(1.1)
    bodies = [http(site["base"] + path)[2] for _worker in range(4)]

    assert not any("Un récit retiré" in body for body in bodies)


def _cluster_processes(clusters, cluster):
    """The postmaster of ``cluster`` and its children (the backends serving the site)."""
    postmaster = int((clusters.directory / cluster / "postmaster.pid").read_text().split()[0])
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines())
        except (OSError, ValueError):
            continue
        if int(fields.get("PPid", "0").strip()) == postmaster:
            children.append(int(status.parent.name))
    return [postmaster, *children]


def test_a_replica_that_stops_answering_sends_readers_to_the_primary(site):
    """A replica behind a network that drops packets (or a hung server) neither refuses nor
    answers. Django's health check of a kept connection (SELECT 1) has no timeout: the request
    waits until gunicorn kills its worker (--timeout 30), and nginx answers 502."""
    clusters, path = site["clusters"], site["article"]
    _until(clusters.caught_up)
    for _worker in range(4):
        assert http(site["base"] + path)[0] == 200  # each worker keeps a replica connection
    hung = _cluster_processes(clusters, "replica")
    for pid in hung:
        os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(1.1)  # past the page's version: the next request reads the database
        statuses = []
        for _request in range(2):
            try:
                statuses.append(http(site["base"] + path)[0])
            except OSError as error:  # the worker killed, or the client's 30 s wait over
                statuses.append(repr(error))
    finally:
        for pid in hung:
            os.kill(pid, signal.SIGCONT)

    assert statuses == [200, 200]
