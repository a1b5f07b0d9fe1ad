"""What the CDN must drop when content changes, and how it is told (``CDN_PURGE_BACKEND``).

Reader pages carry the keys of what they show (pagecache/surrogates.py). The apps that own the
content declare, next to the registry, which keys a change of a row touches:
``registry.purged_with(model, keys_of, due_of)``, where ``keys_of(old, new)`` gets the row as
stored before and after the change (None when created or deleted), and ``due_of(row)`` when
its pages change again by the clock alone (a scheduled publication). A write to any other
table readers see, or one the watcher sees without a row (``QuerySet.update()``, raw SQL),
purges ``site``, the key of every page.

Keys are written to ``PendingPurge`` in the transaction of the change, so that they commit or
roll back with it; once it commits, a background task (``purge_due``) sends every key due
in one go to the CDN and removes them when it says yes. The editor's save never waits for the
CDN. When it fails, the keys are tried again later (after 1, 2, 4 … seconds, at most
``RETRY_MAX``); with the worker stopped, they wait in the database.
"""

import json
import logging
import threading
from datetime import timedelta
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.signals import request_started
from django.db import connections, router, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone
from django_tasks import task

from pagecache.models import PendingPurge
from pagecache.surrogates import SITE, backends

logger = logging.getLogger(__name__)

RETRY_FIRST = 1  # seconds before the first retry; doubled at each failure
RETRY_MAX = 300
TIMEOUT = 10  # seconds a CDN may take to answer one request
ROWS_PER_RUN = 10_000

PURGERS = {}  # {model: (keys_of, due_of)}
_ongoing = threading.local()  # .depth: writes of declared rows under way, their keys known


class PurgeFailed(Exception):
    pass


def enabled():
    return bool(backends())


# What a change purges -------------------------------------------------------------------------


def purged_with(model, keys_of, due_of=None):
    """Declare the keys a change to a row of ``model`` purges (see the module's docstring)."""
    PURGERS[model] = (keys_of, due_of)
    uid = f"pagecache-purge-{model._meta.label_lower}"
    pre_save.connect(_before_save, sender=model, weak=False, dispatch_uid=uid)
    post_save.connect(_after_save, sender=model, weak=False, dispatch_uid=uid)
    pre_delete.connect(_before_delete, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(_after_delete, sender=model, weak=False, dispatch_uid=uid)
    request_started.connect(_reset, dispatch_uid="pagecache-purge-reset")


def _depth():
    return getattr(_ongoing, "depth", 0)


def _reset(**kwargs):
    _ongoing.depth = 0  # left over by a save that raised


def _before_save(sender, instance, raw=False, using=None, **kwargs):
    _ongoing.depth = _depth() + 1
    if raw or not enabled() or _in_bulk():
        return
    old = None
    if instance.pk is not None:
        old = sender._base_manager.using(using).filter(pk=instance.pk).first()
    instance._pagecache_stored = old


def _after_save(sender, instance, raw=False, using=None, **kwargs):
    _ongoing.depth = max(_depth() - 1, 0)
    if raw or not enabled() or _in_bulk():
        return
    keys_of, due_of = PURGERS[sender]
    keys = keys_of(getattr(instance, "_pagecache_stored", None), instance)
    queue(keys, using=using)
    due = due_of(instance) if due_of else None
    if due is not None and due > timezone.now():
        queue(keys, using=using, due=due)


def _before_delete(sender, instance, using=None, **kwargs):
    _ongoing.depth = _depth() + 1
    if enabled() and not _in_bulk():  # before the rows it cascades to are gone
        queue(PURGERS[sender][0](instance, None), using=using)


def _after_delete(sender, instance, **kwargs):
    _ongoing.depth = max(_depth() - 1, 0)


class accounted_for:
    """Writes to declared tables made inside need no ``site`` purge: the caller has queued
    their keys (an update that keeps a denormalised column in step)."""

    def __enter__(self):
        _ongoing.depth = _depth() + 1

    def __exit__(self, *exc):
        _ongoing.depth = max(_depth() - 1, 0)


class in_bulk:
    """Writes made inside (an import of thousands of stories) queue no key of their own, nor
    look up the rows they change: when the block ends, ``site`` is queued once if anything
    readers see was written. Use it inside the transaction of the writes, so that the key
    commits or rolls back with them."""

    def __init__(self, using="default"):
        self.using = using

    def __enter__(self):
        _ongoing.bulk = getattr(_ongoing, "bulk", 0) + 1
        _ongoing.bulk_wrote = getattr(_ongoing, "bulk_wrote", False)
        return self

    def __exit__(self, exc_type, *exc):
        _ongoing.bulk -= 1
        if _ongoing.bulk == 0:
            wrote, _ongoing.bulk_wrote = _ongoing.bulk_wrote, False
            if wrote and exc_type is None:
                queue([SITE], using=self.using)


def _in_bulk():
    return getattr(_ongoing, "bulk", 0) > 0


def written(tables, using):
    """The watcher saw a write to ``tables``, which readers see (pagecache/watch.py)."""
    if not enabled():
        return
    if _in_bulk():
        _ongoing.bulk_wrote = True
        return
    if _depth() and set(tables) <= _declared_tables():
        return  # a save or deletion of declared rows: their keys are queued
    queue([SITE], using=using)


def _declared_tables():
    return {model._meta.db_table for model in PURGERS}


# The queue --------------------------------------------------------------------------------


def queue(keys, using="default", due=None):
    """Purge ``keys`` once the current transaction commits (at ``due``, if later), and once
    every app server has seen the change."""
    keys = sorted(set(keys or ()))
    if not enabled() or not keys:
        return
    now = timezone.now()
    # Not before every app server has seen the new content version (CDN_PURGE_DELAY).
    due = max(due or now, now) + timedelta(seconds=settings.CDN_PURGE_DELAY)
    alias = router.db_for_write(PendingPurge)
    connection = connections[alias]
    # Plain statements, no transaction nor savepoint: outside a transaction this may run right
    # after the write that asked for it, whose statement may not be finished (as versions.py).
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("key", "due_at", "since", "attempts"))
    at = connection.ops.adapt_datetimefield_value(due)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(PendingPurge._meta.db_table)} ({columns}) VALUES (%s, %s, %s, 0)",
            [(key, at, at) for key in keys],
        )
    later = due if due > now else None
    if connection.in_atomic_block:
        # One task per transaction and due time: a bulk action on fifty articles queues one.
        for _savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _Enqueue) and callback.due == later:
                return
    transaction.on_commit(_Enqueue(later), using=alias)


class _Enqueue:
    def __init__(self, due):
        self.due = due

    def __call__(self):
        enqueue(self.due)


def enqueue(due=None):
    """Ask the worker to send the keys due (at ``due``, if the task backend can wait)."""
    run = purge_due
    if due is not None:
        if not run.get_backend().supports_defer:
            return  # sent by the next run after that time
        run = run.using(run_after=due)
    try:
        run.enqueue()
    except Exception:  # the keys wait in the database for the next run
        logger.exception("Could not queue a CDN purge")


@task()
def purge_due():
    """The background task (``manage.py db_worker``): send the keys due."""
    return run_due()


def run_due(now=None):
    """Send every key due to the CDN; what it refuses is tried again later. Returns the
    number of keys sent."""
    now = now or timezone.now()
    alias = router.db_for_write(PendingPurge)
    with transaction.atomic(using=alias):
        rows = list(
            PendingPurge.objects.using(alias)
            .select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .order_by("pk")[:ROWS_PER_RUN]
        )
        if not rows:
            return 0
        keys = sorted({row.key for row in rows})
        pks = [row.pk for row in rows]
        try:
            backend().purge(keys)
        except (PurgeFailed, OSError, HTTPException) as error:
            _retry_later(alias, rows, now, error)
            return 0
        PendingPurge.objects.using(alias).filter(pk__in=pks).delete()
        if len(rows) == ROWS_PER_RUN:  # more may be due: another run at once
            transaction.on_commit(enqueue, using=alias)
    return len(keys)


def _retry_later(alias, rows, now, error):
    attempts = max(row.attempts for row in rows) + 1
    delay = min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_MAX)
    pending = PendingPurge.objects.using(alias).filter(pk__in=[row.pk for row in rows])
    # The CDN has dropped those pages by now: nothing left to purge.
    expired = now - timedelta(seconds=settings.PAGE_CACHE_SHARED_MAX_AGE)
    gone, _ = pending.filter(since__lt=expired).delete()
    if gone:
        logger.error("CDN purge given up for %s key(s), older than the CDN's copies", gone)
    pending.update(attempts=F("attempts") + 1, due_at=now + timedelta(seconds=delay))
    logger.warning(
        "CDN purge of %s key(s) failed (attempt %s), again in %ss: %s",
        len(rows),
        attempts,
        delay,
        error,
    )
    transaction.on_commit(lambda: enqueue(now + timedelta(seconds=delay)), using=alias)


# Backends ---------------------------------------------------------------------------------


class Every:
    """Every backend chosen, the cache nearest the site first (BACKENDS' order: Varnish, then
    nginx in front of it, then a CDN in front of all): a reader between two purges then never
    puts an old copy back in a cache already purged."""

    def purge(self, keys):
        chosen = backends()
        for name in (name for name in BACKENDS if name in chosen):
            BACKENDS[name]().purge(keys)


def backend():
    return Every()


def _request(url, method, headers=None, body=None):
    """One request to a CDN or a cache; (status, body)."""
    parts = urlsplit(url)
    connection_class = HTTPSConnection if parts.scheme == "https" else HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=TIMEOUT)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path or "/", body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _batches(keys, size):
    return [keys[i : i + size] for i in range(0, len(keys), size)]


class Nothing:
    def purge(self, keys):
        pass


class Varnish:
    """Varnish with the xkey module (deploy/varnish/newsroom.vcl): a PURGE request with the
    keys in ``xkey-purge``, to every Varnish in ``CDN_PURGE_VARNISH_URLS``."""

    def purge(self, keys):
        for url in settings.CDN_PURGE_VARNISH_URLS:
            for batch in _batches(keys, 100):
                status, body = _request(url, "PURGE", {"xkey-purge": " ".join(batch)})
                if status != 200:
                    raise PurgeFailed(f"Varnish at {url} answered {status}: {body[:200]!r}")


class Nginx:
    """nginx's cache purged by address (the cache_purge module): a PURGE request for each
    address the keys name, under each purge location in ``CDN_PURGE_NGINX_URLS``
    (``http://127.0.0.1/purge`` for ``location ~ ^/purge(/.*) { proxy_cache_purge … $1; }``:
    the module's same-location syntax crashes Debian's nginx 1.22). Only the addresses
    ``registry.purge_addresses`` gives are purged (see docs/ARCHITECTURE.md)."""

    def purge(self, keys):
        addresses = addresses_of(keys)
        for url in settings.CDN_PURGE_NGINX_URLS:
            for address in addresses:
                status, _body = _request(url.rstrip("/") + quote(address), "PURGE")
                if status not in (200, 404):  # 404: not in the cache
                    raise PurgeFailed(f"nginx at {url} answered {status} for {address}")


ADDRESSES = []  # callables: keys -> the addresses of the pages they name


def addresses_of(keys):
    return sorted({address for resolve in ADDRESSES for address in resolve(keys)})


class Cloudflare:
    """Cloudflare's purge by cache tags: ``CDN_PURGE_CLOUDFLARE_BATCH`` tags a call."""

    def purge(self, keys):
        url = (
            f"{settings.CDN_PURGE_CLOUDFLARE_API.rstrip('/')}"
            f"/zones/{settings.CDN_PURGE_CLOUDFLARE_ZONE}/purge_cache"
        )
        headers = {
            "Authorization": f"Bearer {settings.CDN_PURGE_CLOUDFLARE_TOKEN}",
            "Content-Type": "application/json",
        }
        for batch in _batches(keys, settings.CDN_PURGE_CLOUDFLARE_BATCH):
            status, body = _request(url, "POST", headers, json.dumps({"tags": batch}))
            if status != 200 or not _json(body).get("success"):
                raise PurgeFailed(f"Cloudflare answered {status}: {body[:300]!r}")


class Fastly:
    """Fastly's batch purge by surrogate keys: 256 keys a call."""

    def purge(self, keys):
        url = (
            f"{settings.CDN_PURGE_FASTLY_API.rstrip('/')}"
            f"/service/{settings.CDN_PURGE_FASTLY_SERVICE}/purge"
        )
        for batch in _batches(keys, 256):
            headers = {"Fastly-Key": settings.CDN_PURGE_FASTLY_TOKEN, "Accept": "application/json"}
            headers["Surrogate-Key"] = " ".join(batch)
            if settings.CDN_PURGE_FASTLY_SOFT:
                headers["Fastly-Soft-Purge"] = "1"
            status, body = _request(url, "POST", headers)
            if status != 200:
                raise PurgeFailed(f"Fastly answered {status}: {body[:300]!r}")


def _json(body):
    try:
        found = json.loads(body)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


BACKENDS = {
    "none": Nothing,
    "varnish": Varnish,
    "nginx": Nginx,
    "cloudflare": Cloudflare,
    "fastly": Fastly,
}
