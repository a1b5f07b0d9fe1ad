"""A worker killed (kill -9) while it sends a purge: the keys it held are sent by another
worker once its lease is over, none lost."""

import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.pagecache.test_varnish import _pending_purges, _run_worker, purging_site_env
from tests.services import REPO_ROOT, manage

# One change, one transaction: one run of the purge task, which the killed worker holds.
RETITLE = """
from django.db import transaction
from articles.models import Article
with transaction.atomic():
    article = Article.objects.get(slug="deja-en-ligne")
    article.title = "Déjà en ligne, corrigé"
    article.save()
"""


class HangingCDN:
    """Fastly's purge API that, once ``armed``, never answers the next request (the worker will
    be killed while it waits), then says yes."""

    def __init__(self):
        self.keys = []
        self.armed = False
        self.release = threading.Event()
        cdn = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                if cdn.armed:
                    cdn.keys.append(set(self.headers["Surrogate-Key"].split(" ")))
                if len(cdn.keys) == 1:
                    cdn.release.wait(60)
                    return
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def _until(check, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _worker(env):
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def cdn():
    cdn = HangingCDN()
    yield cdn
    cdn.close()


def test_keys_held_by_a_killed_worker_are_sent_by_another(tmp_path, cdn):
    env = purging_site_env(
        tmp_path,
        CDN_PURGE_BACKEND="fastly",
        CDN_PURGE_FASTLY_API=cdn.url,
        CDN_PURGE_FASTLY_SERVICE="svc-9",
        CDN_PURGE_FASTLY_TOKEN="token",
        CDN_PURGE_LEASE="2",
    )
    _run_worker(env)  # the setup's purges

    def pending():
        return _pending_purges(env)

    cdn.armed = True
    manage(env, "shell", "-c", RETITLE)
    assert pending()
    first = _worker(env)
    try:
        _until(lambda: cdn.keys, "the first worker never sent the purge")
        os.kill(first.pid, signal.SIGKILL)  # mid-purge
    finally:
        first.kill()
        first.wait(timeout=20)
    assert pending()

    second = _worker(env)
    try:
        _until(lambda: len(cdn.keys) >= 2 and not pending(), "the keys were never sent again")
    finally:
        second.terminate()
        second.wait(timeout=20)
    assert cdn.keys[1] == cdn.keys[0]
