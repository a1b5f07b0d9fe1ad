"""Send a newsletter edition to generated subscribers through a local SMTP sink, and time it.

The sink (aiosmtpd on loopback) runs in a process of its own, as a real mail server would, and
accepts every message; the figure is the sending loop's: ledger writes, message building, SMTP.
``--workers N`` runs N sending processes at once, as N ``db_worker`` processes would share an
edition. The generated rows are marked (their own e-mail domain, slug prefix) and deleted at the
end.
"""

import asyncio
import contextlib
import logging
import multiprocessing
import socket
import time
from dataclasses import asdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.test.utils import override_settings
from django.utils import timezone

from articles.models import Article, Category
from subscriptions import sending
from subscriptions.models import EditionArticle, NewsletterEdition, Subscriber

MARK = "bench-newsletter"
EMAIL_DOMAIN = f"{MARK}.invalid"


class CountingSink:
    """An aiosmtpd handler that accepts and counts messages and the connections they came by."""

    def __init__(self, messages, connection_count):
        self.messages, self.connection_count = messages, connection_count
        self.peers = set()

    async def handle_DATA(self, server, session, envelope):
        with self.messages.get_lock():
            self.messages.value += 1
        if session.peer not in self.peers:
            self.peers.add(session.peer)
            with self.connection_count.get_lock():
                self.connection_count.value += 1
        return "250 Message accepted for delivery"


def run_sink(port, messages, connection_count, ready):
    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command
    handler = CountingSink(messages, connection_count)
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(asyncio.Event().wait())  # until terminated


def run_worker(edition_id, results):
    """One sending process, like one ``db_worker`` taking its share of the edition."""
    try:
        results.put(asdict(sending.send_edition(edition_id)))
    except Exception as error:
        results.put({"error": repr(error)})
    finally:
        connections.close_all()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Command(BaseCommand):
    help = "Time the sending of a newsletter edition to generated subscribers (local SMTP sink)."

    def add_arguments(self, parser):
        parser.add_argument("--subscribers", type=int, default=10_000)
        parser.add_argument("--articles", type=int, default=6)
        parser.add_argument(
            "--batch-size", type=int, default=None, help="Default: NEWSLETTER['BATCH_SIZE']."
        )
        parser.add_argument("--workers", type=int, default=1, help="Sending processes.")

    def handle(self, *, subscribers, articles, batch_size, workers, **options):
        if Subscriber.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists():
            self.stdout.write("Removing the rows a previous interrupted run left.")
            self.clean_up()
        if settings.DEBUG:
            self.stderr.write("DEBUG is on: every query is logged, which slows the figures.")
        batch_size = batch_size or settings.NEWSLETTER["BATCH_SIZE"]

        context = multiprocessing.get_context("fork")
        messages, sink_connections = context.Value("l", 0), context.Value("l", 0)
        ready, port = context.Event(), free_port()
        sink = context.Process(
            target=run_sink, args=(port, messages, sink_connections, ready), daemon=True
        )
        sink.start()
        try:
            if not ready.wait(10):
                raise CommandError("The SMTP sink did not start.")
            started = time.perf_counter()
            edition = self.generate(subscribers, articles)
            generated = time.perf_counter() - started
            smtp = {
                "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": port,
                "EMAIL_HOST_USER": "",
                "EMAIL_HOST_PASSWORD": "",
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": False,
                "EMAIL_TIMEOUT": 30,
                "NEWSLETTER": {**settings.NEWSLETTER, "BATCH_SIZE": batch_size},
            }
            with override_settings(**smtp):
                started = time.perf_counter()
                outcome = self.send(edition, workers, context)
                elapsed = time.perf_counter() - started
        finally:
            sink.terminate()
            sink.join(5)
            self.clean_up()

        self.stdout.write(
            f"Database: {connection.vendor} · batch size {batch_size} · {workers} worker(s) · "
            f"{subscribers} subscribers generated in {generated:.1f} s"
        )
        self.stdout.write(
            f"Sent {outcome['sent']} messages ({messages.value} received by the sink, over "
            f"{sink_connections.value} connections; {outcome['failed']} failed, "
            f"{outcome['retried']} retried) in {elapsed:.1f} s: "
            f"{outcome['sent'] / elapsed:.0f} messages/second"
        )
        if messages.value != subscribers or outcome["sent"] != subscribers:
            raise CommandError("Not every subscriber got exactly one message.")

    def send(self, edition, workers, context):
        if workers == 1:
            return asdict(sending.send_edition(edition.pk))
        connections.close_all()  # each process opens its own
        results = context.Queue()
        processes = [
            context.Process(target=run_worker, args=(edition.pk, results)) for _ in range(workers)
        ]
        for process in processes:
            process.start()
        outcomes = [results.get(timeout=3600) for _ in processes]
        for process in processes:
            process.join()
        if errors := [o["error"] for o in outcomes if "error" in o]:
            raise CommandError(f"A sending process failed: {errors}")
        return {key: sum(o[key] for o in outcomes) for key in outcomes[0]}

    def generate(self, count, article_count):
        now = timezone.now()
        section = Category.objects.create(name="Bench newsletter", slug=f"{MARK}-section")
        stories = [
            Article.objects.create(
                title=f"Article de banc d’essai numéro {n}",
                slug=f"{MARK}-{n}",
                kicker="Essai",
                lead="Un chapô d’une longueur habituelle, pour que le message ait une taille "
                "réaliste : deux phrases, une trentaine de mots en tout, comme en une.",
                body="<p>Jamais envoyé.</p>",
                category=section,
                status=Article.Status.PUBLISHED,
                published_at=now,
                access=Article.Access.SUBSCRIBERS if n % 3 == 0 else Article.Access.FREE,
            )
            for n in range(article_count)
        ]
        edition = NewsletterEdition.objects.create(
            subject=f"[{MARK}] La lettre", intro="Bonjour,\n\nVoici l’essentiel de la semaine."
        )
        EditionArticle.objects.bulk_create(
            EditionArticle(edition=edition, article=article, position=n)
            for n, article in enumerate(stories)
        )
        Subscriber.objects.bulk_create(
            (
                Subscriber(
                    email=f"lecteur{n}@{EMAIL_DOMAIN}",
                    status=Subscriber.Status.CONFIRMED,
                    consent_text=MARK,
                    consent_at=now,
                    confirmed_at=now,
                    source_page=MARK,
                )
                for n in range(count)
            ),
            batch_size=1000,
        )
        edition.status = NewsletterEdition.Status.SENDING
        edition.save(update_fields=["status"])
        return edition

    def clean_up(self):
        NewsletterEdition.objects.filter(subject__startswith=f"[{MARK}]").delete()  # + deliveries
        Subscriber.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
        Article.objects.filter(slug__startswith=f"{MARK}-").delete()
        Category.objects.filter(slug=f"{MARK}-section").delete()
