"""What the CDN must drop when content changes, and how it is told (``CDN_PURGE_BACKEND``).

Reader pages carry the keys of what they show (pagecache/surrogates.py). The apps that own the
content declare, next to the registry, which keys a change of a row touches:
``registry.purged_with(model, keys_of, due_of)``, where ``keys_of(old, new)`` gets the row as
stored before and after the change (None when created or deleted), and ``due_of(row)`` when
its pages change again by the clock alone (a scheduled publication). A write to any other
table readers see, or one the watcher sees without a row (``QuerySet.update()``, raw SQL),
purges ``site``, the key of every page.

A key that starts with ``/`` is a page's address, for the caches that purge by address (nginx);
the others name what pages show.

Keys are written to ``PendingPurge`` in the transaction of the change, so that they commit or
roll back with it; once it commits, a background task (``purge_due``) takes every key due for
a lease (``CDN_PURGE_LEASE``), waits until every read replica has replayed the change, sends
them in one go to the CDN and removes them when it says yes. The editor's save never waits for
the CDN. When it fails, the keys are tried again later (after 1, 2, 4 … seconds, at most
``RETRY_MAX``); with the worker stopped, they wait in the database; a worker that dies with
keys taken leaves them to the next run once the lease is over (``resume_stalled``, from the
worker's heartbeat).
"""

import contextlib
import json
import logging
import sys
import threading
import time
from datetime import timedelta
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F, Model
from django.db.models.signals import post_save, pre_delete, pre_save
from django.db.models.sql.subqueries import DeleteQuery
from django.utils import timezone
from django_tasks import task

from newsroom import routers
from pagecache.models import PendingPurge
from pagecache.surrogates import SITE, backends

logger = logging.getLogger(__name__)

RETRY_FIRST = 1  # seconds before the first retry; doubled at each failure
RETRY_MAX = 300
TIMEOUT = 10  # seconds a CDN may take to answer one request
ROWS_PER_RUN = 10_000
STALLED_AFTER = 5  # seconds a key may be overdue before the heartbeat queues a run for it

PURGERS = {}  # {model: (keys_of, due_of)}
_accounted = threading.local()  # .depth: inside ``accounted_for``
_bulk_state = threading.local()  # .bulk: inside ``in_bulk``; .bulk_wrote: it wrote what readers see


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


# Raw saves (``loaddata``) count like any other: a fixture may change what readers see.


def _before_save(sender, instance, using=None, **kwargs):
    if not enabled() or _in_bulk():
        return
    old = None
    if instance.pk is not None:
        old = sender._base_manager.using(using).filter(pk=instance.pk).first()
    instance._pagecache_stored = old


def _after_save(sender, instance, using=None, **kwargs):
    if not enabled() or _in_bulk():
        return
    keys_of, due_of = PURGERS[sender]
    keys = keys_of(getattr(instance, "_pagecache_stored", None), instance)
    queue(keys, using=using)
    due = due_of(instance) if due_of else None
    if due is not None and due > timezone.now():
        queue(keys, using=using, due=due)


def _before_delete(sender, instance, using=None, **kwargs):
    if enabled() and not _in_bulk():  # before the rows it cascades to are gone
        queue(PURGERS[sender][0](instance, None), using=using)


@contextlib.contextmanager
def accounted_for():
    """Writes to declared tables made inside need no ``site`` purge: the caller has queued
    their keys (an update that keeps a denormalised column in step)."""
    _accounted.depth = getattr(_accounted, "depth", 0) + 1
    try:
        yield
    finally:
        _accounted.depth -= 1


# The statements that save or delete one declared row, whose signals queue its keys. Read from
# the call stack, which a save that raised cannot leave behind (a counter kept between the
# pre_save and post_save signals would stay up, and later writes of the process would purge
# nothing). Not the writes of signal receivers, made outside these.
_SAVING_ROW = {Model._save_table.__code__, DeleteQuery.delete_batch.__code__}


def _writing_declared_row():
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code in _SAVING_ROW:
            return True
        frame = frame.f_back
    return False


class in_bulk:
    """Writes made inside (an import of thousands of stories) queue no key of their own, nor
    look up the rows they change: when the block ends, ``site`` is queued once if anything
    readers see was written. Use it inside the transaction of the writes, so that the key
    commits or rolls back with them."""

    def __init__(self, using="default"):
        self.using = using

    def __enter__(self):
        _bulk_state.bulk = getattr(_bulk_state, "bulk", 0) + 1
        _bulk_state.bulk_wrote = getattr(_bulk_state, "bulk_wrote", False)
        return self

    def __exit__(self, exc_type, *exc):
        _bulk_state.bulk -= 1
        if _bulk_state.bulk == 0:
            wrote, _bulk_state.bulk_wrote = _bulk_state.bulk_wrote, False
            if wrote and exc_type is None:
                queue([SITE], using=self.using)


def _in_bulk():
    return getattr(_bulk_state, "bulk", 0) > 0


def written(tables, using):
    """The watcher saw a write to ``tables``, which readers see (pagecache/watch.py)."""
    if not enabled():
        return
    if _in_bulk():
        _bulk_state.bulk_wrote = True
        return
    if set(tables) <= _declared_tables() and (
        getattr(_accounted, "depth", 0) or _writing_declared_row()
    ):
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
                callback.keys.update(keys)
                return
    callback = _Enqueue(later, alias)
    if connection.in_atomic_block:
        callback.keys.update(keys)  # the delay counts from the commit, maybe long after this
    transaction.on_commit(callback, using=alias)


class _Enqueue:
    """Once the transaction has committed: the keys it queued wait ``CDN_PURGE_DELAY`` from
    now at least (app servers see the new content version within it), and the task is
    queued."""

    def __init__(self, due, alias="default"):
        self.due, self.alias = due, alias
        self.keys = set()  # queued in a transaction

    def __call__(self):
        earliest = timezone.now() + timedelta(seconds=settings.CDN_PURGE_DELAY)
        try:
            for batch in _batches(sorted(self.keys), 500):
                # The rows not taken yet (also another transaction's with the same keys:
                # pushed back by less than the delay).
                PendingPurge.objects.using(self.alias).filter(
                    key__in=batch, attempts=0, due_at__lt=earliest, since=F("due_at")
                ).update(due_at=earliest, since=earliest)
        except Exception:  # the change has committed: the editor is not told of an error
            logger.exception("Could not delay a CDN purge after its commit")
        due = self.due
        if self.keys and settings.CDN_PURGE_DELAY > 0:
            due = max(due or earliest, earliest)
        enqueue(due)


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
    rows = _take(alias, now)
    if not rows:
        return 0
    keys = sorted({row.key for row in rows})
    try:
        _wait_for_replicas()
        backend().purge(keys)
    except (PurgeFailed, OSError, HTTPException) as error:
        _retry_later(alias, rows, now, error)
        return 0
    PendingPurge.objects.using(alias).filter(pk__in=[row.pk for row in rows]).delete()
    if len(rows) == ROWS_PER_RUN:  # more may be due: another run at once
        transaction.on_commit(enqueue, using=alias)
    return len(keys)


def _take(alias, now):
    """The rows due, taken for ``CDN_PURGE_LEASE`` seconds: no other run sends them meanwhile,
    and if this one dies (the worker killed), they fall due again when the lease ends. Taken in
    a short transaction of its own: none stays open while the CDN answers."""
    with transaction.atomic(using=alias):
        rows = list(
            PendingPurge.objects.using(alias)
            .select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .order_by("pk")[:ROWS_PER_RUN]
        )
        lease_end = now + timedelta(seconds=settings.CDN_PURGE_LEASE)
        PendingPurge.objects.using(alias).filter(pk__in=[row.pk for row in rows]).update(
            due_at=lease_end
        )
    return rows


def _wait_for_replicas():
    """Not before every read replica shows the change: the CDN asks again for the pages at
    once, and a page built from a replica that has not replayed it yet would be kept, old, for
    ``PAGE_CACHE_SHARED_MAX_AGE``. Waits ``CDN_PURGE_REPLICA_WAIT`` seconds at most, then the
    purge is tried again later; once a lagging replica has caught up, ``CDN_PURGE_DELAY`` more,
    for every app server to see the content version it now holds."""
    waited = routers.wait_for_replicas(settings.CDN_PURGE_REPLICA_WAIT)
    if waited is None:
        raise PurgeFailed("a read replica has not replayed the change yet")
    if waited:
        time.sleep(settings.CDN_PURGE_DELAY)


def resume_stalled():
    """Queue a run when keys are overdue and no run is waiting for them: their run died (the
    worker killed while it held them, until the lease ended), or could not be queued. Called by
    the worker's heartbeat."""
    if not enabled():
        return False
    from django_tasks_db.models import DBTaskResult

    overdue = timezone.now() - timedelta(seconds=STALLED_AFTER)
    if not PendingPurge.objects.filter(due_at__lte=overdue).exists():
        return False
    if DBTaskResult.objects.ready().filter(task_path=purge_due.module_path).exists():
        return False
    enqueue()
    return True


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
            cache = BACKENDS[name]()
            cache.purge(keys if cache.by_address else [k for k in keys if not is_address(k)])


def is_address(key):
    """A key that is a page's address (``/section/story-12/``), for caches that purge by
    address: the pages' own keys name what they show."""
    return key.startswith("/")


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
    by_address = False

    def purge(self, keys):
        pass


class Varnish:
    """Varnish with the xkey module (deploy/varnish/newsroom.vcl): a PURGE request with the
    keys in ``xkey-purge``, to every Varnish in ``CDN_PURGE_VARNISH_URLS``."""

    by_address = False

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

    by_address = True

    def purge(self, keys):
        addresses = addresses_of(keys)
        for url in settings.CDN_PURGE_NGINX_URLS:
            for address in addresses:
                status, _body = _request(url.rstrip("/") + quote(address), "PURGE")
                if status not in (200, 404):  # 404: not in the cache
                    raise PurgeFailed(f"nginx at {url} answered {status} for {address}")


ADDRESSES = []  # callables: keys -> the addresses of the pages they name


def addresses_of(keys):
    named = {key for key in keys if is_address(key)}
    return sorted(named.union(*(resolve(keys) for resolve in ADDRESSES)))


class Cloudflare:
    """Cloudflare's purge by cache tags: ``CDN_PURGE_CLOUDFLARE_BATCH`` tags a call."""

    by_address = False

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

    by_address = False

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
