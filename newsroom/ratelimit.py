"""Fixed-window rate limits, counted where every process of the deployment sees them: the
public forms' (subscriptions/views.py) and the reader search's (articles/views.py).

- With a shared cache (Redis, ``CACHE_URL=redis://…``), in the cache: one increment per hit.
- With a cache of each process's own (local memory, the default), in the database
  (``RateLimitWindow``): one upsert per hit, so that gunicorn's workers share their counts.
- While Redis is unreachable each process counts on its own: a limit then allows up to one
  ``limit`` per process, which is still a limit.
"""

import hashlib
import time
from datetime import timedelta

from django.core.cache import cache, caches
from django.db import connection
from django.utils import timezone

from newsroom.cache import CacheUnreachable, is_shared
from subscriptions.models import RateLimitWindow

# Windows counted in this process while the shared cache is unreachable: {key: (ends, hits)}.
_local_windows = {}
LOCAL_WINDOWS_KEPT = 10_000


def allow(key, limit, period):
    """Count one more hit on ``key``; False once ``limit`` hits were made in ``period`` seconds."""
    if not is_shared(caches["default"]):
        return _count_in_database(key, period) <= limit
    cache_key = f"ratelimit:{key}"
    try:
        cache.add(cache_key, 0, timeout=period)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add() and incr()
            cache.set(cache_key, 1, timeout=period)
            count = 1
    except CacheUnreachable:
        count = _count_here(cache_key, period)
    return count <= limit


def _count_in_database(key, period):
    """One more hit on ``key``'s window, started anew if it has ended; the hits in it.

    A single INSERT … ON CONFLICT DO UPDATE … RETURNING (PostgreSQL, SQLite 3.35+): two
    processes counting at once each get their own number. Then the windows that have ended
    are deleted (an indexed range, almost always empty): the table holds the active keys.
    """
    if len(key) > RateLimitWindow._meta.get_field("key").max_length:
        key = hashlib.sha256(key.encode()).hexdigest()
    now = timezone.now()
    field = RateLimitWindow._meta.get_field("expires_at")
    now_db, expires_db = (
        field.get_db_prep_value(moment, connection)
        for moment in (now, now + timedelta(seconds=period))
    )
    quote = connection.ops.quote_name
    table, key_column, hits_column, expires_column = (
        quote(name) for name in (RateLimitWindow._meta.db_table, "key", "hits", "expires_at")
    )
    hits_now, expires_now = f"{table}.{hits_column}", f"{table}.{expires_column}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key_column}, {hits_column}, {expires_column}) "
            "VALUES (%s, 1, %s) "
            f"ON CONFLICT ({key_column}) DO UPDATE SET "
            f"{hits_column} = CASE WHEN {expires_now} <= %s THEN 1 ELSE {hits_now} + 1 END, "
            f"{expires_column} = CASE WHEN {expires_now} <= %s "
            f"THEN excluded.{expires_column} ELSE {expires_now} END "
            f"RETURNING {hits_column}",
            [key, expires_db, now_db, now_db],
        )
        (hits,) = cursor.fetchone()
    # Every hit, so that what a request does never depends on the key's past (test_same_work).
    RateLimitWindow.objects.filter(expires_at__lte=now).delete()
    return hits


def _count_here(key, period):
    now = time.monotonic()
    if len(_local_windows) >= LOCAL_WINDOWS_KEPT:
        _local_windows.clear()  # memory stays bounded; the windows restart
    ends, hits = _local_windows.get(key, (0.0, 0))
    if ends <= now:
        ends, hits = now + period, 0
    _local_windows[key] = (ends, hits + 1)
    return hits + 1
