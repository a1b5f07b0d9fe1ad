"""Which database a query goes to: the primary, or a read replica (``DATABASE_REPLICA_URLS``).

Every write goes to the primary (``default``), and so does every read made outside a request
(management commands, the background worker, the shell, migrations, which run on the primary
alone). A request's reads go where ``ReplicaMiddleware`` sends them:

- a GET or HEAD of a reader page (the ``articles``, ``feeds`` and ``sitemaps`` URLs) by a
  visitor without a session cookie: one replica, drawn at random among those that answer;
- everything else, to the primary: the admin and the readers' own pages (newsletter signup,
  confirmation, unsubscribing, sign-in, account, plans), any other method, any visitor who
  has a session (staff, signed-in readers: the session itself may be younger than the
  replica), and for ``DATABASE_PRIMARY_AFTER_WRITE`` seconds after a request of theirs wrote
  something (a signed, short-lived cookie), so that a visitor reads their own writes.

The contract the page cache relies on: **all the reads of one request come from one server**.
The replica is drawn once, before the view runs, and kept for every query of the request; a
request never moves from the primary to a replica. It moves the other way once, for good, when
it writes (its later reads then see what it wrote) or when its replica does not answer its
first read. A content version read through this router and the data of the page stored under
it therefore come from the same server, or the data from a newer one: a replica that lags
serves pages that are older but consistent, and never has a stale page kept under a current
version.

What a process keeps from one request to the next (a worker's copy of the content version)
holds only for the server it was read from: keep it per server (``reading_from()``), or read it
again in each request.

A replica is checked when the request first reads from it: a new connection within
``DATABASE_CONNECT_TIMEOUT``, or a persistent connection's health check (``SELECT 1``) within as
long, where Django's own check would wait for ever on a server that hangs. One that cannot be
reached sends that request to the primary, and is left alone for
``DATABASE_REPLICA_RETRY_AFTER`` seconds by this process. A replica that fails in the middle of
a request (stopped, its connections ended) fails that request's page as the primary would (the
page kept in the cache, else the 503 page); a GET or HEAD that wrote nothing is then answered
once more, from the primary, and the reader never sees that 503. One that hangs in the middle
of a request holds it until gunicorn's timeout.
"""

import logging
import random
import select
import time
from contextvars import ContextVar

from django.conf import settings
from django.core import signing
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, OperationalError, connections

from newsroom.views import DATABASE_UNREACHABLE

PRIMARY = DEFAULT_DB_ALIAS
# The URL namespaces of reader pages: read-only, and read by visitors without a session.
READER_NAMESPACES = {"articles", "feeds", "sitemaps"}
PIN_COOKIE = "newsroom_primary"
PIN_SALT = "newsroom.routers.pin"

logger = logging.getLogger(__name__)

# The reads of the request being answered; None outside requests (commands, the worker).
_current = ContextVar("newsroom_database_reads", default=None)
# Replicas this process found unreachable: {alias: monotonic time until which it skips them}.
_down_until = {}


class Reads:
    """Where one request's reads go. Starts on the primary; ``use_replica`` may move it to a
    replica before its first read, and it comes back to the primary for good when it writes or
    when the replica does not answer."""

    __slots__ = ("alias", "checked", "read", "reader", "replica_allowed", "wrote")

    def __init__(self, replica_allowed=True):
        self.alias = PRIMARY
        self.replica_allowed = replica_allowed
        self.checked = True
        self.read = False
        self.reader = False  # a reader page, for a visitor who need not read their own writes
        self.wrote = False

    def use_replica(self, alias):
        if self.replica_allowed and not self.read and not self.wrote:
            self.alias = alias
            self.checked = False

    def for_read(self):
        self.read = True
        if not self.checked:
            self.checked = True
            if not _answers(self.alias):
                self.alias = PRIMARY
        return self.alias

    def for_write(self):
        self.wrote = True
        self.alias = PRIMARY
        return PRIMARY


def _answers(alias):
    """Whether the replica can be used for this request: its connection (made now, within
    ``connect_timeout``, or kept from an earlier request and checked within as long). One that
    fails is skipped by this process for a few seconds."""
    connection = connections[alias]
    try:
        if _health_check_due(connection):
            timeout = _timeout(connection)
            if not _answers_within(connection, timeout):
                connection.close()
                raise OperationalError(f"no answer to a health check within {timeout} s")
            connection.health_check_done = True
        connection.ensure_connection()
    except DATABASE_UNREACHABLE as error:
        retry_after = settings.DATABASE_REPLICA_RETRY_AFTER
        _down_until[alias] = time.monotonic() + retry_after
        logger.warning(
            "Database %s is unreachable, reads go to the primary for %s s: %s",
            alias,
            retry_after,
            str(error).strip(),
        )
        return False
    return True


def _health_check_due(connection):
    """Whether Django would check this kept connection now (its first use in a request)."""
    return (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
    )


def _timeout(connection):
    return connection.settings_dict.get("OPTIONS", {}).get("connect_timeout", 5)


def _answers_within(connection, timeout):
    """Whether a kept connection answers ``SELECT 1`` within ``timeout`` seconds. Django's own
    check waits for ever on a server that neither answers nor closes: stopped, or behind a
    network that drops packets (the kernel's keepalives take minutes)."""
    if connection.vendor != "postgresql":
        connection.close_if_health_check_failed()
        return True
    import psycopg
    from psycopg import pq

    pgconn = connection.connection.pgconn
    deadline = time.monotonic() + timeout
    try:
        pgconn.send_query(b"SELECT 1")
        while pgconn.flush():  # a non-blocking connection: the query may still be on its way
            if not _readable_or_writable(pgconn.socket, deadline, write=True):
                return False
        pgconn.consume_input()
        while pgconn.is_busy():
            if not _readable_or_writable(pgconn.socket, deadline):
                return False
            pgconn.consume_input()
        answered = True
        while (result := pgconn.get_result()) is not None:
            answered = answered and result.status == pq.ExecStatus.TUPLES_OK
        return answered
    except psycopg.Error:
        return False


def _readable_or_writable(socket, deadline, write=False):
    """Whether ``socket`` is ready before ``deadline`` (a ``time.monotonic()``)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return False
    # poll, not select: a busy worker's descriptors may number past select's 1024.
    poll = select.poll()
    poll.register(socket, select.POLLOUT if write else select.POLLIN)
    return bool(poll.poll(remaining * 1000))


def reading_from():
    """The database the current request reads from (the primary outside requests)."""
    reads = _current.get()
    return PRIMARY if reads is None else reads.for_read()


def replica_to_read():
    """A replica not known to be down, or None."""
    now = time.monotonic()
    up = [alias for alias in settings.DATABASE_REPLICAS if _down_until.get(alias, 0) <= now]
    return random.choice(up) if up else None


class ReplicaRouter:
    """Reads where the current request's ``Reads`` send them (the primary outside requests),
    writes and migrations to the primary."""

    def db_for_read(self, model, **hints):
        return reading_from()

    def db_for_write(self, model, **hints):
        reads = _current.get()
        return PRIMARY if reads is None else reads.for_write()

    def allow_relation(self, obj1, obj2, **hints):
        # The replicas hold the primary's data: an object read from one may refer to another.
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY


class ReplicaMiddleware:
    """Chooses the server of each request's reads (see the module's docstring). Not used
    without replicas."""

    def __init__(self, get_response):
        if not settings.DATABASE_REPLICAS:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        reads, response = self._answer(request, Reads())
        if _lost_replica(request, reads, response):
            logger.warning(
                "Replica %s lost: %s answered from the primary", reads.alias, request.path
            )
            reads, response = self._answer(request, Reads(replica_allowed=False))
        # A reader page may write what serves every reader (the page cache's version): that
        # is no write of the visitor's own to read back.
        if reads.wrote and not reads.reader:
            _pin_to_primary(response)
        return response

    def _answer(self, request, reads):
        token = _current.set(reads)
        try:
            return reads, self.get_response(request)
        finally:
            _current.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Reader pages go to a replica: decided here, once the URL is resolved."""
        namespaces = request.resolver_match.namespaces
        if (
            request.method in ("GET", "HEAD")
            and namespaces
            and namespaces[0] in READER_NAMESPACES
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not _pinned(request)
        ):
            reads = _current.get()
            reads.reader = True
            if alias := replica_to_read():
                reads.use_replica(alias)


def _lost_replica(request, reads, response):
    """Whether the page failed (the 503 page) because the replica it read from went away in
    the middle of it, for a request that may be answered again (read-only, nothing written)."""
    if response.status_code != 503 or reads.alias == PRIMARY or reads.wrote:
        return False
    if request.method not in ("GET", "HEAD"):
        return False
    return not _answers_again(reads.alias)


def _answers_again(alias):
    """Whether the replica answers a new connection (the request's own has failed)."""
    connections[alias].close()
    return _answers(alias)


def _pinned(request):
    """Whether the visitor wrote something less than ``DATABASE_PRIMARY_AFTER_WRITE`` ago."""
    value = request.COOKIES.get(PIN_COOKIE)
    if not value:
        return False
    try:
        signing.TimestampSigner(salt=PIN_SALT).unsign(
            value, max_age=settings.DATABASE_PRIMARY_AFTER_WRITE
        )
    except signing.BadSignature:
        return False
    return True


def _pin_to_primary(response):
    response.set_cookie(
        PIN_COOKIE,
        signing.TimestampSigner(salt=PIN_SALT).sign("1"),
        max_age=settings.DATABASE_PRIMARY_AFTER_WRITE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def wait_for_replicas(timeout):
    """Wait until every read replica has replayed all that the primary had written when called
    (PostgreSQL's streaming replicas: ``pg_last_wal_replay_lsn``). Returns whether it had to
    wait, or None if a replica still lags after ``timeout`` seconds. A replica that does not
    answer is not waited for: its readers read from the primary meanwhile."""
    if not settings.DATABASE_REPLICAS or connections[PRIMARY].vendor != "postgresql":
        return False
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (written,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    waited = False
    for alias in settings.DATABASE_REPLICAS:
        while not _replayed(alias, written):
            if time.monotonic() >= deadline:
                return None
            waited = True
            time.sleep(0.1)
    return waited


def _replayed(alias, position):
    try:
        with connections[alias].cursor() as cursor:
            # NULL on a server that is not in recovery: it holds everything.
            cursor.execute(
                "SELECT coalesce(pg_last_wal_replay_lsn() >= %s::pg_lsn, true)", [position]
            )
            return cursor.fetchone()[0]
    except DATABASE_UNREACHABLE:
        connections[alias].close()
        logger.warning("Database %s is unreachable: not waited for", alias)
        return True
