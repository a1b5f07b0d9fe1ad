"""The purge queue (pagecache/purge.py): keys written to PendingPurge and sent by the worker's
task, retried while the CDN fails. Keys must not be left waiting for an unrelated change."""

import socket
import threading

import pytest
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from pagecache import purge
from pagecache.models import PendingPurge
from tests.pagecache.test_purge import _queue

pytestmark = pytest.mark.django_db


def _waiting_tasks():
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path="pagecache.purge.purge_due"
    ).count()


def test_keys_beyond_one_run_are_sent_without_waiting_for_another_change(
    fastly, database_queue, monkeypatch, django_capture_on_commit_callbacks
):
    # ROWS_PER_RUN is 10 000 rows: one admin action on a few hundred stories (each save writes
    # ~8 rows, one per key, never merged) or a CDN down for an hour of edits is more than that.
    monkeypatch.setattr(purge, "ROWS_PER_RUN", 2)
    _queue(["article-1", "article-2", "article-3", "home"])
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert purge.run_due() == 2  # the first run's share
    # The rest are due now, but no task will come for them until some other change queues one.
    assert PendingPurge.objects.exists()
    assert _waiting_tasks() == 1


class Garbage:
    """A "CDN" behind a broken proxy: answers a line that is not HTTP."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                connection.sendall(b"garbage\r\n\r\n")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.close()


def test_a_cdn_answering_something_not_http_is_tried_again_later(
    settings, database_queue, django_capture_on_commit_callbacks
):
    with Garbage() as cdn:
        settings.CDN_PURGE_BACKEND = "varnish"
        settings.CDN_PURGE_VARNISH_URLS = [cdn.url]
        _queue(["article-7", "home"])
        DBTaskResult.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            sent = purge.run_due()  # http.client.BadStatusLine is no OSError nor PurgeFailed
    assert sent == 0
    assert set(PendingPurge.objects.values_list("attempts", flat=True)) == {1}
    assert _waiting_tasks() == 1  # the retry
