"""``/sante/``: whether this app server can serve, as JSON, for load balancers and uptime checks.

Answered by a middleware at the top of the stack, before the host check, the HTTPS redirect,
sessions and the page cache: a load balancer asks each app server directly, by its address and
over plain HTTP, and must never get a cached answer, a redirect or a 400. Two queries.

- 200 ``"ok"``: the database, the cache and the background worker answer.
- 200 ``"degraded"``: the site serves, but Redis is unreachable (pages built from the database)
  or the worker is late or silent (sign-up and sign-in e-mails, newsletters wait).
- 503 ``"down"``: the database is unreachable; only pages kept in the cache can be served.
"""

import uuid

from django.core.cache import caches
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from newsroom.cache import is_shared
from newsroom.views import DATABASE_UNREACHABLE
from subscriptions import tasks

PATHS = {"/sante/", "/sante"}
# A task waiting, or a heartbeat silent, for longer than this makes the site "degraded".
WORKER_LATE = 300  # seconds


def health_check(get_response):
    def middleware(request):
        if request.path_info not in PATHS:
            return get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return report()

    return middleware


def report():
    database, worker = _database_and_worker()
    cache = _cache()
    if database != "ok":
        status = "down"
    elif cache == "unreachable" or worker["late"]:
        status = "degraded"
    else:
        status = "ok"
    response = JsonResponse(
        {"status": status, "database": database, "cache": cache, "worker": worker},
        status=503 if status == "down" else 200,
    )
    add_never_cache_headers(response)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _database_and_worker():
    """The database's state and the worker's: the queue's query is the database's check."""
    try:
        oldest = tasks.oldest_waiting_task()
        last_seen = tasks.worker_last_seen()
    except DATABASE_UNREACHABLE:
        return "unreachable", {"lag_seconds": None, "last_seen_seconds_ago": None, "late": None}
    now = timezone.now()
    lag = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    silent = (now - last_seen).total_seconds() if last_seen else None
    late = lag > WORKER_LATE or silent is None or silent > WORKER_LATE
    return "ok", {
        "lag_seconds": round(lag, 1),
        "last_seen_seconds_ago": None if silent is None else round(max(0.0, silent), 1),
        "late": late,
    }


def _cache():
    """``local`` for a cache in each process's memory; else whether a value written to the
    shared cache (Redis) reads back."""
    cache = caches["default"]
    if not is_shared(cache):
        return "local"
    # A key for this check alone: two servers, or two threads of one, checking at once never
    # read each other's value.
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=60)
    answered = cache.get(key) == "1"
    cache.delete(key)
    return "ok" if answered else "unreachable"
