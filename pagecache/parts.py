"""Values built once per content version: the parts every page shares, the counts of long
lists, the site furniture.

Each worker keeps them in its own memory (``MEMORY``) and, when asked, in the shared cache
for the other workers. A value is never returned for a version other than its own.
"""

import collections
import contextlib
import contextvars
import gc
import sys
import threading
import types

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import Storage
from django.db.models import Field, Manager

from pagecache import keys, versions
from pagecache.registry import PAGES

# Small values (a card, an article page's head and end, about 1–6 kB): a few tens of MB at
# most. Emptied when full, so room for every part of the pages a version serves most.
WORKER_MEMORY_ENTRIES = 10_000
# Large values (an article with its body, a page of a list), of which a site has thousands:
# the most recently used within this many bytes, a few hundred stories, those read most.
WORKER_MEMORY_LARGE_BYTES = 32 * 2**20
FURNITURE_TIMEOUT = 24 * 3600  # furniture outlives many page versions, not forever


class WorkerMemory:
    """{key: (version key, value)}: emptied when a new page version is first seen (the old
    values are dead). The small values are emptied when there are too many; the large ones
    are counted in bytes (what they take in memory, ``footprint``, measured once), and the
    least recently used let go first when over budget. A value is shared by the requests
    that read it, as it is built: read, never changed by a page."""

    def __init__(self):
        self.values = {}
        self.large = collections.OrderedDict()  # {key: (version key, value, size)}, oldest first
        self.large_bytes = 0
        self.version_key = None
        self.lock = threading.Lock()  # between the threads of a gthread worker

    def get(self, key, version):
        if (found := self.values.get(key)) is not None:
            return found[1] if found[0] == version.key else None
        found = self.large.get(key)
        if found is None or found[0] != version.key:
            return None
        with self.lock:
            if key in self.large:
                self.large.move_to_end(key)  # used last
        return found[1]

    def set(self, key, version, value, page_version, *, large=False):
        limit = WORKER_MEMORY_LARGE_BYTES // 8  # one value never takes most of the room
        size = footprint(value, limit) if large else 0
        with self.lock:
            if page_version.key != self.version_key:
                self._clear()
                self.version_key = page_version.key
            if not large:
                if len(self.values) >= WORKER_MEMORY_ENTRIES:
                    self.values.clear()
                self.values[key] = (version.key, value)
                return
            if size > limit:
                return
            if (former := self.large.pop(key, None)) is not None:
                self.large_bytes -= former[2]
            self.large[key] = (version.key, value, size)
            self.large_bytes += size
            while self.large_bytes > WORKER_MEMORY_LARGE_BYTES:
                _key, (_version, _value, dropped) = self.large.popitem(last=False)
                self.large_bytes -= dropped

    def clear(self):
        with self.lock:
            self._clear()

    def _clear(self):
        self.values.clear()
        self.large.clear()
        self.large_bytes = 0


MEMORY = WorkerMemory()

# What a value refers to that the whole process shares (classes, functions, a model's fields,
# the file storage): never counted as the value's own. A prefetch's query is the value's own
# (each prefetched relation keeps a queryset of its own).
_SHARED = (
    type,
    types.ModuleType,
    types.FunctionType,
    types.BuiltinFunctionType,
    types.MethodType,
    Field,
    Manager,
    Storage,
)


def footprint(value, limit):
    """The bytes ``value`` takes in memory with the objects it refers to, counted until
    past ``limit``. Not its pickled size: a model instance, a list of them or a text weigh
    in memory up to five times that (a page of cards), a text with an emoji four bytes a
    letter."""
    seen, stack, total = set(), [value], 0
    while stack and total <= limit:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, _SHARED):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        stack.extend(gc.get_referents(obj))
    return total


# The content version a page being built read its content under (``one_version``).
_PAGE_VERSION = contextvars.ContextVar("page_version", default=None)
# What the page being built has read ahead from the shared cache (``prefetch``): {shared key:
# value, or None when the shared cache had none}.
_PREFETCHED = contextvars.ContextVar("prefetched", default=None)


def page_version():
    """The version the page being built was begun under (``one_version``), or None."""
    return _PAGE_VERSION.get()


@contextlib.contextmanager
def one_version():
    """Around the building of a page (a context manager or a view's decorator): what it keeps
    is kept under the content version read on entering, before any of its content. A part
    rendered from content read before (an article's text, a card) once a newer version has
    come meanwhile is built and not kept: kept under the newer version, it would show the
    older content until the next change."""
    if _PAGE_VERSION.get() is not None:  # the page's own version, read first, stands
        yield
        return
    token = _PAGE_VERSION.set(versions.current())
    prefetched = _PREFETCHED.set({})
    try:
        yield
    finally:
        _PREFETCHED.reset(prefetched)
        _PAGE_VERSION.reset(token)


def prefetch(*names):
    """Read ahead, in one round trip of the shared cache, the values named ``names`` that the
    page being built (``one_version``) will ask ``remember`` for and this worker's memory
    lacks. Each round trip is a wait, and on a busy server a wait for a turn on a core: a page
    that asked for six values one by one waited six times."""
    prefetched, page = _PREFETCHED.get(), _PAGE_VERSION.get()
    version = versions.current()
    if prefetched is None or not version.confirmed or page.key != version.key:
        return  # outside a page, or its values are built, not read (``remember``)
    wanted = [keys.part(name, version) for name in names if MEMORY.get(name, version) is None]
    wanted = [key for key in wanted if key not in prefetched]
    if wanted:
        found = cache.get_many(wanted)
        prefetched.update({key: found.get(key) for key in wanted})


def remember(key, build, *, scope=PAGES, shared=True, large=False):
    """The value ``build()`` makes for the current version of ``scope``, built once per
    version.

    Kept in this worker's memory and, when ``shared``, in the shared cache for the other
    workers. Cheap values that are slower to fetch than to build (rendered cards) are kept
    in the worker only. ``large`` values, of which a site has thousands (an article with
    its body), are kept in the worker within a budget of bytes (``WorkerMemory``), the most
    recently used. A ``build()`` that returns None is asked again next time. While the
    content version cannot be confirmed, parts of the pages are built again, never taken
    from what was kept.
    """
    version = versions.current(scope)
    if not version.confirmed and scope == PAGES:
        # The database cannot be asked: the version last read may have been replaced by a
        # withdrawal (a story unpublished) that this worker never learnt of. What was kept for
        # it would build that story's pages again from memory alone, with no query to fail:
        # built from the database or not at all (then only a copy that ``may_fall_back``).
        # Furniture (the paywall's settings) still serves, to choose which copy.
        return build()
    if scope == PAGES and (page := _PAGE_VERSION.get()) is not None and page.key != version.key:
        return build()  # from content the page read under an older version: not kept
    value = MEMORY.get(key, version)
    if value is not None:
        return value
    shared_key = keys.part(key, version)
    prefetched = _PREFETCHED.get() if shared else None
    read_ahead = prefetched is not None and shared_key in prefetched
    value = prefetched[shared_key] if read_ahead else (cache.get(shared_key) if shared else None)
    if value is None:
        value = build()
        if shared and value is not None:
            if read_ahead:
                prefetched[shared_key] = value  # for the same page asking again
            cache.set(
                shared_key,
                value,
                FURNITURE_TIMEOUT if scope != PAGES else settings.PAGE_CACHE_TIMEOUT,
            )
    if value is not None:
        page_version = version if scope == PAGES else versions.current()
        MEMORY.set(key, version, value, page_version, large=large)
    return value


def cached_lookup(name, build):
    """Site furniture (the menu, the ads, the paywall settings), kept until the models it is
    built from change (``registry.furniture(name, …)``): it survives article edits, so a page
    rebuilt after a publication only queries for its own content."""
    return remember(f"lookup:{name}", build, scope=name)
