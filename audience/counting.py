"""Views of stories, counted on the server: which requests count, and where the counts wait
until the worker writes them, a row per story and hour (``ArticleViews``).

A view costs no database write. With a shared cache (Redis, ``CACHE_URL=redis://…``) it is one
``HINCRBY`` in a hash every process shares; the worker drains the hash every
``AUDIENCE["FLUSH_INTERVAL"]`` seconds (``flush_views``, queued by the first view after a
flush). With each process's own cache (the default), the process keeps its counts in memory
and, ``FLUSH_INTERVAL`` seconds after the first one, hands them to the worker in one task
(``record_views``). Either way, a story read ten thousand times an hour costs one upsert per
flush. Counts waiting in a process's memory are lost if it dies: an audience figure, not a
ledger.
"""

import logging
import re
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections, transaction
from django.utils import timezone
from django_tasks import task

from audience import ranking
from audience.models import ArticleViews, hour_of
from newsroom.cache import CacheUnreachable, is_shared

logger = logging.getLogger(__name__)

# Crawlers, link previews, monitors and HTTP libraries: their requests are not readers'.
BOTS = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|monitor|"
    r"lighthouse|pingdom|curl|wget|python|httpx|java/|go-http|okhttp|headless",
    re.IGNORECASE,
)


# Who counts ------------------------------------------------------------------------------------


def is_same_origin(request):
    """The request comes from a page of this site: ``Sec-Fetch-Site`` says so, or, from a
    browser that does not send it, ``Origin`` is the site's own."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    if not origin:
        return False
    own = {_origin(request.build_absolute_uri("/")), _origin(settings.NEWSROOM_SITE_URL)}
    return origin in own | set(settings.CSRF_TRUSTED_ORIGINS)


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def is_prefetch(request):
    """A page fetched ahead of the reader (prefetch, prerender): not a view until shown."""
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    return "prefetch" in purpose or "prerender" in purpose or "X-Moz" in request.headers


def is_bot(request):
    agent = request.headers.get("User-Agent", "")
    return not agent or BOTS.search(agent) is not None


def counts(request):
    """Whether the request is a reader's view: not a bot's, not a prefetch, not staff's."""
    if is_bot(request) or is_prefetch(request):
        return False
    user = getattr(request, "user", None)  # read only when the request has a session cookie
    return not (user is not None and user.is_staff)


def within_rate(address):
    """At most ``AUDIENCE["RATE_PER_IP"]`` counted requests per address and period, counted
    in the cache (shared with Redis, per process otherwise; never in the database)."""
    period = settings.AUDIENCE["RATE_PERIOD"]
    window = int(timezone.now().timestamp() // period)
    key = f"audience:rate:{address}:{window}"
    try:
        cache.add(key, 0, timeout=period)
        hits = cache.incr(key)
    except (ValueError, CacheUnreachable):  # expired meanwhile, or Redis away: let it through
        return True
    return hits <= settings.AUDIENCE["RATE_PER_IP"]


# Where counts wait --------------------------------------------------------------------------


def _interval():
    return settings.AUDIENCE["FLUSH_INTERVAL"]


class ProcessCounts:
    """{(article id, hour): views} in this process's memory, handed to the worker in one task
    ``FLUSH_INTERVAL`` seconds after the first view it holds."""

    def __init__(self):
        self.counts = Counter()
        self.lock = threading.Lock()
        self.timer = None

    def add(self, article_id, hour):
        with self.lock:
            self.counts[(article_id, hour)] += 1
            if self.timer is None and _interval() is not None:
                self.timer = threading.Timer(_interval(), self._send_from_timer)
                self.timer.daemon = True
                self.timer.start()

    def take(self):
        with self.lock:
            counts, self.counts = self.counts, Counter()
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
        return counts

    def send(self):
        """Hand the counts held to the worker (``record_views``); returns how many views."""
        counts = self.take()
        if counts:
            record_views.enqueue(_serialise(counts))
        return sum(counts.values())

    def _send_from_timer(self):
        try:
            self.send()
        except Exception:
            logger.exception("Could not hand the counted views to the worker")
        finally:
            connections.close_all()  # this thread's own connections: it ends here


class SharedCounts:
    """Counts in one Redis hash, field ``<article id>:<hour timestamp>``; drained by the
    worker (``drain``). While Redis is unreachable, the process keeps them (``ProcessCounts``)."""

    def __init__(self, fallback):
        self.fallback = fallback

    def _key(self, name):
        return cache.make_key(f"audience:views:{name}")

    def _redis(self, operation, default=None):
        backend = cache._cache  # ResilientRedisCacheClient: its outage handling applies
        return backend._call(lambda: operation(backend.get_client(write=True)), default=default)

    def add(self, article_id, hour):
        field = f"{article_id}:{int(hour.timestamp())}"
        done = self._redis(lambda redis: redis.hincrby(self._key("pending"), field, 1))
        if done is None:
            self.fallback.add(article_id, hour)
            return
        # The first view after a flush queues the next one (one task per interval).
        if cache.add("audience:flush-queued", 1, timeout=_interval() or 60):
            queue_flush(_interval())

    def drain(self, apply):
        """``apply(counts)`` to what waits in Redis; removed once applied. A batch whose
        application failed is applied first next time. One drain at a time: two would apply
        the same batch twice."""
        if not cache.add("audience:drain-lock", 1, timeout=300):
            return Counter()
        try:
            return self._drain(apply)
        finally:
            cache.delete("audience:drain-lock")

    def _drain(self, apply):
        pending, flushing = self._key("pending"), self._key("flushing")

        def claim(redis):
            if not redis.exists(flushing) and redis.exists(pending):
                redis.rename(pending, flushing)
            return redis.hgetall(flushing)

        fields = self._redis(claim, default={})
        counts = Counter()
        for field, views in fields.items():
            article_id, _, stamp = field.decode().partition(":")
            hour = datetime.fromtimestamp(int(stamp), tz=UTC)
            counts[(int(article_id), hour)] += int(views)
        if counts:
            apply(counts)
            self._redis(lambda redis: redis.delete(flushing))
        return counts


PROCESS = ProcessCounts()


def store():
    if is_shared(cache) and hasattr(cache._cache, "_call"):
        return SharedCounts(PROCESS)
    return PROCESS


def count(article_id, now=None):
    """One view of ``article_id``, now."""
    store().add(article_id, hour_of(now or timezone.now()))


# Writing them --------------------------------------------------------------------------------


def _serialise(counts):
    return [[article_id, hour.isoformat(), views] for (article_id, hour), views in counts.items()]


def deserialise(rows):
    return Counter(
        {
            (int(article_id), datetime.fromisoformat(hour)): int(views)
            for article_id, hour, views in rows
        }
    )


def write(counts):
    """Add ``counts`` to ``ArticleViews``: one upsert, a row per story and hour. Counts of a
    story deleted meanwhile are dropped."""
    from articles.models import Article

    existing = set(
        Article.objects.filter(pk__in={pk for pk, _hour in counts}).values_list("pk", flat=True)
    )
    rows = [(pk, hour, views) for (pk, hour), views in counts.items() if pk in existing]
    if not rows:
        return 0
    table = connection.ops.quote_name(ArticleViews._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (article_id, hour, views) VALUES (%s, %s, %s) "
            f"ON CONFLICT (article_id, hour) DO UPDATE SET views = {table}.views + excluded.views",
            [(pk, adapt(hour), views) for pk, hour, views in sorted(rows)],
        )
    return len(rows)


def flush():
    """What waits in the shared cache, written to the database."""
    current = store()
    if isinstance(current, SharedCounts):
        current.drain(write)


# The worker's tasks (``manage.py db_worker``) -----------------------------------------------


@task()
def record_views(rows):
    """Views a process counted in its memory (``ProcessCounts``), then the ranking of « Les
    plus lus » refreshed."""
    write(deserialise(rows))
    ranking.refresh_if_due()


@task()
def flush_views():
    """Views counted in the shared cache (``SharedCounts``), then the ranking refreshed."""
    flush()
    ranking.refresh_if_due()


def queue_flush(delay):
    """Ask the worker to flush in ``delay`` seconds (at once if the task backend cannot wait)."""
    run = flush_views
    if delay and run.get_backend().supports_defer:
        run = run.using(run_after=timezone.now() + timedelta(seconds=delay))
    try:
        run.enqueue()
    except Exception:  # the counts wait in the cache for the next flush
        logger.exception("Could not queue a flush of the counted views")
