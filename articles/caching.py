"""The full-page cache for anonymous readers, and why it is never stale.

Every cached page is stored with the *content version* it was built for, and served only
under that version. Any change to what readers can see (an article
saved, published, unpublished, a section, author, image or ad edited) starts a new version
once its transaction commits, so every page is rebuilt at its next request. A scheduled
article needs no save to appear: the version also records when the next scheduled
publication falls due, and the first request after that moment starts a new version.

Pages live in the shared cache (Redis in production) and, when that is not in the worker's own
memory, also in a local tier of each worker (``local-pages`` in settings.CACHES). A worker
re-reads the version from the shared cache once a second at most, so the page it serves most
costs it no round trip; see ``content_version()``.

Only what readers can reach through the site's links is kept: a list's pages by their number
as the links write it, never search results (any text would make a new page). Made-up
addresses cannot fill the cache.

Without Redis a worker hears nothing of the others' changes: it then keeps pages in its own
memory under a version of its own, renewed at every re-check, so that a change anywhere still
shows everywhere within the same delay. When Redis answers again, the worker starts a new
version rather than trust the one Redis kept: any process may have changed content meanwhile.
Without the database, a reader still gets the copy of a page last kept, even one of an older
version; anything else is a 503 (newsroom/views.py).
"""

import functools
import hashlib
import re
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.db.models.signals import post_save
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import http_date

from newsroom.cache import is_reachable, outages_ended
from newsroom.views import DATABASE_UNREACHABLE

VERSION_KEY = "newsroom:content-version"
LOCAL_PAGES = "local-pages"  # the name of the worker-memory cache tier in settings.CACHES
PAGE_NUMBER = re.compile(r"[1-9][0-9]*")  # as the site's links write it


# The version this worker last read, and when: (version, read_at).
_known = None
# The outages of the shared cache this worker had seen end when it last started a version.
_outages_ended_seen = 0


def content_version():
    """The current version: a dict with its ``key``, ``since`` and ``until`` timestamps.

    A worker reads it from the shared cache at most once per ``PAGE_CACHE_RECHECK`` seconds
    (1 by default): a cached page then costs no round trip to Redis. A change made in this
    worker shows at once; one made in another worker shows here within that delay.
    """
    known, now = _known, time.time()
    if known is not None and now - known[1] < settings.PAGE_CACHE_RECHECK and not _due(known[0]):
        return known[0]
    version = cache.get(VERSION_KEY)
    if not is_reachable(cache):
        # No news from other workers: a version of this worker's own, for the same delay.
        version = {"key": uuid.uuid4().hex[:12], "since": now, "until": None, "shared": False}
        _remember(version, now)
        return version
    # After an outage, Redis may hold a version that another process could not end (a change
    # saved meanwhile, its deletion lost): a new one then, so nothing kept before is served.
    if version is None or _due(version) or outages_ended(cache) != _outages_ended_seen:
        try:
            version = new_content_version()
        except DATABASE_UNREACHABLE:
            # No new version can start: the one whose scheduled publication fell due, or one
            # that no page was kept for (they then count as older copies, CachedPage.older).
            return version or {"key": uuid.uuid4().hex[:12], "since": now, "until": None}
    _remember(version, now)
    return version


def _is_shared(version):
    """Whether other workers know ``version``: not one made while Redis was unreachable."""
    return version.get("shared", True)


def _due(version):
    """Whether a scheduled publication has fallen due since ``version`` started."""
    return version["until"] is not None and time.time() >= version["until"]


def _remember(version, now=None):
    global _known
    _known = (version, now or time.time()) if version is not None else None


def new_content_version():
    from articles.models import Article

    global _outages_ended_seen
    ended = outages_ended(cache)

    next_scheduled = (
        Article.objects.scheduled().order_by("published_at").values_list("published_at", flat=True)
    ).first()
    version = {
        "key": uuid.uuid4().hex[:12],
        "since": time.time(),
        "until": next_scheduled.timestamp() if next_scheduled else None,
    }
    cache.set(VERSION_KEY, version, timeout=None)
    _remember(version)
    _outages_ended_seen = ended
    return version


def forget_content_version():
    cache.delete(VERSION_KEY)
    _remember(None)


def content_changed(**kwargs):
    """Signal receiver: the next request starts a new version.

    Once now, and again when the transaction commits: a page rendered in between, from data
    the transaction had not yet committed, is then never served.
    """
    forget_content_version()
    transaction.on_commit(forget_content_version)


# Values derived from content that this worker built or read, with the content version each
# belongs to: {key: (version key, value)}. Emptied when a new version is first seen (the old
# values are dead) and when full; a value of another version is never returned.
_worker_memory = {}
_worker_memory_version = None
WORKER_MEMORY_ENTRIES = 5_000


def remember(key, build, version=None, *, shared=True):
    """The value ``build()`` makes for the current content version, built once per version.

    Kept in this worker's memory and, when ``shared``, in the shared cache for the other
    workers. Cheap values that are slower to fetch than to build (rendered cards) are kept
    in the worker only. A ``build()`` that returns None is asked again next time.
    """
    global _worker_memory_version
    version = version or content_version()
    if version["key"] != _worker_memory_version or len(_worker_memory) >= WORKER_MEMORY_ENTRIES:
        _worker_memory.clear()
        _worker_memory_version = version["key"]
    found = _worker_memory.get(key)
    if found is not None and found[0] == version["key"]:
        return found[1]
    shared = shared and _is_shared(version)
    shared_key = f"newsroom:{key}:{version['key']}"
    value = cache.get(shared_key) if shared else None
    if value is None:
        value = build()
        if shared and value is not None:
            cache.set(shared_key, value, settings.PAGE_CACHE_TIMEOUT)
    if value is not None:
        _worker_memory[key] = (version["key"], value)
    return value


def cached_lookup(name, build):
    """Site furniture (the menu, the ads, the paywall settings), kept until its models change.

    Unlike pages, these survive article edits in the shared cache, so a page rebuilt after a
    publication only queries for its own content. ``forget_lookup`` is connected to the models
    each depends on; those models also start a new content version, so the copy each worker
    keeps for the current version is never older than the version.
    """
    key = f"newsroom:lookup:{name}"

    def build_or_fetch():
        value = cache.get(key)
        if value is None:
            value = build()
            cache.set(key, value, timeout=None)
        return value

    return remember(f"lookup:{name}", build_or_fetch, shared=False)


def forget_lookup(name):
    """A signal receiver factory: drop the lookup ``name`` once the change commits."""

    def receiver(**kwargs):
        cache.delete(f"newsroom:lookup:{name}")
        transaction.on_commit(lambda: cache.delete(f"newsroom:lookup:{name}"))

    return receiver


def has_session(request):
    """Whether the visitor is signed in (a reader or staff). Without a session cookie, telling
    so need not load a session; a cookie naming no signed-in session (made up, expired, signed
    out) costs one query, never a page built afresh."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated


@dataclass
class CachedPage:
    """What the cache holds for one address: the page in each of its variants, and ``meta``,
    what the view needs to know before it can choose a variant (an article's address and
    access level). The entry records the content version it was built for, and counts as
    empty under any other version: a new version needs no deletion, entries are replaced.

    ``key`` is None for a page that is never kept; ``older`` is the entry of an older version
    found at the address, served only while the database is unreachable."""

    key: str | None
    version: dict
    variants: dict = field(default_factory=dict)
    meta: object = None
    older: dict | None = None

    @classmethod
    def read(cls, request, page_parameter=None):
        """This address's entry, from the worker's own memory if it has it, else from the
        shared cache. ``page_parameter`` names the query parameter of a list's page number."""
        version = content_version()
        key = _page_key(request, page_parameter)
        if key is None:
            return cls(None, version)
        local = _local_pages()
        entry = local.get(key) if local else None
        if entry is None or entry["version"] != version["key"]:
            older = entry
            entry = cache.get(key)
            if entry is None or entry["version"] != version["key"]:
                return cls(key, version, older=entry or older)
            if local:
                local.set(key, entry, timeout=settings.PAGE_CACHE_TIMEOUT)
        return cls(key, version, entry["variants"], entry["meta"])

    @classmethod
    def never_kept(cls):
        return cls(None, content_version())

    def store(self, variant, response, meta=None):
        if self.key is None:
            return
        self.variants[variant] = (
            response.status_code,
            response["Content-Type"],
            response["ETag"],
            response.content,
        )
        if meta is not None:
            self.meta = meta
        entry = {"version": self.version["key"], "variants": self.variants, "meta": self.meta}
        if _is_shared(self.version):
            cache.set(self.key, entry, timeout=settings.PAGE_CACHE_TIMEOUT)
        if local := _local_pages():
            local.set(self.key, entry, timeout=settings.PAGE_CACHE_TIMEOUT)

    def meta_or(self, build):
        """The ``meta`` kept with the page, else what ``build()`` finds; while the database is
        unreachable, the meta kept with an older copy of the page."""
        if self.meta is not None:
            return self.meta
        try:
            return build()
        except DATABASE_UNREACHABLE:
            if self.older is None or self.older["meta"] is None:
                raise
            return self.older["meta"]


def _local_pages():
    """The worker's own copy of the pages it serves, in front of a shared cache (Redis); none
    when the cache is already in the worker's memory."""
    return caches[LOCAL_PAGES] if LOCAL_PAGES in settings.CACHES else None


def is_anonymous_reader(request):
    """Whether the request may get a page from the cache: a reader neither signed in nor staff
    (who always get a fresh page), reading."""
    return request.method in ("GET", "HEAD") and not has_session(request)


def cached_response(request, build, variant="", page=None, meta=None, *, page_parameter=None):
    """The page ``build()`` makes, from the cache for anonymous visitors.

    ``variant`` names what else the page depends on (the paywall's decision), so that each
    version of a page is cached apart and none is ever served to the wrong reader. ``page`` is
    the entry if the view has already read it (``CachedPage.read``); ``meta`` is stored with it.
    ``page_parameter`` names the query parameter of a list's page number.
    """
    if not is_anonymous_reader(request):
        response = build()
        patch_cache_control(response, private=True, no_cache=True)
        return response

    page = page or CachedPage.read(request, page_parameter)
    older = False
    cached = page.variants.get(variant)
    if cached is None:
        try:
            response = build()
        except DATABASE_UNREACHABLE:
            cached = page.older and page.older["variants"].get(variant)
            if not cached:
                raise
            older = True  # better a slightly old page than an error
        else:
            if hasattr(response, "render"):
                response.render()
            if _is_cacheable(request, response):
                set_response_etag(response)
                page.store(variant, response, meta)
    if cached is not None:
        status, content_type, etag, content = cached
        response = HttpResponse(content, status=status, content_type=content_type)
        response["ETag"] = etag  # computed once, when the page was stored
    if older:
        # Not to be kept by a CDN once the database answers again.
        patch_cache_control(response, public=True, no_cache=True)
    elif response.status_code == 200:
        response["Last-Modified"] = _http_date(page.version["since"])
        patch_cache_control(
            response,
            public=True,
            max_age=0,
            s_maxage=settings.PAGE_CACHE_SHARED_MAX_AGE,
            stale_while_revalidate=30,
        )
    # A shared cache must keep visitors with cookies (signed-in readers) apart.
    patch_vary_headers(response, ["Cookie"])
    return response


@functools.lru_cache(maxsize=4)
def _http_date(timestamp):
    return http_date(timestamp)  # the same for every page of a version


def _page_key(request, page_parameter=None):
    """What identifies a page in the cache: its path and a list's page number (page 1 is the
    page without a number); other query parameters do not change a page. Not the scheme nor
    the host: pages take their absolute URLs from the site's address (newsroom/site.py). None
    for a page number that the site's links never write ("abc", "01", "last"): that page is
    built but not kept."""
    query = ""
    if page_parameter and (number := request.GET.get(page_parameter)) is not None:
        if not PAGE_NUMBER.fullmatch(number):
            return None
        if number != "1":
            query = f"{page_parameter}={number}"
    return _address_key(request.path, query)


def _address_key(path, query=""):
    address = f"{path}?{query}"
    return f"newsroom:page:{hashlib.sha256(address.encode()).hexdigest()}"  # a valid cache key


def article_withdrawn(sender, instance, signal, **kwargs):
    """Signal receiver: an article readers may no longer see (unpublished, scheduled again,
    deleted) leaves at its address an empty entry in place of its older copy, which a reader
    would otherwise get while the database is unreachable."""
    if signal is post_save and instance.is_visible:
        return
    if {"slug", "category_id"} & instance.get_deferred_fields():
        return  # deleted in bulk, its address unread (the benchmark's generated articles)
    key = _address_key(instance.get_absolute_url())
    withdrawn = {"version": None, "variants": {}, "meta": None}

    def replace_older_copy():
        cache.set(key, withdrawn, timeout=settings.PAGE_CACHE_TIMEOUT)
        if local := _local_pages():
            local.set(key, withdrawn, timeout=settings.PAGE_CACHE_TIMEOUT)

    transaction.on_commit(replace_older_copy)


def _is_cacheable(request, response):
    session = getattr(request, "session", None)
    # A page that set a cookie, used a CSRF token or read the session is personal.
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Vary")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not (session is not None and session.accessed)
    )


def reader_page(view=None, *, page_parameter=None):
    """Cache a reader page for anonymous visitors and make it cacheable by browsers and CDNs.

    ``@reader_page``, or ``@reader_page(page_parameter="page")`` for a list whose page number
    is in that query parameter.
    """
    if view is None:
        return functools.partial(reader_page, page_parameter=page_parameter)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return cached_response(
            request, lambda: view(request, *args, **kwargs), page_parameter=page_parameter
        )

    return wrapper
