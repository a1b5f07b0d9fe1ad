"""django-tasks-db's worker, with a heartbeat for newsletter sending, surviving database outages.

It replaces the stock ``db_worker`` (subscriptions is listed before django_tasks_db in
INSTALLED_APPS) and takes the same options, polling the queue every ``INTERVAL`` by default
(the stock worker: every second) so that a CDN purge waits little past its due time. Two
additions:

- A heartbeat thread renews, every ``sending.HEARTBEAT``, the leases of the editions this
  process is sending, and resumes the editions no live worker is sending (at start, then at
  every beat): a worker killed mid-edition is taken over within a minute of a restart. CDN
  purges left by a dead run get a new run the same way (``purge.resume_stalled``). Each
  beat also records that a worker lives (``WorkerHeartbeat``, shown by ``/sante/``).
- The stock worker exits on any database error outside a task. This one logs it, waits for the
  database with a growing delay, reconnects and carries on; the task that was running when the
  database went away is resumed by the heartbeat like any other dead run.
"""

import logging
import os
import threading
import time

from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from pagecache import purge
from subscriptions import sending, tasks
from subscriptions.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# The outage errors: the server is unreachable, or it dropped our connection.
CONNECTION_ERRORS = (OperationalError, InterfaceError)
RECONNECT_DELAY_MAX = 10  # seconds between two attempts to reach a database that is down
# Seconds between two looks at an empty queue: one indexed query on the primary each (four a
# second), and a purge waits at most this long past CDN_PURGE_DELAY (docs/PERFORMANCE.md).
INTERVAL = 0.25


class Command(db_worker.Command):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(interval=INTERVAL)

    def handle(self, *args, reload, batch, **options):
        if reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent process only restarts the worker on code changes.
            return super().handle(*args, reload=reload, batch=batch, **options)
        threading.Thread(target=heartbeat, name="newsletter-heartbeat", daemon=True).start()
        while True:
            try:
                return super().handle(*args, reload=reload, batch=batch, **options)
            except CONNECTION_ERRORS:
                logger.warning("Lost the database; waiting for it to come back.", exc_info=True)
                wait_for_database()


def heartbeat():
    while True:
        try:
            close_old_connections()  # a connection broken by an outage is replaced
            WorkerHeartbeat.beat()  # for the health check (/sante/)
            sending.renew_leases()
            tasks.resume_stalled_editions()
            purge.resume_stalled()
        except CONNECTION_ERRORS:
            logger.warning("Heartbeat: the database is unreachable.")
        except Exception:
            logger.exception("Heartbeat failed; trying again.")  # it must outlive any one error
        time.sleep(sending.HEARTBEAT)


def wait_for_database():
    delay = 1
    while True:
        connection.close()
        time.sleep(delay)
        try:
            connection.ensure_connection()
        except CONNECTION_ERRORS:
            delay = min(delay * 2, RECONNECT_DELAY_MAX)
        else:
            logger.warning("The database is back.")
            return
