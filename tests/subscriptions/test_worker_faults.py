"""The newsletter worker under faults, as in production: real ``manage.py db_worker`` processes,
a PostgreSQL database of their own, a real (slowed) SMTP server; a worker killed with SIGKILL,
and the database made unreachable under a running worker.

Whatever DATABASE_URL the suite runs with, these tests use PostgreSQL at 127.0.0.1:5432: the
outage is made there, the way it happens (the server refuses connections and drops its sessions).
"""

import asyncio
import email
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import policy

import psycopg
import pytest
from aiosmtpd.controller import Controller

from tests import services

SUBSCRIBERS = 30

SEED = f"""
from tests.factories import ArticleFactory
from tests.subscriptions.factories import SubscriberFactory
ArticleFactory()
SubscriberFactory.create_batch({SUBSCRIBERS}, confirmed=True)
"""
START_EDITION = """
from articles.models import Article
from subscriptions import tasks
from subscriptions.models import EditionArticle, NewsletterEdition
edition = NewsletterEdition.objects.create(subject="La lettre du soir")
EditionArticle.objects.create(edition=edition, article=Article.objects.get(), position=0)
tasks.start_sending(edition)
print(edition.pk)
"""


class FaultDatabase:
    """A database of its own on the shared PostgreSQL server, for worker processes and the test."""

    def __init__(self, url, logs):
        self.url, self.logs = url, logs
        self.env = services.production_env(
            ALLOWED_HOSTS="www.example.fr",
            SITE_URL="https://www.example.fr",
            DATABASE_URL=url,
            NEWSLETTER_BATCH_SIZE="10",
            LOG_LEVEL="INFO",  # the worker's "Lost the database" line is asserted on
        )

    def query(self, statement, *params):
        with psycopg.connect(self.url) as connection:
            return connection.execute(statement, params).fetchall()

    def manage(self, *args):
        return services.manage(self.env, *args)

    def start_edition(self, smtp_port):
        self.env["EMAIL_URL"] = f"smtp://127.0.0.1:{smtp_port}"
        return int(self.manage("shell", "--no-imports", "-c", START_EDITION).strip())

    def worker(self, name):
        log = (self.logs / f"{name}.log").open("w")
        return subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"],
            cwd=services.REPO_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def log(self, name):
        return (self.logs / f"{name}.log").read_text()

    def edition_status(self, edition_id):
        return self.query(
            "SELECT status FROM subscriptions_newsletteredition WHERE id = %s", edition_id
        )[0][0]

    def deliveries(self, edition_id):
        return self.query(
            "SELECT s.email, d.status, d.message_id FROM subscriptions_delivery d "
            "JOIN subscriptions_subscriber s ON s.id = d.subscriber_id WHERE d.edition_id = %s",
            edition_id,
        )

    def task_statuses(self, edition_id):
        rows = self.query(
            "SELECT status FROM django_tasks_database_dbtaskresult "
            "WHERE args_kwargs -> 'args' ->> 0 = %s",
            str(edition_id),
        )
        return Counter(status for (status,) in rows)

    def cut_off(self, seconds):
        """Make the database unreachable for ``seconds``: no new connection, every session cut."""
        services.cut_off_database(self.url, allowed=False)
        try:
            time.sleep(seconds)
        finally:
            services.cut_off_database(self.url, allowed=True)


@pytest.fixture(scope="module")
def fault_database(tmp_path_factory):
    with services.throwaway_database(prefix="newsroom_fault_worker") as url:
        database = FaultDatabase(url, tmp_path_factory.mktemp("worker-logs"))
        database.manage("migrate", "--noinput")
        database.manage("shell", "--no-imports", "-c", SEED)
        yield database


class SlowSink:
    """Records each message as it arrives, then takes ``delay`` seconds to acknowledge it, so a
    worker stopped then has a message in flight. ``reached`` is set at message ``signal_at``."""

    def __init__(self, delay, signal_at):
        self.delay, self.signal_at = delay, signal_at
        self.received = []  # (arrival on time.monotonic(), To, Message-ID)
        self.reached = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((time.monotonic(), message["To"], message["Message-ID"]))
        if len(self.received) == self.signal_at:
            self.reached.set()
        await asyncio.sleep(self.delay)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_sink():
    sinks = []

    def start(delay, signal_at):
        sink = SlowSink(delay, signal_at)
        controller = Controller(sink, hostname="127.0.0.1", port=services.free_port())
        controller.start()
        sinks.append(controller)
        return sink, controller.port

    yield start
    for controller in sinks:
        controller.stop()


def wait_for(condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def stop(worker):
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def assert_everyone_got_it_once_but_the_message_in_flight(database, edition_id, sink, in_flight):
    """Each subscriber received the edition; a copy only of ``in_flight``, with its Message-ID."""
    deliveries = database.deliveries(edition_id)
    assert {status for _email, status, _id in deliveries} == {"sent"}
    assert len(deliveries) == SUBSCRIBERS
    received = Counter((to, message_id) for _at, to, message_id in sink.received)
    assert set(received) == {(email, message_id) for email, _status, message_id in deliveries}
    copies = {message for message, count in received.items() if count > 1}
    assert copies <= {in_flight}
    assert max(received.values()) <= 2


def test_a_worker_killed_mid_edition_is_taken_over_within_a_minute_of_its_restart(
    fault_database, smtp_sink
):
    # Slow enough that the restarted run outlives a lease: its heartbeat must keep it.
    kill_at = 4
    sink, port = smtp_sink(delay=0.5, signal_at=kill_at)
    edition_id = fault_database.start_edition(port)
    first = fault_database.worker("killed")
    try:
        assert sink.reached.wait(60), fault_database.log("killed")
        first.send_signal(signal.SIGKILL)  # mid-send: message 4 is received, not acknowledged
        first.wait()
    finally:
        stop(first)
    in_flight = sink.received[kill_at - 1][1:]

    restarted_at = time.monotonic()
    second = fault_database.worker("restarted")
    try:
        finished = wait_for(lambda: fault_database.edition_status(edition_id) == "sent", 90)
        assert finished, fault_database.log("restarted")
    finally:
        stop(second)

    resumed_after = min(at for at, _to, _id in sink.received if at > restarted_at) - restarted_at
    assert resumed_after < 60  # the requirement; by design about LEASE + HEARTBEAT + startup
    assert_everyone_got_it_once_but_the_message_in_flight(
        fault_database, edition_id, sink, in_flight
    )
    assert Counter(received[1:] for received in sink.received)[in_flight] == 2
    # The killed run is marked failed in the queue, not left "running" for ever; one run resumed
    # the edition, and the heartbeat kept it: no further takeover of a live run.
    assert fault_database.task_statuses(edition_id) == {"FAILED": 1, "SUCCESSFUL": 1}


def test_the_worker_outlives_a_database_outage_and_finishes_the_edition(fault_database, smtp_sink):
    sink, port = smtp_sink(delay=0.2, signal_at=5)
    edition_id = fault_database.start_edition(port)
    worker = fault_database.worker("outage")
    try:
        assert sink.reached.wait(60), fault_database.log("outage")
        fault_database.cut_off(seconds=12)
        assert worker.poll() is None, fault_database.log("outage")

        finished = wait_for(lambda: fault_database.edition_status(edition_id) == "sent", 60)
        assert finished, fault_database.log("outage")
        assert worker.poll() is None  # the same process all along
    finally:
        stop(worker)

    assert "Lost the database" in fault_database.log("outage")
    copies = [m for m, n in Counter(r[1:] for r in sink.received).items() if n > 1]
    in_flight = copies[0] if copies else None
    assert_everyone_got_it_once_but_the_message_in_flight(
        fault_database, edition_id, sink, in_flight
    )
    assert fault_database.task_statuses(edition_id)["RUNNING"] == 0
