"""Sending an edition: once per confirmed subscriber, resumable after a crash, bounded retries."""

import email
import smtplib
import socket
from collections import Counter
from datetime import timedelta
from email import policy
from urllib.parse import urlsplit

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone
from django_tasks import TaskResultStatus

from subscriptions import newsletter, sending
from subscriptions.models import Delivery, EditionArticle, NewsletterEdition, Subscriber
from subscriptions.tasks import send_edition
from tests.factories import ArticleFactory
from tests.subscriptions.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

THIS_MODULE = __name__


class WorkerKilled(BaseException):
    """The worker process dying (SIGKILL, power cut): nothing in the sending loop catches it."""


class DyingBackend(LocmemBackend):
    """Delivers ``limit`` messages, then the worker dies on the next step named by ``when``:

    - "between": when opening the next connection, with no message in hand;
    - "before": while handing over the next message, before the server accepted it;
    - "after": right after the server accepted message number ``limit``, before it is recorded.
    """

    limit = 3
    when = "between"
    delivered = 0
    opened = 0

    def open(self):
        type(self).opened += 1
        if self.when == "between" and type(self).delivered >= self.limit:
            raise WorkerKilled
        return super().open()

    def send_messages(self, messages):
        cls = type(self)
        if self.when == "before" and cls.delivered >= self.limit:
            raise WorkerKilled
        count = super().send_messages(messages)
        cls.delivered += count
        if self.when == "after" and cls.delivered == self.limit:
            raise WorkerKilled
        return count


class CountingBackend(LocmemBackend):
    """Counts the connections opened."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()


class AlwaysFailingBackend(LocmemBackend):
    """Every message is refused by the server; the connection itself stays fine."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"No such user") for m in messages})


class FlakyBackend(LocmemBackend):
    """Refuses each address the first time only; ``disconnect`` makes that a dropped connection."""

    refused = set()
    opened = 0
    disconnect = False

    def open(self):
        type(self).opened += 1
        return super().open()

    def send_messages(self, messages):
        address = messages[0].to[0]
        if address not in self.refused:
            self.refused.add(address)
            if self.disconnect:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            raise smtplib.SMTPDataError(451, b"Try again later")
        return super().send_messages(messages)


class UnsubscribingBackend(LocmemBackend):
    """While the first message goes out, ``leaver`` unsubscribes from the newsletter."""

    leaver = None

    def send_messages(self, messages):
        Subscriber.objects.get(email=self.leaver).unsubscribe()
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def small_batches(settings):
    settings.NEWSLETTER = {**settings.NEWSLETTER, "BATCH_SIZE": 2, "MAX_ATTEMPTS": 3}


@pytest.fixture
def edition():
    edition = NewsletterEdition.objects.create(
        subject="La lettre du mardi", status=NewsletterEdition.Status.SENDING
    )
    EditionArticle.objects.create(edition=edition, article=ArticleFactory(), position=0)
    return edition


@pytest.fixture
def subscribers():
    return SubscriberFactory.create_batch(5, confirmed=True)


def recipients():
    return Counter(address for message in mail.outbox for address in message.to)


def use_backend(settings, backend, **attributes):
    for name, value in attributes.items():
        setattr(backend, name, value)
    settings.EMAIL_BACKEND = f"{THIS_MODULE}.{backend.__name__}"


def statuses(edition):
    return Counter(Delivery.objects.filter(edition=edition).values_list("status", flat=True))


# The normal run ------------------------------------------------------------------------------


def test_one_message_per_confirmed_subscriber_and_none_to_the_others(edition, subscribers):
    pending, unsubscribed = SubscriberFactory(), SubscriberFactory(unsubscribed=True)

    result = send_edition.enqueue(edition.pk)

    assert result.status == TaskResultStatus.SUCCESSFUL
    assert recipients() == Counter(s.email for s in subscribers)
    assert pending.email not in recipients() and unsubscribed.email not in recipients()
    assert statuses(edition) == {Delivery.Status.SENT: 5}
    assert {m.extra_headers["List-Unsubscribe-Post"] for m in mail.outbox} == {
        "List-Unsubscribe=One-Click"
    }
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 5
    edition.refresh_from_db()
    assert edition.status == NewsletterEdition.Status.SENT
    assert edition.sent_at is not None
    assert result.return_value["sent"] == 5 and result.return_value["finished"]


def test_every_subscriber_gets_their_own_unsubscribe_link(edition, subscribers):
    send_edition.enqueue(edition.pk)

    for message in mail.outbox:
        link = message.extra_headers["List-Unsubscribe"].removeprefix("<").removesuffix(">")
        token = urlsplit(link).path.rstrip("/").rsplit("/", 1)[-1]
        assert newsletter.subscriber_from_unsubscribe(token).email == message.to[0]
        assert link in message.body
        assert link in message.alternatives[0][0]


def test_running_again_sends_nothing_more(edition, subscribers):
    send_edition.enqueue(edition.pk)
    SubscriberFactory(confirmed=True)  # confirmed after the edition went out

    send_edition.enqueue(edition.pk)
    sending.send_edition(edition.pk)

    assert len(mail.outbox) == 5
    assert Delivery.objects.count() == 5


def test_a_run_on_a_sending_edition_with_nothing_left_only_closes_it(edition, subscribers):
    for subscriber in subscribers:
        Delivery.objects.create(edition=edition, subscriber=subscriber, status="sent")

    sending.send_edition(edition.pk)

    assert mail.outbox == []
    edition.refresh_from_db()
    assert edition.status == NewsletterEdition.Status.SENT


def test_draft_editions_are_not_sent_by_the_task(edition, subscribers):
    edition.status = NewsletterEdition.Status.DRAFT
    edition.save()

    send_edition.enqueue(edition.pk)

    assert mail.outbox == []
    assert Delivery.objects.count() == 0


def test_deliveries_are_created_once_per_subscriber(edition, subscribers):
    sending.create_deliveries(edition)
    sending.create_deliveries(edition)

    assert Delivery.objects.filter(edition=edition).count() == 5


def test_an_article_unpublished_before_sending_is_left_out(edition, subscribers):
    gone = ArticleFactory(title="Article retiré entre-temps")
    EditionArticle.objects.create(edition=edition, article=gone, position=1)
    gone.status = gone.Status.DRAFT
    gone.save()

    send_edition.enqueue(edition.pk)

    assert len(mail.outbox) == 5
    assert all("Article retiré entre-temps" not in m.body for m in mail.outbox)


def test_an_edition_left_with_no_published_article_goes_back_to_draft(edition, subscribers):
    EditionArticle.objects.filter(edition=edition).update(article=ArticleFactory(draft=True))

    send_edition.enqueue(edition.pk)

    assert mail.outbox == []
    edition.refresh_from_db()
    assert edition.status == NewsletterEdition.Status.DRAFT


def test_one_connection_per_batch(settings, edition, subscribers):
    use_backend(settings, CountingBackend, opened=0)

    sending.send_edition(edition.pk)

    assert len(mail.outbox) == 5
    assert CountingBackend.opened == 3  # batches of 2, 2 and 1


def test_a_subscriber_who_unsubscribes_during_the_sending_is_skipped(
    settings, edition, subscribers
):
    leaver = subscribers[-1]
    use_backend(settings, UnsubscribingBackend, leaver=leaver.email)

    sending.send_edition(edition.pk)

    assert recipients() == Counter(s.email for s in subscribers[:-1])
    assert not Delivery.objects.filter(subscriber=leaver).exists()
    edition.refresh_from_db()
    assert edition.status == NewsletterEdition.Status.SENT


def test_two_workers_never_claim_the_same_delivery(edition, subscribers):
    sending.create_deliveries(edition)
    delivery = Delivery.objects.filter(edition=edition).first()
    stale_copy = Delivery.objects.get(pk=delivery.pk)  # what a second worker read

    assert sending.claim(delivery) is True
    assert sending.claim(stale_copy) is False
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENDING, 1)


# Crashes and resumption ----------------------------------------------------------------------


def test_resume_after_a_crash_between_messages_no_duplicate_and_no_gap(
    settings, edition, subscribers
):
    use_backend(settings, DyingBackend, when="between", limit=2, delivered=0)

    result = send_edition.enqueue(edition.pk)  # the worker dies when opening its 2nd connection

    assert result.status == TaskResultStatus.FAILED
    assert len(mail.outbox) == 2
    assert statuses(edition) == {Delivery.Status.SENT: 2, Delivery.Status.PENDING: 3}

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    send_edition.enqueue(edition.pk)  # the restarted worker

    assert recipients() == Counter(s.email for s in subscribers)  # each exactly once
    assert statuses(edition) == {Delivery.Status.SENT: 5}
    edition.refresh_from_db()
    assert edition.status == NewsletterEdition.Status.SENT


def test_a_message_accepted_just_before_a_crash_is_never_sent_twice(settings, edition, subscribers):
    use_backend(settings, DyingBackend, when="after", limit=3, delivered=0)

    with pytest.raises(WorkerKilled):
        sending.send_edition(edition.pk)

    assert len(mail.outbox) == 3
    assert statuses(edition) == {"sent": 2, "sending": 1, "pending": 2}

    # Restarted at once: the others are sent; the one in doubt is neither resent nor dropped yet.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    outcome = sending.send_edition(edition.pk)
    assert (outcome.sent, outcome.in_flight, outcome.finished) == (2, 1, False)

    # Ten minutes on, the one in doubt is recorded as interrupted, and the edition is done.
    with time_machine.travel(timezone.now() + sending.STALE_AFTER + timedelta(seconds=1)):
        outcome = sending.send_edition(edition.pk)

    assert (outcome.sent, outcome.interrupted, outcome.finished) == (0, 1, True)
    assert recipients() == Counter(s.email for s in subscribers)  # no duplicate, no gap
    assert statuses(edition) == {"sent": 4, "failed": 1}
    assert Delivery.objects.get(status="failed").last_error == sending.INTERRUPTED
    assert sending.delivery_counts(edition)["interrupted"] == 1


def test_a_message_lost_in_a_crash_is_reported_not_silently_skipped(settings, edition, subscribers):
    """The price of never sending twice: a message the worker died handing over is not resent,
    but it is recorded as interrupted, for the editors to see."""
    use_backend(settings, DyingBackend, when="before", limit=3, delivered=0)
    with pytest.raises(WorkerKilled):
        sending.send_edition(edition.pk)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(timezone.now() + sending.STALE_AFTER + timedelta(seconds=1)):
        sending.send_edition(edition.pk)

    (lost,) = Delivery.objects.filter(status=Delivery.Status.FAILED)
    assert lost.last_error == sending.INTERRUPTED
    assert lost.subscriber.email not in recipients()
    assert sum(recipients().values()) == 4 and max(recipients().values()) == 1


def test_each_run_queues_a_later_takeover_in_case_its_worker_dies(settings, edition, subscribers):
    """The database queue never reruns a task whose worker died: a deferred run resumes it."""
    from django_tasks import default_task_backend

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    before = timezone.now()

    send_edition.call(edition.pk)

    (takeover,) = default_task_backend.results
    assert takeover.args == [edition.pk]
    assert takeover.task.run_after >= before + sending.STALE_AFTER
    assert len(mail.outbox) == 5

    # The takeover finds the edition sent: it sends nothing and queues nothing more.
    default_task_backend.clear()
    send_edition.call(edition.pk)
    assert default_task_backend.results == []
    assert len(mail.outbox) == 5


# Failures and retries ------------------------------------------------------------------------


def test_retries_are_bounded_and_failures_recorded(settings, edition, subscribers):
    use_backend(settings, AlwaysFailingBackend)

    outcome = sending.send_edition(edition.pk)

    assert mail.outbox == []
    assert statuses(edition) == {Delivery.Status.FAILED: 5}
    for delivery in Delivery.objects.filter(edition=edition):
        assert delivery.attempts == 3
        assert "SMTPRecipientsRefused" in delivery.last_error
    assert (outcome.retried, outcome.failed, outcome.finished) == (10, 5, True)
    edition.refresh_from_db()
    assert edition.status == NewsletterEdition.Status.SENT  # done, with failures shown


def test_a_temporary_failure_is_retried_and_then_sent_once(settings, edition, subscribers):
    use_backend(settings, FlakyBackend, refused=set(), disconnect=False)

    sending.send_edition(edition.pk)

    assert recipients() == Counter(s.email for s in subscribers)
    assert statuses(edition) == {Delivery.Status.SENT: 5}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {2}
    assert set(Delivery.objects.values_list("last_error", flat=True)) == {""}


def test_a_dropped_connection_ends_the_batch_and_a_new_one_is_opened(
    settings, edition, subscribers
):
    use_backend(settings, FlakyBackend, refused=set(), disconnect=True, opened=0)

    sending.send_edition(edition.pk)

    assert recipients() == Counter(s.email for s in subscribers)
    # Every first attempt drops the connection: 5 connections for them, then 3 for the retries.
    assert FlakyBackend.opened == 8


def test_an_unreachable_server_leaves_the_deliveries_pending(settings, edition, subscribers):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    sending.OPEN_RETRY_DELAY, delay = 0, sending.OPEN_RETRY_DELAY
    try:
        result = send_edition.enqueue(edition.pk)
    finally:
        sending.OPEN_RETRY_DELAY = delay

    assert result.status == TaskResultStatus.FAILED
    assert statuses(edition) == {Delivery.Status.PENDING: 5}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {0}
    edition.refresh_from_db()
    assert edition.status == NewsletterEdition.Status.SENDING


# A real SMTP server on loopback --------------------------------------------------------------


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SinkHandler:
    def __init__(self):
        self.messages = []
        self.connections = set()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.connections.add(session.peer)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    handler = SinkHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    yield handler
    controller.stop()


def test_sending_through_a_real_smtp_server(smtp_server, edition):
    confirmed = SubscriberFactory.create_batch(3, confirmed=True)
    SubscriberFactory()  # pending: nothing for them

    result = send_edition.enqueue(edition.pk)

    assert result.status == TaskResultStatus.SUCCESSFUL
    received = smtp_server.messages
    assert sorted(m["To"] for m in received) == sorted(s.email for s in confirmed)
    for message in received:
        # A long header is folded before the address; unfolded, it is the address in brackets.
        link = message["List-Unsubscribe"].strip()
        assert link.startswith("<http") and link.endswith(">")
        assert "/newsletter/desinscription/" in link
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_body(("plain",)) and message.get_body(("html",))
    assert len({m["Message-ID"] for m in received}) == 3
    assert len(smtp_server.connections) == 2  # batches of 2: one connection each
    assert statuses(edition) == {Delivery.Status.SENT: 3}
