"""Newsletter signup with double opt-in: requests and the e-mails that confirm them."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Category
from subscriptions import mailing
from subscriptions.models import Subscriber


def request_subscription(*, email, section_ids, consent_text, source_page):
    """Record a signup and send the confirmation e-mail, if one is due.

    Run by the worker (subscriptions.tasks.request_subscription): the signup form answers the
    same, after the same work, whatever happens here, so that nobody can learn whether an
    address is known. A known address gets at most one e-mail per RESEND_PERIOD. The e-mail is
    sent inside the transaction: if it cannot be sent, nothing of the signup is kept.
    """
    now = timezone.now()
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
        if subscriber is None:
            try:
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(
                        email=email,
                        consent_text=consent_text,
                        consent_at=now,
                        source_page=source_page[:500],
                    )
            except IntegrityError:
                # A concurrent signup of the same address won the race; that row is ours too.
                subscriber = Subscriber.objects.select_for_update().get(email=email)
        if subscriber.status == Subscriber.Status.CONFIRMED:
            return
        if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            subscriber.status = Subscriber.Status.PENDING
        subscriber.consent_text, subscriber.consent_at = consent_text, now
        subscriber.source_page = source_page[:500]
        due = _take_email_slot(subscriber, now)
        subscriber.save()
        subscriber.sections.set(Category.objects.filter(pk__in=section_ids, parent__isnull=True))
        if due:
            mailing.send_confirmation(subscriber)


def _take_email_slot(subscriber, now):
    """Whether a confirmation e-mail may go to this address now; if so, note that it does."""
    resend_after = timedelta(seconds=settings.NEWSLETTER["RESEND_PERIOD"])
    if subscriber.last_email_at is not None and subscriber.last_email_at + resend_after > now:
        return False
    subscriber.last_email_at = now
    return True


def resend_confirmation(subscriber_id):
    """A new confirmation link, for a reader whose link expired (once per period)."""
    with transaction.atomic():
        subscriber = (
            Subscriber.objects.select_for_update()
            .filter(pk=subscriber_id, status=Subscriber.Status.PENDING)
            .first()
        )
        if subscriber is not None and _take_email_slot(subscriber, timezone.now()):
            subscriber.save(update_fields=["last_email_at"])
            mailing.send_confirmation(subscriber)
