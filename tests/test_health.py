"""``/sante/``: the health check load balancers and uptime checks ask each app server."""

import json
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsroom import cache as resilient_cache
from newsroom import health
from subscriptions import tasks
from subscriptions.models import WorkerHeartbeat
from tests.services import REPO_ROOT, RedisServer, app_server, http, manage, production_env

pytestmark = pytest.mark.django_db

HEALTH = "/sante/"


def _health(**extra):
    return Client().get(HEALTH, **extra)


def test_a_live_site_is_ok_in_two_queries_and_never_cached(django_assert_num_queries):
    WorkerHeartbeat.beat()

    with django_assert_num_queries(2):
        response = _health()

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    report = response.json()
    assert report["status"] == "ok"
    assert report["database"] == "ok"
    assert report["cache"] == "local"
    assert report["worker"]["lag_seconds"] == 0
    assert 0 <= report["worker"]["last_seen_seconds_ago"] < 300


def test_load_balancers_asking_by_address_over_http_get_the_answer(settings):
    WorkerHeartbeat.beat()
    settings.SECURE_SSL_REDIRECT = True  # production: every other page redirects to HTTPS

    response = _health(HTTP_HOST="10.0.0.12:8000")  # not in ALLOWED_HOSTS

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert Client().get("/", HTTP_HOST="10.0.0.12:8000").status_code == 400


def test_only_get_and_head_are_answered():
    assert Client().post(HEALTH).status_code == 405
    assert Client().head(HEALTH).status_code == 200


def test_a_worker_never_seen_makes_the_site_degraded_not_down():
    report = _health().json()

    assert report["status"] == "degraded"
    assert report["worker"]["last_seen_seconds_ago"] is None
    assert report["worker"]["late"] is True


def test_worker_lag_is_the_age_of_the_oldest_due_task_not_yet_picked_up(database_queue):
    WorkerHeartbeat.beat()
    now = timezone.now()
    tasks.send_login_link.using(run_after=now + timedelta(hours=1)).enqueue("plus-tard@exemple.fr")
    assert _health().json()["worker"]["lag_seconds"] == 0  # not due yet

    tasks.send_login_link.using(run_after=now - timedelta(minutes=20)).enqueue("a@exemple.fr")
    tasks.send_login_link.using(run_after=now - timedelta(minutes=5)).enqueue("b@exemple.fr")
    response = _health()

    assert response.status_code == 200
    report = response.json()
    assert report["worker"]["lag_seconds"] >= 20 * 60
    assert report["worker"]["lag_seconds"] < 60 * 60
    assert report["worker"]["late"] is True
    assert report["status"] == "degraded"


def test_a_task_queued_to_run_at_once_is_due_when_queued(database_queue):
    WorkerHeartbeat.beat()
    tasks.send_login_link.enqueue("tout-de-suite@exemple.fr")
    DBTaskResult.objects.update(enqueued_at=timezone.now() - timedelta(minutes=10))

    assert _health().json()["worker"]["lag_seconds"] >= 10 * 60


@pytest.fixture
def redis(settings):
    server = RedisServer().start()
    settings.CACHES = {
        "default": {
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5, "retry_after": 1},
        }
    }
    try:
        yield server
    finally:
        server.remove()
        resilient_cache._outages.clear()


def test_redis_stopped_is_degraded_and_the_site_still_serves(redis):
    WorkerHeartbeat.beat()
    assert _health().json()["cache"] == "ok"

    redis.kill()
    response = _health()

    assert response.status_code == 200
    report = response.json()
    assert report["status"] == "degraded"
    assert report["cache"] == "unreachable"
    assert report["database"] == "ok"


def test_threads_of_one_worker_checking_at_once_all_find_redis_answering(redis):
    """gthread workers (deploy/systemd/newsroom.service) answer checks in several threads."""
    start = threading.Barrier(4)
    verdicts = []

    def check():
        start.wait()
        verdicts.extend(health._cache() for _ in range(200))

    threads = [threading.Thread(target=check) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert set(verdicts) == {"ok"}, f"{verdicts.count('unreachable')} false 'unreachable'"


def test_a_running_worker_shows_life_on_the_health_check(tmp_path):
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    env.pop("CACHE_URL", None)
    manage(env, "migrate", "--noinput")
    with app_server(env, workers=1) as (base, _log):
        before = json.loads(http(f"{base}{HEALTH}")[2])
        assert before["worker"]["last_seen_seconds_ago"] is None
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while (report := json.loads(http(f"{base}{HEALTH}")[2]))["status"] != "ok":
                assert time.monotonic() < deadline, report
                time.sleep(0.2)
        finally:
            worker.kill()
            worker.wait(timeout=10)

    assert report["worker"]["last_seen_seconds_ago"] is not None
    assert report["worker"]["late"] is False
