"""The audience's background work (``manage.py db_worker``): counted views written to the
database, then the ranking of « Les plus lus » refreshed."""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from audience import counting, ranking

logger = logging.getLogger(__name__)


@task()
def record_views(rows):
    """Views a process counted in its memory (``counting.ProcessCounts``)."""
    counting.write(counting.deserialise(rows))
    ranking.refresh()


@task()
def flush_views():
    """Views counted in the shared cache (``counting.SharedCounts``)."""
    counting.flush()
    ranking.refresh()


def queue_flush(delay):
    """Ask the worker to flush in ``delay`` seconds (at once if the task backend cannot wait)."""
    run = flush_views
    if delay and run.get_backend().supports_defer:
        run = run.using(run_after=timezone.now() + timedelta(seconds=delay))
    try:
        run.enqueue()
    except Exception:  # the counts wait in the cache for the next flush
        logger.exception("Could not queue a flush of the counted views")
