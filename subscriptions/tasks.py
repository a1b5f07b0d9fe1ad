"""Background work of the subscriptions app, run by ``manage.py db_worker``."""

import logging
from dataclasses import asdict

from django_tasks import task
from django_tasks_db.models import DBTaskResult

from subscriptions import sending

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """A run whose worker died: the queue cannot know, and would show it running for ever."""


@task()
def send_edition(edition_id):
    """Deliver a newsletter edition to its subscribers (see subscriptions/sending.py)."""
    return asdict(sending.send_edition(edition_id))


def resume_stalled_editions():
    """Queue a new run for each edition being sent that no live worker is sending.

    Called by every worker as it starts, then every HEARTBEAT. An edition whose run is still
    waiting in the queue is left to it; of several workers checking at once, only the one that
    revives the edition queues a run. The dead runs are marked failed.
    """
    stalled = set(sending.stalled_editions().values_list("pk", flat=True))
    if not stalled:
        return
    runs = DBTaskResult.objects.filter(task_path=send_edition.module_path)
    queued = {run.args_kwargs["args"][0] for run in runs.ready()}
    for edition_id in stalled - queued:
        interrupted = sending.revive(edition_id)
        if interrupted is None:
            continue  # another worker was quicker
        for dead in runs.running().filter(args_kwargs__args__0=edition_id):
            dead.set_failed(WorkerLost("The worker stopped while sending this edition."))
        send_edition.enqueue(edition_id)
        logger.warning(
            "Edition %s: its worker stopped; resumed (%s message(s) in flight sent again).",
            edition_id,
            interrupted,
        )
