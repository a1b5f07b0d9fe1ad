"""Delivering a newsletter edition to every confirmed subscriber, at least once each, resumably.

The ledger is one ``Delivery`` row per (edition, subscriber). For each message a worker

1. claims the row with a conditional UPDATE (pending → sending, only if it is still pending and
   the reader still confirmed), so two workers never take the same row;
2. hands the message to the e-mail backend;
3. marks the row sent (or records the error and puts it back to pending, up to MAX_ATTEMPTS).

The guarantee is "at least once, with an idempotency key". A worker killed at any point leaves
every row done, untouched, or — for the one message it was handling — "sending": the SMTP server
may or may not have accepted that message. It is sent again, with the same Message-ID (derived
from the edition and the subscriber, recorded on the row), which mail servers and ESPs use to
drop a copy they already have.

Who notices a dead worker: each run registers the edition it sends, and the worker process
(``manage.py db_worker``, subscriptions/management/commands/db_worker.py) pushes the edition's
lease back every HEARTBEAT while it lives. Once the lease has expired no live worker is on the
edition: the next worker's check (at start, then every HEARTBEAT) puts the rows left "sending"
back to pending and queues a new run, which carries on with the rest. Several runs may share an
edition; the claims keep them apart.
"""

import logging
import smtplib
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.utils import timezone
from django.utils.crypto import salted_hmac

from subscriptions import mailing
from subscriptions.editions import edition_items, recipients
from subscriptions.models import Delivery, NewsletterEdition, Subscriber

logger = logging.getLogger(__name__)

# A worker renews the leases of the editions it sends every HEARTBEAT; a lease not renewed for
# LEASE means its worker is dead, and a restarted worker resumes within LEASE + HEARTBEAT.
HEARTBEAT = 2  # seconds
LEASE = timedelta(seconds=10)
INTERRUPTED = "interrupted: sent again with the same Message-ID"
# Opening an SMTP connection is tried this many times, OPEN_RETRY_DELAY × 2^n seconds apart,
# before the run gives up and leaves the pending deliveries for a run MAIL_RETRY_AFTER later.
OPEN_ATTEMPTS = 3
OPEN_RETRY_DELAY = 2
MAIL_RETRY_AFTER = timedelta(minutes=1)

# The editions this process is sending now, whose leases its worker's heartbeat renews.
_editions_in_progress = []

Status = Delivery.Status


class MailServerUnreachable(Exception):
    """Every attempt of a run to connect to the mail server failed."""


@dataclass
class Outcome:
    """What one run did; returned by the task (so it must stay JSON-serialisable)."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    interrupted: int = 0  # messages a dead worker was sending, put back to be sent again
    finished: bool = False


def send_edition(edition_id):
    """Deliver an edition that is "sending"; safe to run again, or on several workers at once."""
    outcome = Outcome()
    outcome.interrupted = revive(edition_id) or 0
    edition = NewsletterEdition.objects.filter(
        pk=edition_id, status=NewsletterEdition.Status.SENDING
    ).first()
    if edition is None:
        return outcome  # already sent, or never meant to be
    items = edition_items(edition)
    if not items:
        _stop_empty(edition)
        return outcome
    rendered = mailing.render_edition(edition, items=items)
    _editions_in_progress.append(edition.pk)
    try:
        create_deliveries(edition)
        _deliver(edition, rendered, outcome)
    except MailServerUnreachable:
        # Held until then, so that the workers' checks do not retry it at every beat.
        NewsletterEdition.objects.filter(pk=edition.pk).update(
            lease_expires_at=timezone.now() + MAIL_RETRY_AFTER
        )
        raise
    finally:
        _editions_in_progress.remove(edition.pk)
    outcome.finished = finish(edition)
    logger.info("Edition %s: %s", edition_id, outcome)
    return outcome


def revive(edition_id):
    """Take the lease of a "sending" edition that no live worker holds, and put the messages its
    dead workers left "sending" back to be sent again: how many were, or None if the lease was
    not free (a live worker renews it, or the edition is not sending).

    A message whose worker died MAX_ATTEMPTS times is failed instead: one that kills its worker
    must not kill them all.
    """
    now = timezone.now()
    with transaction.atomic():
        revived = NewsletterEdition.objects.filter(
            Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now),
            pk=edition_id,
            status=NewsletterEdition.Status.SENDING,
        ).update(lease_expires_at=now + LEASE)
        if not revived:
            return None
        # Rows claimed since, by a run that found the lease alive, are not a dead worker's.
        return Delivery.objects.filter(
            edition=edition_id, status=Status.SENDING, claimed_at__lt=now
        ).update(
            status=Case(
                When(attempts__gte=settings.NEWSLETTER["MAX_ATTEMPTS"], then=Value(Status.FAILED)),
                default=Value(Status.PENDING),
            ),
            last_error=INTERRUPTED,
        )


def renew_leases():
    """Push back the leases of the editions this process is sending: its worker is alive."""
    if editions := list(_editions_in_progress):
        NewsletterEdition.objects.filter(
            pk__in=editions, status=NewsletterEdition.Status.SENDING
        ).update(lease_expires_at=timezone.now() + LEASE)


def stalled_editions():
    """Editions being sent whose lease has expired: no live worker is sending them."""
    return NewsletterEdition.objects.filter(
        status=NewsletterEdition.Status.SENDING, lease_expires_at__lt=timezone.now()
    )


def create_deliveries(edition):
    """One delivery per confirmed subscriber the edition is for (``recipients``); existing ones
    are kept as they are."""
    subscriber_ids = recipients(edition).values_list("pk", flat=True).order_by("pk")
    chunk = []
    for subscriber_id in subscriber_ids.iterator(chunk_size=2000):
        chunk.append(Delivery(edition=edition, subscriber_id=subscriber_id))
        if len(chunk) == 1000:
            Delivery.objects.bulk_create(chunk, ignore_conflicts=True)
            chunk = []
    Delivery.objects.bulk_create(chunk, ignore_conflicts=True)


def message_id(rendered, delivery):
    """The delivery's Message-ID: the same on every attempt, on the site's domain.

    Derived from the edition and the subscriber, keyed so that it gives nothing away, and read
    back from the row once recorded (a new SECRET_KEY mid-sending does not change it).
    """
    if delivery.message_id:
        return delivery.message_id
    key = f"{delivery.edition_id}.{delivery.subscriber_id}"
    digest = salted_hmac("subscriptions.sending.message_id", key).hexdigest()[:24]
    domain = rendered.message_id_domain.encode("idna").decode("ascii")  # a header is ASCII
    return f"<{rendered.message_id_tag}.{digest}@{domain}>"


def claim(delivery, message_id):
    """Take a pending delivery for this worker: False if another worker has it, or the reader
    is no longer confirmed.

    The conditions on the row's own status are evaluated again by the database on the latest
    version of the row when two workers race (a join would not be), so only one wins.
    """
    still_confirmed = Subscriber.objects.filter(
        pk=delivery.subscriber_id, status=Subscriber.Status.CONFIRMED
    )
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk, status=Status.PENDING, subscriber__in=still_confirmed
        ).update(
            status=Status.SENDING,
            attempts=F("attempts") + 1,
            claimed_at=timezone.now(),
            message_id=message_id,
        )
    )


def finish(edition):
    """Mark the edition sent once no delivery is left to send; whether it is."""
    if Delivery.objects.filter(
        edition=edition, status__in=[Status.PENDING, Status.SENDING]
    ).exists():
        return False
    NewsletterEdition.objects.filter(pk=edition.pk, status=NewsletterEdition.Status.SENDING).update(
        status=NewsletterEdition.Status.SENT, sent_at=timezone.now(), lease_expires_at=None
    )
    return True


def delivery_counts(edition):
    """Deliveries of the edition by status, and how many were given up after interruptions."""
    counts = dict.fromkeys(Delivery.Status.values, 0)
    rows = (
        Delivery.objects.filter(edition=edition)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts.update(rows)
    counts["total"] = sum(counts[status] for status in Delivery.Status.values)
    counts["interrupted"] = Delivery.objects.filter(
        edition=edition, status=Delivery.Status.FAILED, last_error=INTERRUPTED
    ).count()
    return counts


def _deliver(edition, rendered, outcome):
    """Send the pending deliveries in batches, one connection per batch, in passes by id.

    A delivery put back to pending after a failure is retried in the next pass, not at once.
    """
    pending = Delivery.objects.filter(edition=edition, status=Status.PENDING)
    batch_size = settings.NEWSLETTER["BATCH_SIZE"]
    cursor, claimed_in_pass = 0, 0
    while True:
        _drop_unsubscribed(edition)
        batch = list(
            pending.filter(pk__gt=cursor).select_related("subscriber").order_by("pk")[:batch_size]
        )
        if not batch:
            if not claimed_in_pass or not pending.exists():
                return
            cursor, claimed_in_pass = 0, 0  # another pass, for the retries
            continue
        cursor, claimed = _send_batch(rendered, batch, outcome)
        claimed_in_pass += claimed


def _drop_unsubscribed(edition):
    # A reader who unsubscribed (or whose address was disabled) since the deliveries were made
    # is no longer owed this edition.
    Delivery.objects.filter(edition=edition, status=Status.PENDING).exclude(
        subscriber__status=Subscriber.Status.CONFIRMED
    ).delete()


def _send_batch(rendered, batch, outcome):
    """Send ``batch`` over one connection; returns the last delivery handled and claims made.

    A broken connection ends the batch early; the rest is picked up by the next batch, on a
    new connection.
    """
    max_attempts = settings.NEWSLETTER["MAX_ATTEMPTS"]
    connection = _open_connection()
    cursor = claimed = 0
    try:
        for delivery in batch:
            cursor = delivery.pk
            delivery_message_id = message_id(rendered, delivery)
            if not claim(delivery, delivery_message_id):
                continue
            claimed += 1
            error = _send(connection, rendered, delivery.subscriber, delivery_message_id)
            if error is None:
                Delivery.objects.filter(pk=delivery.pk).update(
                    status=Status.SENT, sent_at=timezone.now(), last_error=""
                )
                outcome.sent += 1
                continue
            _record_failure(delivery, error, max_attempts, outcome)
            if _connection_broken(error):
                break
    finally:
        _close(connection)
    return cursor, claimed


def _send(connection, rendered, subscriber, message_id):
    """Hand one message to the backend; the exception if it was not accepted, else None."""
    try:
        message = rendered.message(
            to=subscriber.email,
            unsubscribe_url=mailing.unsubscribe_url(subscriber),
            message_id=message_id,
        )
        if connection.send_messages([message]) != 1:
            raise RuntimeError("the e-mail backend did not send the message")
    except Exception as error:
        return error
    return None


def _record_failure(delivery, error, max_attempts, outcome):
    logger.warning("Delivery %s failed: %r", delivery.pk, error)
    # ``attempts`` was raised by the claim; the database decides on its current value.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Case(
            When(attempts__gte=max_attempts, then=Value(Status.FAILED)),
            default=Value(Status.PENDING),
        ),
        last_error=f"{type(error).__name__}: {error}"[:1000],
    )
    if Delivery.objects.filter(pk=delivery.pk, status=Status.FAILED).exists():
        outcome.failed += 1
    else:
        outcome.retried += 1


def _connection_broken(error):
    """Whether ``error`` means the connection is unusable, rather than this message refused."""
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(error, smtplib.SMTPResponseException) and error.smtp_code == 421:
        return True  # "service not available, closing transmission channel"
    # Socket errors and timeouts; SMTPException also derives from OSError.
    return isinstance(error, OSError) and not isinstance(error, smtplib.SMTPException)


def _open_connection():
    for attempt in range(OPEN_ATTEMPTS):
        connection = mail.get_connection()
        try:
            connection.open()
        except Exception as error:
            if attempt == OPEN_ATTEMPTS - 1:
                raise MailServerUnreachable(error) from error
            logger.warning("Could not connect to the mail server; trying again.", exc_info=True)
            time.sleep(OPEN_RETRY_DELAY * 2**attempt)
        else:
            return connection


def _close(connection):
    try:
        connection.close()
    except Exception:
        logger.warning("Error while closing the mail connection.", exc_info=True)


def _stop_empty(edition):
    """No article of the edition is published any more: send nothing, and tell the editors."""
    if Delivery.objects.filter(edition=edition).exclude(status=Status.PENDING).exists():
        # Paused until an editor resumes it: no lease, so no worker restarts it meanwhile.
        NewsletterEdition.objects.filter(pk=edition.pk).update(lease_expires_at=None)
        logger.error("Edition %s has no published article left; sending paused.", edition.pk)
        return
    NewsletterEdition.objects.filter(pk=edition.pk).update(
        status=NewsletterEdition.Status.DRAFT, lease_expires_at=None
    )
    logger.error("Edition %s has no published article; put back to draft.", edition.pk)
