"""A purge with a read replica that lags (a real streaming replica, its replay paused): the CDN
asks again for the page at once, and an app server reading the replica would give it the page
as it was before the change, kept then for hours (s-maxage). The worker waits until every
replica has replayed the change (``CDN_PURGE_REPLICA_WAIT`` at most, else it tries again
later) before it purges."""

import subprocess
import sys
import time

import pytest

from tests.pagecache.test_varnish import PUBLISH, PURGE_DELAY, RECHECK, SETUP, varnish
from tests.services import (
    REPO_ROOT,
    app_server,
    free_port,
    http,
    manage,
    postgres_replica,
    production_env,
)


def _until(check, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


@pytest.fixture
def site():
    """The site reading from a replica, behind Varnish (an hour of s-maxage)."""
    with postgres_replica() as clusters:
        varnish_port = free_port()
        env = production_env(
            DATABASE_URL=clusters.primary_url,
            DATABASE_REPLICA_URLS=clusters.replica_url,
            PAGE_CACHE_RECHECK=str(RECHECK),
            PAGE_CACHE_SHARED_MAX_AGE="3600",
            CDN_PURGE_BACKEND="varnish",
            CDN_PURGE_VARNISH_URLS=f"http://127.0.0.1:{varnish_port}",
        )
        env.pop("CACHE_URL", None)
        manage(env, "migrate", "--noinput")
        manage(env, "shell", "-c", SETUP)
        with app_server(env) as (base_url, _log):
            app_port = int(base_url.rsplit(":", 1)[1])
            with varnish(varnish_port, app_port) as front:
                _until(clusters.caught_up, "the replica never caught up")
                _worker(env)  # the setup's purges
                yield env, front, clusters


def _worker(env, **settings):
    """The worker runs what is due, then stops."""
    time.sleep(PURGE_DELAY + 0.2)
    return subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=REPO_ROOT,
        env={**env, **settings},
        capture_output=True,
        check=True,
        timeout=120,
    )


def _pending(clusters):
    with clusters.connect("primary") as primary:
        return primary.execute("SELECT count(*) FROM pagecache_pendingpurge").fetchone()[0]


def test_a_purge_waits_for_the_replica_to_replay_the_change(site):
    env, front, clusters = site
    http(f"{front}/")
    assert http(f"{front}/")[1]["X-Cache"] == "HIT"

    clusters.pause_replay()
    manage(env, "shell", "-c", PUBLISH)

    # The replica has not replayed the publication: the purge waits, then is tried again later.
    _worker(env, CDN_PURGE_REPLICA_WAIT="1")
    assert _pending(clusters)
    page = http(f"{front}/")[2]
    assert "La brève du soir" not in page  # the page kept before, not one rebuilt from the replica

    time.sleep(2)  # the retry's time
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=REPO_ROOT,
        env={**env, "CDN_PURGE_REPLICA_WAIT": "60"},
    )
    try:
        time.sleep(1)
        clusters.resume_replay()
        worker.wait(timeout=120)
    finally:
        worker.kill()
    assert not _pending(clusters)

    status, _headers, page = http(f"{front}/")
    assert status == 200 and "La brève du soir" in page
    assert http(f"{front}/")[1]["X-Cache"] == "HIT"
