"""Sending an edition: once per confirmed subscriber, resumable after a crash, bounded retries."""

import email
import re
import smtplib
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
from django_tasks_db.models import DBTaskResult

from subscriptions import links, sending, tasks
from subscriptions.models import Delivery, EditionArticle, NewsletterEdition, Subscriber
from subscriptions.tasks import send_edition
from tests.factories import ArticleFactory
from tests.services import free_port
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
        assert links.subscriber_from_unsubscribe(token).email == message.to[0]
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

    assert sending.claim(delivery, "<a@example.fr>") is True
    assert sending.claim(stale_copy, "<a@example.fr>") is False
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


def message_ids(address):
    return [m.extra_headers["Message-ID"] for m in mail.outbox if m.to == [address]]


def test_the_message_in_flight_when_a_worker_dies_is_sent_again_with_the_same_message_id(
    settings, edition, subscribers
):
    use_backend(settings, DyingBackend, when="after", limit=3, delivered=0)
    with pytest.raises(WorkerKilled):
        sending.send_edition(edition.pk)  # the server accepted message 3, then the worker died
    assert statuses(edition) == {"sent": 2, "sending": 1, "pending": 2}
    in_flight = Delivery.objects.get(status="sending")

    # Restarted at once: the dead worker's lease has not expired yet, nothing is resumed.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tasks.resume_stalled_editions()
    assert len(mail.outbox) == 3

    with time_machine.travel(timezone.now() + sending.LEASE + timedelta(seconds=1)):
        tasks.resume_stalled_editions()

    assert statuses(edition) == {"sent": 5}
    address = in_flight.subscriber.email
    assert recipients() == Counter({s.email: 1 for s in subscribers} | {address: 2})
    assert message_ids(address) == [in_flight.message_id] * 2  # the copy is recognisable
    assert len({m.extra_headers["Message-ID"] for m in mail.outbox}) == 5
    edition.refresh_from_db()
    assert edition.status == NewsletterEdition.Status.SENT


def test_a_message_lost_with_its_worker_is_sent_again_not_skipped(settings, edition, subscribers):
    use_backend(settings, DyingBackend, when="before", limit=3, delivered=0)
    with pytest.raises(WorkerKilled):
        sending.send_edition(edition.pk)  # died handing over message 4: the server never got it
    lost = Delivery.objects.get(status="sending")

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(timezone.now() + sending.LEASE + timedelta(seconds=1)):
        outcome = sending.send_edition(edition.pk)

    assert (outcome.interrupted, outcome.sent, outcome.finished) == (1, 2, True)
    assert recipients() == Counter(s.email for s in subscribers)  # each once: none lost
    lost.refresh_from_db()
    assert (lost.status, lost.attempts, lost.last_error) == ("sent", 2, "")


def test_a_run_beside_a_live_worker_shares_the_edition_and_leaves_its_message_alone(
    settings, edition, subscribers
):
    sending.create_deliveries(edition)
    other = Delivery.objects.filter(edition=edition).first()
    sending.claim(other, "<autre@example.fr>")  # a live worker is sending this one
    NewsletterEdition.objects.filter(pk=edition.pk).update(
        lease_expires_at=timezone.now() + sending.LEASE
    )

    outcome = sending.send_edition(edition.pk)

    assert (outcome.sent, outcome.interrupted, outcome.finished) == (4, 0, False)
    assert other.subscriber.email not in recipients()
    assert statuses(edition) == {"sent": 4, "sending": 1}


def test_a_message_that_kills_its_worker_every_time_is_given_up_and_reported(
    settings, edition, subscribers
):
    use_backend(settings, DyingBackend, when="before", limit=0, delivered=0)
    later = timezone.now()
    for _attempt in range(settings.NEWSLETTER["MAX_ATTEMPTS"]):
        with time_machine.travel(later), pytest.raises(WorkerKilled):
            sending.send_edition(edition.pk)
        later += sending.LEASE + timedelta(seconds=1)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(later):
        outcome = sending.send_edition(edition.pk)

    assert (outcome.sent, outcome.finished) == (4, True)
    (given_up,) = Delivery.objects.filter(status=Delivery.Status.FAILED)
    assert (given_up.attempts, given_up.last_error) == (3, sending.INTERRUPTED)
    assert sending.delivery_counts(edition)["interrupted"] == 1


def test_a_worker_resumes_a_stalled_edition_once_and_marks_its_dead_run_failed(
    settings, edition, subscribers
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    dead = DBTaskResult.objects.get(pk=send_edition.enqueue(edition.pk).id)
    dead.claim("worker-killed")  # taken by a worker that died before renewing the lease
    NewsletterEdition.objects.filter(pk=edition.pk).update(lease_expires_at=timezone.now())
    # A run just taken has a lease's time to claim its edition: only then is it dead.
    expired = timezone.now() + sending.LEASE + timedelta(seconds=1)

    with time_machine.travel(expired):
        tasks.resume_stalled_editions()
        tasks.resume_stalled_editions()  # a second worker's check: nothing more to do

    dead.refresh_from_db()
    assert dead.status == TaskResultStatus.FAILED
    assert dead.exception_class_path == "subscriptions.tasks.WorkerLost"
    (resumed,) = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    assert resumed.args_kwargs["args"] == [edition.pk]


def test_an_edition_waiting_in_the_queue_is_not_queued_twice(settings, edition, subscribers):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    edition.status = NewsletterEdition.Status.DRAFT
    edition.save()
    tasks.start_sending(edition)  # the worker is busy, or down

    with time_machine.travel(timezone.now() + timedelta(minutes=5)):
        tasks.resume_stalled_editions()

    assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1


def test_a_paused_edition_waits_for_an_editor(settings, edition, subscribers):
    Delivery.objects.create(edition=edition, subscriber=subscribers[0], status="sent")
    EditionArticle.objects.filter(edition=edition).update(article=ArticleFactory(draft=True))
    sending.send_edition(edition.pk)  # no published article left: paused

    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        tasks.resume_stalled_editions()

    assert mail.outbox == []
    edition.refresh_from_db()
    assert (edition.status, edition.lease_expires_at) == ("sending", None)


def test_the_message_id_is_stable_per_subscriber_and_on_the_site_domain(
    settings, edition, subscribers
):
    settings.NEWSROOM_SITE_URL = "https://www.example.fr"
    sending.send_edition(edition.pk)

    for delivery in Delivery.objects.filter(edition=edition).select_related("subscriber"):
        assert message_ids(delivery.subscriber.email) == [delivery.message_id]
        assert re.fullmatch(
            rf"<edition{edition.pk}\.[0-9a-f]{{24}}@www\.example\.fr>", delivery.message_id
        )


def test_a_site_domain_with_accents_gives_an_ascii_message_id(settings, edition, subscribers):
    settings.NEWSROOM_SITE_URL = "https://www.lécho-du-midi.fr"
    use_backend(settings, CountingBackend)

    sending.send_edition(edition.pk)

    for message in mail.outbox:
        header = message.message()["Message-ID"]
        assert header.endswith("@www.xn--lcho-du-midi-beb.fr>"), header


def test_the_sending_loop_costs_two_queries_per_message(
    settings, edition, subscribers, django_assert_num_queries
):
    settings.NEWSLETTER = {**settings.NEWSLETTER, "BATCH_SIZE": 200}
    # Per run: the lease (4, in a savepoint), the edition and its articles (2), the deliveries
    # (2), one batch (2), the empty second batch and the checks that end the run (4), "sent" (1).
    with django_assert_num_queries(15 + 2 * len(subscribers)):  # per message: claim, "sent"
        sending.send_edition(edition.pk)
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
    # Tried again a minute later, not at every beat of the workers' heartbeat.
    assert edition.lease_expires_at >= timezone.now() + sending.MAIL_RETRY_AFTER - timedelta(
        seconds=5
    )
    assert not sending.stalled_editions().exists()


# A real SMTP server on loopback --------------------------------------------------------------


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


def test_a_run_just_taken_by_a_worker_is_left_to_claim_its_edition(settings, edition, subscribers):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    run = DBTaskResult.objects.get(pk=send_edition.enqueue(edition.pk).id)
    run.claim("worker-busy")  # taken, its edition's lease not yet claimed (a loaded machine)
    NewsletterEdition.objects.filter(pk=edition.pk).update(lease_expires_at=timezone.now())

    with time_machine.travel(timezone.now() + timedelta(seconds=3)):
        tasks.resume_stalled_editions()

    run.refresh_from_db()
    assert run.status == TaskResultStatus.RUNNING
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
