"""A story withdrawn while a read replica lags is never served again from a copy rebuilt from
the replica, once the database is down (a real streaming replica)."""

import json
import time

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
