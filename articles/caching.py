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
"""

import functools
import hashlib
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.http import http_date

VERSION_KEY = "newsroom:content-version"
LOCAL_PAGES = "local-pages"  # the name of the worker-memory cache tier in settings.CACHES
# The query parameters reader pages read; any other one does not change a page.
PAGE_PARAMETERS = {"page", "q", "p"}  # "p": the sitemaps framework's pages


# The version this worker last read, and when: (version, read_at).
_known = None


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
    if version is None or _due(version):
        version = new_content_version()
    _remember(version, now)
    return version


def _due(version):
    """Whether a scheduled publication has fallen due since ``version`` started."""
    return version["until"] is not None and time.time() >= version["until"]


def _remember(version, now=None):
    global _known
    _known = (version, now or time.time()) if version is not None else None


def new_content_version():
    from articles.models import Article

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
    """Whether the visitor may be signed in (a reader or staff): without a session cookie, the
    request is anonymous, and telling so need not load a session."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


@dataclass
class CachedPage:
    """What the cache holds for one address: the page in each of its variants, and ``meta``,
    what the view needs to know before it can choose a variant (an article's address and
    access level). The entry records the content version it was built for, and counts as
    empty under any other version: a new version needs no deletion, entries are replaced."""

    key: str
    version: dict
    variants: dict = field(default_factory=dict)
    meta: object = None

    @classmethod
    def read(cls, request):
        """This address's entry, from the worker's own memory if it has it, else from the
        shared cache."""
        version = content_version()
        key = f"newsroom:page:{_page_address(request)}"
        local = _local_pages()
        entry = local.get(key) if local else None
        if entry is None or entry["version"] != version["key"]:
            entry = cache.get(key)
            if entry is None or entry["version"] != version["key"]:
                return cls(key, version)
            if local:
                local.set(key, entry, timeout=settings.PAGE_CACHE_TIMEOUT)
        return cls(key, version, entry["variants"], entry["meta"])

    def store(self, variant, response, meta=None):
        self.variants[variant] = (
            response.status_code,
            response["Content-Type"],
            response["ETag"],
            response.content,
        )
        if meta is not None:
            self.meta = meta
        entry = {"version": self.version["key"], "variants": self.variants, "meta": self.meta}
        cache.set(self.key, entry, timeout=settings.PAGE_CACHE_TIMEOUT)
        if local := _local_pages():
            local.set(self.key, entry, timeout=settings.PAGE_CACHE_TIMEOUT)


def _local_pages():
    """The worker's own copy of the pages it serves, in front of a shared cache (Redis); none
    when the cache is already in the worker's memory."""
    return caches[LOCAL_PAGES] if LOCAL_PAGES in settings.CACHES else None


def is_anonymous_reader(request):
    """Whether the request may get a page from the cache: a reader neither signed in nor staff
    (who always get a fresh page), reading."""
    return request.method in ("GET", "HEAD") and not has_session(request)


def cached_response(request, build, variant="", page=None, meta=None):
    """The page ``build()`` makes, from the cache for anonymous visitors.

    ``variant`` names what else the page depends on (the paywall's decision), so that each
    version of a page is cached apart and none is ever served to the wrong reader. ``page`` is
    the entry if the view has already read it (``CachedPage.read``); ``meta`` is stored with it.
    """
    if not is_anonymous_reader(request):
        response = build()
        patch_cache_control(response, private=True, no_cache=True)
        return response

    page = page or CachedPage.read(request)
    cached = page.variants.get(variant)
    if cached is not None:
        status, content_type, etag, content = cached
        response = HttpResponse(content, status=status, content_type=content_type)
        response["ETag"] = etag  # computed once, when the page was stored
    else:
        response = build()
        if hasattr(response, "render"):
            response.render()
        if _is_cacheable(request, response):
            set_response_etag(response)
            page.store(variant, response, meta)
    if response.status_code == 200:
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


def _page_address(request):
    """What identifies a page in the cache: its path, and only the query parameters reader
    pages use, so that made-up parameters cannot fill the cache with copies. Not the scheme nor
    the host: pages take their absolute URLs from the site's address (newsroom/site.py). Hashed,
    since a long query must not make an invalid cache key."""
    query = ""
    if request.META.get("QUERY_STRING"):
        query = urlencode(sorted((k, v) for k, v in request.GET.items() if k in PAGE_PARAMETERS))
    address = f"{request.path}?{query}"
    return hashlib.sha256(address.encode()).hexdigest()


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


def reader_page(view):
    """Cache a reader page for anonymous visitors and make it cacheable by browsers and CDNs."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return cached_response(request, lambda: view(request, *args, **kwargs))

    return wrapper
