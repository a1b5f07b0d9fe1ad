"""Background work of the subscriptions app, run by ``manage.py db_worker``."""

from dataclasses import asdict

from django.utils import timezone
from django_tasks import task

from subscriptions import sending
from subscriptions.models import NewsletterEdition


@task()
def send_edition(edition_id):
    """Deliver a newsletter edition to its subscribers (see subscriptions/sending.py)."""
    if NewsletterEdition.objects.filter(
        pk=edition_id, status=NewsletterEdition.Status.SENDING
    ).exists():
        _queue_takeover(edition_id)
    return asdict(sending.send_edition(edition_id))


def _queue_takeover(edition_id):
    """Queue another run for after STALE_AFTER, in case this worker is killed on the way.

    The database queue never runs a task again once a worker has taken it, even if that worker
    died; this later run is what makes a restart resume the sending. If this run is still going
    by then, the two share the remaining deliveries; once the edition is sent, it does nothing.
    Backends that run tasks at once (tests) cannot defer, and need no takeover.
    """
    if send_edition.get_backend().supports_defer:
        run_after = timezone.now() + sending.STALE_AFTER + sending.STALE_AFTER / 10
        send_edition.using(run_after=run_after).enqueue(edition_id)
