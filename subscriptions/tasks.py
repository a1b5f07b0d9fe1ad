"""Background work of the subscriptions app, run by ``manage.py db_worker``."""

import logging
from dataclasses import asdict

from django.conf import settings
from django.db.models import Case, F, Min, When
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task
from django_tasks_db.models import DBTaskResult, get_date_max

from subscriptions import accounts, newsletter, sending
from subscriptions.models import NewsletterEdition, WorkerHeartbeat

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """A run whose worker died: the queue cannot know, and would show it running for ever."""


@task()
def send_edition(edition_id):
    """Deliver a newsletter edition to its subscribers (see subscriptions/sending.py)."""
    return asdict(sending.send_edition(edition_id))


def start_sending(edition):
    """Mark a draft edition as sending and queue its delivery; False if it was not a draft.

    The conditional update makes a double click, or two editors at once, queue it only once.
    """
    # A lease already expired: if the queued run dies before it takes it, a worker's check
    # queues another (subscriptions/sending.py).
    started = NewsletterEdition.objects.filter(
        pk=edition.pk, status=NewsletterEdition.Status.DRAFT
    ).update(status=NewsletterEdition.Status.SENDING, lease_expires_at=timezone.now())
    if started:
        send_edition.enqueue(edition.pk)
    return bool(started)


def resume_sending(edition):
    """Queue another run for an edition still sending (after a worker was stopped or failed).

    Harmless if a worker is still at it: both share the remaining deliveries. This is how an
    editor restarts an edition paused for want of a published article.
    """
    if edition.status != NewsletterEdition.Status.SENDING:
        return False
    send_edition.enqueue(edition.pk)
    return True


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
    # A run just taken by a worker has not claimed its edition's lease yet: left to it too.
    just_started = runs.running().filter(started_at__gte=timezone.now() - sending.LEASE)
    queued = {run.args_kwargs["args"][0] for run in (*runs.ready(), *just_started)}
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


def oldest_waiting_task():
    """When the task that has waited longest for a worker fell due (None if none waits): a
    task queued to run at once is due when queued, a task queued for later at that time."""
    waiting = DBTaskResult.objects.ready().filter(
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        queue_name__in=settings.TASKS[DEFAULT_TASK_BACKEND_ALIAS].get("QUEUES", ["default"]),
    )
    due = Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after"))
    return waiting.aggregate(oldest=Min(due))["oldest"]


def worker_last_seen():
    """When a worker's heartbeat last ran (None if no worker ever ran)."""
    return WorkerHeartbeat.last_seen()


# E-mails asked for on the public forms: the forms queue one of these for every valid address,
# known or not, so that their answers take the same time; the worker decides what to send.


@task()
def request_subscription(email, section_ids, consent_text, source_page):
    """Record a newsletter signup and send its confirmation link, if one is due."""
    newsletter.request_subscription(
        email=email, section_ids=section_ids, consent_text=consent_text, source_page=source_page
    )


@task()
def resend_confirmation(subscriber_id):
    """Send a new confirmation link to a pending subscriber whose link expired."""
    newsletter.resend_confirmation(subscriber_id)


@task()
def send_login_link(email):
    """Send a sign-in link to the reader with this address, if there is one."""
    accounts.send_login_link(email)
