"""Redis as an accelerator the site can lose: the cache backend of production (CACHE_URL=redis://…).

When Redis cannot answer, reads miss and writes are dropped, so pages are built from the
database: slower, correct. ``incr`` has no honest answer to give and raises
``CacheUnreachable`` (the rate limits then count in the process).

After a failure the process leaves Redis alone for ``retry_after`` seconds (5 by default), so
an outage costs one timeout per process every few seconds, not one per request; it logs one
warning when the outage starts and one line when it ends. Keys it failed to write meanwhile may
hold old values in Redis (a rate-limit window since restarted): they are deleted before the
first answer Redis gives again is used. Nothing whose loss would show a reader stale content
depends on Redis: pages are kept under the content version, which lives in the database
(pagecache/versions.py); sessions are never kept in Redis.
"""

import logging
import threading
import time

from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Keys whose write was lost, remembered for deletion at recovery; past this many the whole
# cache is emptied instead (everything in it can be rebuilt).
LOST_WRITES_KEPT = 10_000


class CacheUnreachable(Exception):
    """The shared cache could not be reached; raised where no default answer is honest."""


class _Outage:
    """What a process knows of one Redis server's health, shared by its threads."""

    def __init__(self, retry_after):
        self.retry_after = retry_after
        self.since = None  # when the current outage started, None while Redis answers
        self.retry_at = 0.0
        self.lost_writes = set()
        self.lost_track = False  # more lost writes than could be remembered
        self.lock = threading.Lock()

    def skips(self):
        return self.since is not None and time.monotonic() < self.retry_at

    def failed(self, error, written):
        with self.lock:
            if self.since is None:
                self.since = time.monotonic()
                logger.warning(
                    "Cache unreachable (%s): pages are built from the database until it "
                    "answers again; next try in %s s.",
                    error,
                    self.retry_after,
                )
            self.retry_at = time.monotonic() + self.retry_after
        self.lose(written)

    def lose(self, written):
        with self.lock:
            if len(self.lost_writes) + len(written) > LOST_WRITES_KEPT:
                self.lost_track = True
                self.lost_writes.clear()
            elif not self.lost_track:
                self.lost_writes.update(written)


_outages = {}
_outages_lock = threading.Lock()


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, retry_after=5, **options):
        super().__init__(servers, **options)
        with _outages_lock:
            self._outage = _outages.setdefault(tuple(servers), _Outage(retry_after))
        self._clients = {}  # {connection pool: its client}

    def get_client(self, key=None, *, write=False):
        """The client of the server to ask, made once per server: redis-py's clients are
        thread-safe, and making one (with its table of reply parsers) for every call, as
        Django does, cost more than a small read."""
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    def _call(self, operation, *args, default=None, written=()):
        """``operation(*args)``, or ``default`` when Redis cannot answer."""
        outage = self._outage
        if outage.skips():
            outage.lose(written)
            return default
        try:
            if outage.since is not None:
                self._recover()
            return operation(*args)
        except RedisError as error:
            outage.failed(error, written)
            return default

    def _recover(self):
        outage = self._outage
        with outage.lock:
            if outage.since is None:  # another thread recovered first
                return
            lost, lost_track = list(outage.lost_writes), outage.lost_track
            if lost_track:
                super().clear()
            elif lost:
                super().delete_many(lost)
            logger.warning(
                "Cache reachable again after %.0f s; %s.",
                time.monotonic() - outage.since,
                "emptied, too many writes were lost"
                if lost_track
                else f"{len(lost)} keys written meanwhile deleted",
            )
            outage.since, outage.lost_writes, outage.lost_track = None, set(), False

    def add(self, key, value, timeout):
        return self._call(super().add, key, value, timeout, default=False, written=[key])

    def get(self, key, default):
        return self._call(super().get, key, default, default=default)

    def set(self, key, value, timeout):
        self._call(super().set, key, value, timeout, written=[key])

    def touch(self, key, timeout):
        return self._call(super().touch, key, timeout, default=False, written=[key])

    def delete(self, key):
        return self._call(super().delete, key, default=False, written=[key])

    def get_many(self, keys):
        return self._call(super().get_many, keys, default={})

    def has_key(self, key):
        return self._call(super().has_key, key, default=False)

    def incr(self, key, delta):
        unreachable = object()
        count = self._call(super().incr, key, delta, default=unreachable, written=[key])
        if count is unreachable:
            raise CacheUnreachable
        return count

    def set_many(self, data, timeout):
        self._call(super().set_many, data, timeout, written=list(data))

    def delete_many(self, keys):
        self._call(super().delete_many, keys, written=list(keys))

    def clear(self):
        return self._call(super().clear, default=False)


class ResilientRedisCache(RedisCache):
    """Django's Redis cache backend that answers without Redis (see the module's docstring).

    OPTIONS: ``retry_after`` (seconds without trying Redis after a failure), and those of
    redis-py's connection pool (``socket_connect_timeout``, ``socket_timeout``…).
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient

    @property
    def reachable(self):
        """Whether Redis answered when last asked."""
        return self._cache._outage.since is None


def is_reachable(cache):
    """Whether ``cache`` answered when last asked (a cache in the process's memory always does)."""
    return getattr(cache, "reachable", True)


def is_shared(cache):
    """Whether every process of the deployment sees what ``cache`` holds (not so for a cache in
    each process's memory)."""
    return not isinstance(cache, LocMemCache | DummyCache)
