"""Serve the site with gunicorn over generated articles and measure it against the ceiling.

See docs/PERFORMANCE.md for what is measured, how, and the figures of the last run.
"""

import contextlib
import functools
import json
import math
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import django
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.paginator import Paginator
from django.db import OperationalError, connection
from django.utils import timezone

from articles import search
from articles.models import Article
from benchmark import content, load

# The words of the rotating search scenario: topics, places and a very common word.
SEARCH_SCENARIO_WORDS = [
    "retraites", "climat", "Marseille", "nucléaire", "logement", "Bruxelles", "syndicats",
    "intelligence artificielle",
]  # fmt: skip
# Search latency is measured over three kinds of query, reported apart: a tag's topic, place or
# organisation (each in about 1 % of articles, like most readers' queries), words of the
# newsroom's everyday vocabulary (in 10 to 60 % of articles), and two-word queries.
SEARCH_WORDS = {
    "topic": [
        "retraites", "inflation", "logement", "climat", "nucléaire", "éolien", "chômage",
        "immigration", "cybersécurité", "cinéma", "rugby", "cyclisme", "biodiversité",
        "sécheresse", "vaccins", "laïcité", "grèves", "urbanisme", "archéologie", "tourisme",
        "Marseille", "Bretagne", "Bruxelles", "Kyiv", "Dakar", "Strasbourg", "SNCF", "Insee",
        "Medef", "Unesco",
    ],
    "common": [
        "gouvernement", "ministre", "syndicats", "réforme", "budget", "rapport", "emplois",
        "négociations", "critiques", "habitants",
    ],
    "two words": [
        "réforme retraites", "budget logement", "syndicats SNCF", "ministre climat",
        "intelligence artificielle",
    ],
}  # fmt: skip
PAGES = ("article", "home", "section", "search")
MODES = ("cached", "uncached")
# The reference of every ratio: Django alone (benchmark/bare_settings.py) through a gunicorn of
# its own with the site's worker settings; and the ceiling, the same page through the site's
# whole stack (its settings and middleware), which tells the stack's share from the pages'.
BARE_PATH = "/bench/nu/"
CEILING_PATH = "/bench/plafond/"
# What each page must reach, as a share of the bare view's requests a second (issue #13).
TARGETS = {
    ("article", "cached"): 0.8,
    ("home", "cached"): 0.8,
    ("article", "uncached"): 0.10,
    ("home", "uncached"): 0.06,
    ("section", "uncached"): 0.06,
}
# Signed-in readers get the kept page of their paywall decision, after their session is read.
SIGNED_IN_PAGES = ("article", "home")
# Search results are never kept in the page cache (any text would make a new page): the
# anonymous run of the search page builds it on every request too.
NEVER_KEPT = {"search"}


class Command(BaseCommand):
    help = (
        "Benchmark the reader's pages with gunicorn and wrk against a no-work ceiling page, "
        "on PostgreSQL (DATABASE_URL), and print a Markdown table."
    )

    def add_arguments(self, parser):
        add = parser.add_argument
        add("--count", type=int, default=10_000, help="Generated articles to serve (10 000).")
        add("--reuse", action="store_true", help="Keep the generated articles if --count match.")
        add("--duration", type=int, default=15, help="Seconds of each measured run (15).")
        add("--warmup", type=int, default=3, help="Seconds of warm-up before each run (3).")
        add("--connections", type=int, default=8, help="Concurrent connections (8).")
        add("--workers", type=int, default=2, help="gunicorn workers (2).")
        add("--threads", type=int, default=4, help="Threads per gthread worker (4).")
        add(
            "--worker-class",
            default="gthread",
            choices=["gthread", "sync"],
            help="gthread (the default: keep-alive, threads) or sync (the README's production "
            "command: a connection per request).",
        )
        add(
            "--archive",
            default="old",
            choices=content.ARCHIVES,
            help="Generated data: old (ten years, no front-page story: the default) or recent "
            "(a year, one story in 500 on the front page).",
        )
        add(
            "--pages",
            default=",".join(PAGES),
            help=f"Pages to measure, comma-separated ({','.join(PAGES)}).",
        )
        add("--no-ceiling", action="store_true", help="Measure against the bare view only.")
        add("--no-in-process", action="store_true", help="Skip the one-process timings.")
        add("--article-urls", type=int, default=500, help="Article URLs to rotate over (500).")
        add("--no-redis", action="store_true", help="Use the local-memory cache, not Redis.")
        add("--load-tool", default="auto", choices=["auto", "wrk", "python"])
        add("--allow-sqlite", action="store_true", help="Run on SQLite anyway (not comparable).")
        add("--search-count", type=int, default=0, help="Also time search on this many articles.")
        add("--search-only", action="store_true", help="Only the search latency measure.")
        add("--search-rounds", type=int, default=5, help="Times each search word is timed (5).")
        add("--profile", metavar="DIR", help="Write pyinstrument and py-spy profiles of the page.")
        add("--output", metavar="FILE", help="Also write the report (Markdown) to FILE.")

    def handle(self, *args, **options):
        self.options = options
        self.pages = tuple(name.strip() for name in options["pages"].split(",") if name.strip())
        if not self.pages or not set(self.pages) <= set(PAGES):
            raise CommandError(f"--pages: a comma-separated choice of {', '.join(PAGES)}.")
        self.lines = []  # the report, printed and written at the end
        self._check_database()
        if options["load_tool"] == "wrk" and not load.wrk_available():
            raise CommandError("wrk is not installed (apt-get install -y wrk).")
        self.use_wrk = options["load_tool"] != "python" and load.wrk_available()
        previous = signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
        try:
            with self._redis() as redis_url:
                self.env = self._server_env(redis_url)
                self._run()
        finally:
            signal.signal(signal.SIGTERM, previous)
        self.stdout.write("\n" + self._write_report())

    def _write_report(self):
        """The report so far, also written to --output (a late failure loses nothing)."""
        report = "\n".join(self.lines) + "\n"
        if self.options["output"]:
            Path(self.options["output"]).write_text(report, encoding="utf-8")
        return report

    # Set-up

    def _check_database(self):
        if connection.vendor != "postgresql" and not self.options["allow_sqlite"]:
            raise CommandError(
                "The benchmark runs on PostgreSQL: set DATABASE_URL, e.g. "
                "DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench "
                "(SQLite serialises writers and is not what production runs; "
                "--allow-sqlite runs it anyway)."
            )
        try:
            connection.ensure_connection()
        except OperationalError as error:
            if connection.vendor != "postgresql" or "does not exist" not in str(error):
                raise
            self._create_postgresql_database()
        self._say("Migrating the benchmark database…")
        call_command("migrate", interactive=False, verbosity=0)

    def _create_postgresql_database(self):
        import psycopg
        from psycopg import sql

        params = connection.get_connection_params()
        name = params.pop("dbname")
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**{**params, "dbname": "postgres"}, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self._say(f"Created the database {name}.")

    @contextlib.contextmanager
    def _redis(self):
        """A redis-server of the run's own, on a free port, empty and without persistence,
        stopped at the end: the benchmark never writes to a Redis that serves anything else.
        Yields its URL, or None (local memory) with --no-redis or without redis-server."""
        self.cache_label = "local memory (one cache per worker)"
        binary = shutil.which("redis-server")
        if self.options["no_redis"] or binary is None:
            if binary is None:
                self.cache_label += "; Redis not used: redis-server is not installed"
            yield None
            return
        import redis

        port = _free_port()
        url = f"redis://127.0.0.1:{port}/0"
        with tempfile.TemporaryDirectory(prefix="bench-redis-") as directory:
            server = subprocess.Popen(
                [
                    binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--dir", directory,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # stopped below, not by the terminal's Ctrl-C
            )  # fmt: skip
            try:
                deadline = time.monotonic() + 30
                while True:
                    try:
                        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
                        break
                    except redis.RedisError:
                        if server.poll() is not None or time.monotonic() > deadline:
                            raise CommandError("redis-server did not start.") from None
                        time.sleep(0.1)
                version = redis.Redis.from_url(url).info("server")["redis_version"]
                self.cache_label = f"Redis {version} of the run's own (127.0.0.1:{port})"
                self._say(f"Started redis-server on 127.0.0.1:{port}.")
                yield url
            finally:
                server.terminate()
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(timeout=10)
                self._say("redis-server stopped.")

    def _server_env(self, redis_url):
        """The environment of gunicorn and of the helper commands: production settings, local."""
        return {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),  # throwaway, for this run only
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "NEWSROOM_BENCHMARK": "1",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "newsroom.settings",
            "CACHE_URL": redis_url or "locmemcache://bench",
        }

    def _manage(self, *args, timeout):
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode:
            raise CommandError(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
        return done.stdout

    def _generate(self, count, *, clear):
        """Run generate_articles as a reader would; returns its own timing line."""
        args = ["generate_articles", f"--count={count}", f"--archive={self.options['archive']}"]
        args += ["--clear"] if clear else []
        started = time.perf_counter()
        output = self._manage(*args, timeout=3600)
        wall = time.perf_counter() - started
        match = re.search(r"Generated (\d+) articles in ([\d.]+) s \(([\d.]+) s", output)
        seconds, images = (float(match[2]), float(match[3])) if match else (wall, 0.0)
        return seconds, images, wall

    # The run

    def _run(self):
        options = self.options
        self._header()
        if not options["search_only"]:
            existing = content.generated_articles().count()
            archive = content.archive_of(content.generated_articles())
            if options["reuse"] and existing == options["count"] and archive == options["archive"]:
                self.load = None
                self._say(f"Reusing the {existing} generated articles ({archive} archive).")
            else:
                self._say(f"Generating {options['count']} articles (after --clear)…")
                self.load = self._generate(options["count"], clear=True)
                self._say(f"  {self.load[0]:.1f} s (images {self.load[1]:.1f} s)")
        self._say("Collecting static files…")
        self._manage("collectstatic", "--noinput", timeout=300)
        # "Uncached" pages are those of staff, whom the page cache lets through; "signed-in"
        # ones a reader's. The sessions are made with the server's settings (its secret key
        # signs them).
        keys = self._manage(
            "shell",
            "-c",
            "from benchmark.content import reader_session, uncached_session; "
            "print(uncached_session(), reader_session())",
            timeout=60,
        ).split()[-2:]
        self.sessions = {
            mode: {"Cookie": f"{settings.SESSION_COOKIE_NAME}={key}"}
            for mode, key in zip(("uncached", "signed-in"), keys, strict=True)
        }
        bare_env = {**self.env, "DJANGO_SETTINGS_MODULE": "benchmark.bare_settings"}
        bare_app = "django.core.wsgi:get_wsgi_application()"
        with (
            self._gunicorn("newsroom.wsgi:application", self.env, CEILING_PATH) as base_url,
            self._gunicorn(bare_app, bare_env, BARE_PATH) as bare_url,
        ):
            self.base_url, self.bare_url = base_url, bare_url
            if not options["search_only"]:
                self._page_benchmarks()
            if options["search_count"] or options["search_only"]:
                self._search_latency(options["search_count"] or options["count"])
                self._write_report()
            if options["profile"] and not options["search_only"]:
                try:
                    self._pyinstrument(self.profile_paths)
                except (subprocess.SubprocessError, OSError) as error:
                    self._say(f"The pyinstrument profile failed ({type(error).__name__}).")

    def _header(self):
        cpu = "unknown CPU"
        with contextlib.suppress(OSError):
            cpu = re.search(
                r"model name\s*:\s*(.*)", Path("/proc/cpuinfo").read_text(encoding="utf-8")
            )[1]
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT 1")
            database = str(cursor.fetchone()[0]).split(" on ")[0]
        o = self.options
        gunicorn_mode = f"{o['workers']} {o['worker_class']} workers" + (
            f" × {o['threads']} threads" if o["worker_class"] == "gthread" else ""
        )
        tool = "wrk" if self.use_wrk else "Python asyncio client (wrk missing)"
        load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
        self.lines += [
            f"Run of {timezone.localtime():%Y-%m-%d %H:%M} on {platform.node()}: "
            f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"Django {django.get_version()}, {database}.",
            f"gunicorn: {gunicorn_mode}; cache: {self.cache_label}; load: {tool}, "
            f"{o['connections']} connections, {o['warmup']} s warm-up + {o['duration']} s.",
            f"Data: {o['count']} generated articles, {o['archive']} archive "
            f"({content.ARCHIVES[o['archive']]}).",
            f"Load average before the run (1 / 5 / 15 min): {load}.",
            "",
        ]

    @contextlib.contextmanager
    def _gunicorn(self, app, env, ready_path):
        """gunicorn serving ``app`` with ``env``, once ``ready_path`` answers; yields its URL."""
        port = _free_port()
        command = gunicorn_command(app, port, self.options)
        # Closed in the finally clause below, once gunicorn has stopped writing to it.
        log = tempfile.NamedTemporaryFile("w+", prefix="bench-gunicorn-", suffix=".log")  # noqa: SIM115
        self._say(f"Starting gunicorn ({app}) on 127.0.0.1:{port}…")
        server = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as one below
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while _status(base_url + ready_path) != 200:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise CommandError(f"gunicorn did not start:\n{log.read()[-3000:]}")
                time.sleep(0.3)
            if app.startswith("newsroom."):
                self.server = server  # the site's, for py-spy
            yield base_url
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=10)
            log.close()
            self._say("gunicorn stopped.")

    def _load(self, paths, *, seconds, headers=None, base_url=None):
        o = self.options
        driver = load.run_wrk if self.use_wrk else load.run_python_load
        return driver(
            base_url or self.base_url,
            paths,
            seconds=seconds,
            connections=o["connections"],
            headers=headers,
        )

    def _measure(self, label, paths, mode, base_url=None):
        if label in NEVER_KEPT and mode == "uncached":
            mode = "signed-in"  # never kept for anyone: a reader's search, as before
        headers = self.sessions.get(mode)
        reference = label in ("bare", "ceiling")
        warmup = min(self.options["warmup"], 3) if reference else self.options["warmup"]
        if warmup:
            self._load(paths, seconds=warmup, headers=headers, base_url=base_url)
        result = self._load(
            paths, seconds=self.options["duration"], headers=headers, base_url=base_url
        )
        self._say(
            f"  {label:<9} {mode:<9} {result.rps:8.1f} req/s  p50 {result.p50_ms:7.1f} ms  "
            f"p99 {result.p99_ms:7.1f} ms  errors {result.errors}"
        )
        return result

    def _page_benchmarks(self):
        paths = {name: urls for name, urls in self._paths().items() if name in self.pages}
        self._say("Checking and warming every URL…")
        sizes = self._warm({"article": self._paths()["article"], **paths})
        self._say("Average sizes: " + ", ".join(f"{n} {b} bytes" for n, b in sizes.items()))
        # Each page against the references at its own size (a home page is twice an article's),
        # measured just before and just after it: on a shared machine the load drifts.
        results, around = {}, {}
        for name in self.pages:
            references = {"bare": (self.bare_url, [f"{BARE_PATH}?bytes={sizes[name]}"])}
            if not self.options["no_ceiling"]:
                references["ceiling"] = (self.base_url, [f"{CEILING_PATH}?bytes={sizes[name]}"])
            before = self._references(references)
            for mode in _modes(name):
                if self.options["profile"] and (name, mode) == ("article", "uncached"):
                    with self._py_spy():
                        results[name, mode] = self._measure(name, paths[name], mode)
                else:
                    results[name, mode] = self._measure(name, paths[name], mode)
            around[name] = (before, self._references(references))
        self._table(results, around, sizes)
        if not self.options["no_in_process"]:
            pages = {**paths, "article": self._paths()["article"][:30]}
            self._page_times(pages, f"{CEILING_PATH}?bytes={sizes['article']}")
            self._build_times(pages["article"])
        self._write_report()
        self.profile_paths = self._paths()["article"][:30]

    def _references(self, references):
        """One run of each reference page: {name: LoadResult}."""
        return {
            name: self._measure(name, paths, "cached", base_url)
            for name, (base_url, paths) in references.items()
        }

    @functools.cached_property
    def _article_paths(self):
        articles = list(
            Article.objects.published()
            .filter(slug__startswith=content.PREFIX)
            .select_related("category")
            .order_by("?")[: self.options["article_urls"]]
        )
        if not articles:
            raise CommandError("No generated article to benchmark.")
        return articles

    def _paths(self):
        articles = self._article_paths
        section = articles[0].category.breadcrumb()[0]
        return {
            "article": [article.get_absolute_url() for article in articles],
            "home": ["/"],
            "section": [section.get_absolute_url()],
            "search": [f"/recherche/?q={quote(word)}" for word in SEARCH_SCENARIO_WORDS],
        }

    def _warm(self, paths):
        """Fetch every URL once (this fills the page cache) and check that each answers 200."""
        sizes = {}
        with ThreadPoolExecutor(4) as pool:
            for name, urls in paths.items():
                answers = list(pool.map(lambda path: _fetch(self.base_url + path), urls))
                bad = [
                    (url, status)
                    for url, (status, _size) in zip(urls, answers, strict=True)
                    if status != 200
                ]
                if bad:
                    raise CommandError(f"Not every {name} URL answers 200: {bad[:5]}")
                sizes[name] = round(sum(size for _status, size in answers) / len(answers))
        return sizes

    def _table(self, results, around, sizes):
        """``around``: {page: (references before it, references after it)}."""
        if self.load:
            seconds, images, wall = self.load
            self.lines.append(
                f"Loading {self.options['count']} articles: {seconds:.1f} s "
                f"({images:.1f} s of it drawing the images, made once and then reused; "
                f"{wall:.1f} s for the whole command, which first deletes the previous run's "
                "articles).\n"
            )
        names = list(next(iter(around.values()))[0])
        for name in names:
            runs = "; ".join(
                f"{page} ({sizes[page]} bytes) "
                + ", ".join(f"{references[name].rps:.0f}" for references in around[page])
                for page in self.pages
            )
            what = {
                "bare": "Django alone (no middleware, no template, no database) through a "
                "gunicorn of its own with the same worker settings",
                "ceiling": "the same through the site's gunicorn, settings and middleware",
            }[name]
            self.lines.append(
                f"{name.capitalize()}: a fixed page of each page's average size, {what}: "
                f"{runs} req/s."
            )
        self.lines += [
            "Each page's ratios are to the mean of the reference runs, at its size, just "
            "before and just after it.",
            "",
            "| Page | Cache | Requests/s | Bare (req/s) | × bare |"
            + "".join(f" × {name} |" for name in names[1:])
            + " p50 (ms) | p99 (ms) | Errors |",
            "|---|---|---:|---:|---:|" + "---:|" * (len(names) + 2),
        ]
        ratios = {}
        for name in self.pages:
            reference = {ref: sum(run[ref].rps for run in around[name]) / 2 for ref in names}
            for mode in _modes(name):
                result = results[name, mode]
                ratios[name, mode] = result.rps / reference["bare"]
                cache = "anonymous, not kept" if name in NEVER_KEPT and mode == "cached" else mode
                others = "".join(f" {result.rps / reference[ref]:.3f} |" for ref in names[1:])
                self.lines.append(
                    f"| {name} | {cache} | {result.rps:.0f} | {reference['bare']:.0f} | "
                    f"{ratios[name, mode]:.3f} |{others} {result.p50_ms:.1f} | "
                    f"{result.p99_ms:.1f} | {result.errors} |"
                )
        load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
        self.lines += [f"\nLoad average after the page runs: {load}.", ""]
        for (name, mode), target in TARGETS.items():
            if (name, mode) in ratios:
                ratio = ratios[name, mode]
                self.lines.append(
                    f"Target, {mode} {name} ≥ {target} × bare: {ratio:.3f} — "
                    f"{'met' if ratio >= target else 'NOT met'}."
                )
        if self.load:
            self.lines.append(
                f"Target, {self.options['count']} articles loaded in < 2 min: {self.load[0]:.1f} s"
                f" — {'met' if self.load[0] < 120 else 'NOT met'}."
            )
        self.lines.append("")

    # Search latency

    def _search_latency(self, count):
        existing = content.generated_articles().count()
        if existing < count:
            self._say(f"Adding {count - existing} articles for the search measure…")
            seconds, _images, _wall = self._generate(count - existing, clear=False)
            self._say(f"  {seconds:.1f} s")
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE articles_article")
        total = Article.objects.published().count()
        rounds = self.options["search_rounds"]
        query_times, page_times, matches = {}, {}, {}
        for words in SEARCH_WORDS.values():
            for word in words:
                matches[word] = _search_once(word)[1]  # warms PostgreSQL's buffers too
                _fetch(f"{self.base_url}/recherche/?q={quote(word)}", self.sessions["signed-in"])
        for _round in range(rounds):
            for kind, words in SEARCH_WORDS.items():
                for word in words:
                    query_times.setdefault(kind, []).append(_search_once(word)[0])
                    started = time.perf_counter()
                    url = f"{self.base_url}/recherche/?q={quote(word)}"
                    status, _size = _fetch(url, self.sessions["signed-in"])
                    page_times.setdefault(kind, []).append(time.perf_counter() - started)
                    if status != 200:
                        raise CommandError(f"The search page answered {status} for {word!r}.")
        everything = {"all": [t for times in query_times.values() for t in times]}
        every_page = {"all": [t for times in page_times.values() for t in times]}
        self.lines += [
            f"Search on {total} published articles: each query {rounds} times, one at a time; "
            "the query is what the search page runs (count + first page with its snippets), the "
            "page is the whole uncached request through gunicorn.",
            "",
            "| Queries | Words | Articles matched (median) | Query p50 (ms) | Query p95 (ms) "
            "| Page p50 (ms) | Page p95 (ms) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for kind, times in {**query_times, **everything}.items():
            words = [w for k, ws in SEARCH_WORDS.items() if kind in (k, "all") for w in ws]
            q = load.summary(times)
            p = load.summary({**page_times, **every_page}[kind])
            median_matches = sorted(matches[w] for w in words)[len(words) // 2]
            self.lines.append(
                f"| {kind} | {len(words)} | {median_matches} | {q['p50'] * 1000:.1f} | "
                f"{q['p95'] * 1000:.1f} | {p['p50'] * 1000:.1f} | {p['p95'] * 1000:.1f} |"
            )
        page_p95 = load.summary(every_page["all"])["p95"] * 1000
        query_p95 = load.summary(everything["all"])["p95"] * 1000
        self.lines += [
            "",
            f"Target, search p95 ≤ 50 ms on {total} articles: query {query_p95:.1f} ms, page "
            f"{page_p95:.1f} ms — {'met' if page_p95 <= 50 else 'NOT met'} (page).",
            "",
        ]
        slowest = Counter({w: matches[w] for w in matches}).most_common(3)
        self.lines.append(
            "Most matched words: " + ", ".join(f"{w} ({n})" for w, n in slowest) + ".\n"
        )

    # Profiles

    @contextlib.contextmanager
    def _py_spy(self):
        """Sample the gunicorn workers with py-spy while the uncached article page is driven."""
        py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        workers = subprocess.run(
            ["pgrep", "-P", str(self.server.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        out = Path(self.options["profile"])
        out.mkdir(parents=True, exist_ok=True)
        seconds = self.options["warmup"] + self.options["duration"]
        spies = []
        if Path(py_spy).exists():
            for pid in workers:
                command = [
                    py_spy, "record", "--pid", pid, "--duration", str(seconds), "--rate", "200",
                    "--format", "raw", "--output", str(out / f"py-spy-worker-{pid}.txt"),
                ]  # fmt: skip
                spies.append(
                    subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                )
        try:
            yield
        finally:
            for spy in spies:
                try:
                    spy.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    spy.kill()
        stacks = list(out.glob("py-spy-worker-*.txt"))
        if stacks:
            (out / "py-spy-summary.txt").write_text(_summarise_collapsed(stacks), encoding="utf-8")
            self._say(f"py-spy profiles in {out}/ (summary: py-spy-summary.txt)")

    def _in_process(self, call):
        """Run ``call`` (Python source, a call of a ``benchmark.load`` function) in a process
        with the server's settings; returns what it returns (JSON)."""
        script = (
            "import django, json; django.setup()\n"
            "from benchmark import load\n"
            f"print(json.dumps(load.{call}))\n"
        )
        env = {**self.env, "ALLOWED_HOSTS": "127.0.0.1,testserver"}
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=settings.BASE_DIR, env=env, check=True, timeout=900, capture_output=True,
            text=True,
        )  # fmt: skip
        return json.loads(done.stdout.splitlines()[-1])

    def _page_times(self, pages, ceiling, rounds=5, requests=30):
        """Every page in one process, one request at a time, in turns with the ceiling."""
        self._say("Timing the pages in one process…")
        times = self._in_process(
            f"time_pages({pages!r}, {ceiling!r}, rounds={rounds}, requests={requests})"
        )
        self.lines += [
            f"In one process, one request at a time, every page in turn ({rounds} rounds of "
            f"{requests} requests each; medians): what a request costs against the ceiling "
            "page, less swayed by the machine's load than the runs above.",
            "",
            "| Page | Cache | ms per request | × ceiling's time |",
            "|---|---|---:|---:|",
        ]
        for run, milliseconds in times.items():
            name, mode = run.split()
            cache = "anonymous, not kept" if name in NEVER_KEPT and mode == "cached" else mode
            ratio = milliseconds / times["ceiling cached"]
            self.lines.append(f"| {name} | {cache} | {milliseconds:.2f} | {ratio:.1f} |")
        self.lines.append("")

    def _build_times(self, paths):
        """The uncached article page in one process, warm and cold (benchmark.load.time_builds)."""
        times = self._in_process(f"time_builds({paths!r})")
        self.lines += [
            f"In one process, one request at a time ({len(paths)} article pages, signed in): "
            f"{times['warm']:.1f} ms per uncached article page (median), {times['cold']:.1f} ms "
            "when every request follows a publication (a new content version: the related "
            "stories, the latest list, the cards and the menus are all built again).",
            "",
        ]

    def _pyinstrument(self, paths):
        """Profile the uncached article page in one process, through the full WSGI stack."""
        out = Path(self.options["profile"]).resolve()
        script = (
            "import django; django.setup()\n"
            "from benchmark.load import profile_pages\n"
            f"profile_pages({paths!r}, {str(out)!r})\n"
        )
        env = {**self.env, "ALLOWED_HOSTS": "127.0.0.1,testserver"}
        subprocess.run(
            [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, check=True, timeout=600
        )
        self._say(f"pyinstrument profile in {out}/pyinstrument.txt and .html")

    def _say(self, message):
        self.stderr.write(message)


def _modes(page):
    return (*MODES, "signed-in") if page in SIGNED_IN_PAGES else MODES


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, 0


def _status(url):
    try:
        return _fetch(url)[0]
    except OSError:
        return None


def _search_once(word):
    """What the search view asks the database for: the count, then the first page."""
    started = time.perf_counter()
    query = search.clean_query(word)
    page = Paginator(search.search_articles(query), 20).get_page(1)
    for article in page.object_list:
        article.snippet = search.snippet(article, query)
    return time.perf_counter() - started, page.paginator.count


def _summarise_collapsed(files, top=40):
    """Where the requests' sampled time went, inclusive and self, from py-spy's raw output.

    Only stacks inside Django's WSGI handler count: the rest is idle threads and gunicorn's
    event loop waiting for connections.
    """
    inclusive, own, total = Counter(), Counter(), 0
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            stack, _sep, count = line.rpartition(" ")
            if "WSGIHandler.__call__" not in stack:
                continue
            frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
            samples = int(count)
            total += samples
            for frame in set(frames):
                inclusive[frame] += samples
            own[frames[-1]] += samples
    lines = [f"{total} samples in requests", "", "Inclusive:"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top)]
    lines += ["", "Self:"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    return "\n".join(lines) + "\n"


def gunicorn_command(app, port, options):
    """The command serving ``app`` on ``port`` with the run's workers."""
    command = [
        sys.executable, "-m", "gunicorn", app,
        "--bind", f"127.0.0.1:{port}", "--workers", str(options["workers"]),
        "--worker-class", options["worker_class"],
        "--log-level", "warning", "--timeout", "60",
    ]  # fmt: skip
    # Always said, one for sync: gunicorn runs a sync worker given threads as a gthread one,
    # and would take them from GUNICORN_CMD_ARGS or a gunicorn.conf.py otherwise.
    threads = options["threads"] if options["worker_class"] == "gthread" else 1
    command += ["--threads", str(threads)]
    if options["worker_class"] == "gthread":
        # A gthread worker accepts every connection it can; one worker could take most of
        # the load tool's keep-alive connections and leave the other core idle, a different
        # share in every run. Capping each worker's share spreads them evenly.
        share = math.ceil(options["connections"] / options["workers"])
        command += ["--worker-connections", str(share)]
    return command
