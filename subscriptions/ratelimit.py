"""Fixed-window rate limits kept in Django's cache (Redis in production)."""

from django.core.cache import cache


def allow(key, limit, period):
    """Count one more hit on ``key``; False once ``limit`` hits were made in ``period`` seconds."""
    cache_key = f"ratelimit:{key}"
    cache.add(cache_key, 0, timeout=period)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add() and incr()
        cache.set(cache_key, 1, timeout=period)
        count = 1
    return count <= limit
