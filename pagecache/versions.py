"""The content version: where it is kept, how a process reads it, how a change starts one.

It lives in the database (``ContentVersion``), the one store every process of a deployment
shares: a change committed by any process (an app server, the worker, a shell) reaches every
worker, whatever the cache backend. A worker re-reads it at most once per
``PAGE_CACHE_RECHECK`` seconds (1 by default), so a page served from the cache costs no query
most of the time; its own changes show at once.

A scheduled article needs no save to appear: the version records when content next changes
by the clock (``registry.changes_at``), and the first request after that moment starts a new
version, once for all processes.

The version is read from the database the request reads its content from (a replica under
``DATABASE_REPLICA_URLS``), so that a page is never kept under a version newer than the data it
was built from. Without the database, a worker goes on with the version it last read, so the
pages it kept are still served.
"""

import contextlib
import dataclasses
import threading
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import F
from django.utils import timezone

from newsroom.views import DATABASE_UNREACHABLE
from pagecache import registry
from pagecache.models import ContentVersion
from pagecache.registry import PAGES


@dataclass(frozen=True)
class Version:
    key: str  # what cached entries record; never the same for two states of the content
    since: float  # when it started (a timestamp): the pages' Last-Modified
    number: int = 0
    # False while the database cannot be asked: the version last read, maybe since replaced.
    confirmed: bool = True


# The version of content never changed since the database was made (its row not yet written).
NEVER_CHANGED = Version("0", time.time())


@dataclass
class Known:
    """What a worker last read from one database: {scope: Version}, and when."""

    scopes: dict
    next_change_at: float | None
    read_at: float
    confirmed: bool = True  # False once a read failed, until one succeeds

    def is_fresh(self, now):
        due = self.next_change_at is not None and now >= self.next_change_at
        # A clock set back (now before read_at) reads again: never trusted for longer.
        return 0 <= now - self.read_at < settings.PAGE_CACHE_RECHECK and not due


class Versions:
    """What this process knows of the content versions, per database it reads from."""

    def __init__(self):
        self.known = {}  # {database alias: Known}
        # A change this thread made in a transaction not yet committed: until it commits (or
        # rolls back), the pages this thread builds, from data nobody else sees, are kept
        # under a version of their own.
        self.uncommitted = threading.local()

    def current(self, scope=PAGES, reading=contextlib.nullcontext):
        """The current version of ``scope``; ``reading()``, a context manager, is entered around
        the database read when one is due."""
        alias = router.db_for_read(ContentVersion)
        now = time.time()
        known = self.known.get(alias)
        if known is None or not known.is_fresh(now):
            try:
                with reading():
                    known = self._read(alias, now)
            except DATABASE_UNREACHABLE:
                if known is None:  # nothing kept can be trusted: only older copies serve
                    return Version(f"unknown-{uuid.uuid4().hex[:12]}", now, confirmed=False)
                known.read_at, known.confirmed = now, False  # the next try in a second
        version = known.scopes.get(scope) or NEVER_CHANGED
        if not known.confirmed:
            version = dataclasses.replace(version, confirmed=False)
        if (change := getattr(self.uncommitted, "change", None)) is not None:
            if connections[change[0]].in_atomic_block:
                return Version(f"{version.key}~{change[1]}", version.since, version.number)
            self.uncommitted.change = None  # rolled back
        return version

    def _read(self, alias, now):
        known = self._read_rows(alias, now)
        if known.next_change_at is not None and now >= known.next_change_at:
            self._clock_change(known.scopes[PAGES])
            known = self._read_rows(alias, now)
            if known.next_change_at is not None and now >= known.next_change_at:
                known.next_change_at = None  # a replica not yet told: trusted for a second
        self.known[alias] = known
        return known

    def _read_rows(self, alias, now):
        scopes, next_change_at = {}, None
        for scope, number, changed_at, next_change in ContentVersion.objects.using(
            alias
        ).values_list("scope", "number", "changed_at", "next_change_at"):
            since = changed_at.timestamp()
            scopes[scope] = Version(f"{number}.{int(since * 1e6):x}", since, number)
            if scope == PAGES and next_change is not None:
                next_change_at = next_change.timestamp()
        return Known(scopes, next_change_at, now)

    def _clock_change(self, version):
        """The moment content changes by the clock has come: one process starts the version."""
        alias = router.db_for_write(ContentVersion)
        rows = ContentVersion.objects.using(alias).filter(scope=PAGES)
        rows.filter(number=version.number).update(
            number=F("number") + 1,
            changed_at=timezone.now(),
            next_change_at=registry.registry.next_change(),
        )

    def start_new(self, scopes, using, *, clock=True):
        """Renew ``scopes`` in the database ``using`` (after the change has committed), and
        with ``clock``, when content next changes by the clock alone."""
        now = timezone.now()
        connection = connections[using]
        table = connection.ops.quote_name(ContentVersion._meta.db_table)
        next_change = registry.registry.next_change() if clock and PAGES in scopes else None
        renew_clock = ", next_change_at = excluded.next_change_at" if clock else ""
        # One statement per scope, no transaction nor savepoint: outside a transaction this
        # runs right after the write that asked for it, whose statement may not be finished.
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (scope, number, changed_at, next_change_at) "
                "VALUES (%s, 1, %s, %s) ON CONFLICT (scope) DO UPDATE SET "
                f"number = {table}.number + 1, changed_at = excluded.changed_at{renew_clock}",
                [(scope, now, next_change if scope == PAGES else None) for scope in scopes],
            )
        self.known.clear()  # this process's own change shows at once
        self.uncommitted.change = None

    def forget(self):
        """Read the versions again at the next request (tests, after the database changed)."""
        self.known.clear()
        self.uncommitted.change = None


VERSIONS = Versions()


def current(scope=PAGES, reading=contextlib.nullcontext):
    """The current version of ``scope`` (every page by default); ``reading()`` is entered
    around the database read when one is due."""
    return VERSIONS.current(scope, reading)


class _NewVersion:
    """A new version asked for in a transaction: started once, when the transaction commits."""

    def __init__(self, scopes, using):
        self.scopes, self.using, self.done = set(scopes), using, False

    def __call__(self):
        self.done = True
        VERSIONS.start_new(sorted(self.scopes), self.using)


def number_after_commit(using):
    """The number the page version will have once the current transaction of ``using``
    commits (it starts one if it wrote what readers see), or has outside a transaction."""
    rows = ContentVersion.objects.using(using).filter(scope=PAGES)
    number = rows.values_list("number", flat=True).first() or 0
    return number + 1 if connections[using].in_atomic_block else number


def start_new_version(scopes=(PAGES,), using="default"):
    """Ask for new versions of ``scopes`` once the current transaction of ``using`` commits
    (at once outside a transaction): every page (and furniture) is then built again."""
    connection = connections[using]
    if connection.in_atomic_block:
        VERSIONS.uncommitted.change = (using, uuid.uuid4().hex[:12])
        # One per transaction: a bulk action on fifty articles asks fifty times.
        for _savepoints, callback, _robust in connection.run_on_commit:
            if isinstance(callback, _NewVersion) and not callback.done:
                callback.scopes.update(scopes)
                return
    # Robust: the change is saved whatever happens here; a failure is logged, and the editor
    # is not told of an error that did not lose the change (the next change renews the pages).
    transaction.on_commit(_NewVersion(scopes, using), using=using, robust=True)
