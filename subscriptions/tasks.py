"""Background work of the subscriptions app, run by ``manage.py db_worker``."""

from dataclasses import asdict

from django.utils import timezone
from django_tasks import task

from subscriptions import accounts, newsletter, sending
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
