"""Fixed-window rate limits kept in Django's cache (Redis in production).

While Redis is unreachable each process counts on its own: a limit then allows up to one
``limit`` per process, which is still a limit.
"""

import time

from django.core.cache import cache

from newsroom.cache import CacheUnreachable

# Windows counted in this process while the shared cache is unreachable: {key: (ends, hits)}.
_local_windows = {}
LOCAL_WINDOWS_KEPT = 10_000


def allow(key, limit, period):
    """Count one more hit on ``key``; False once ``limit`` hits were made in ``period`` seconds."""
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


def _count_here(key, period):
    now = time.monotonic()
    if len(_local_windows) >= LOCAL_WINDOWS_KEPT:
        _local_windows.clear()  # memory stays bounded; the windows restart
    ends, hits = _local_windows.get(key, (0.0, 0))
    if ends <= now:
        ends, hits = now + period, 0
    _local_windows[key] = (ends, hits + 1)
    return hits + 1
