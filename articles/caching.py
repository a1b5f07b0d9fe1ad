"""The full-page cache for anonymous readers, and why it is never stale.

Every cached page is stored under the current *content version*. Any change to what readers
can see (an article saved, published, unpublished, a section, author, image or ad edited)
starts a new version once its transaction commits, so every page is rebuilt at its next
request. A scheduled article needs no save to appear: the version also records when the next
scheduled publication falls due, and the first request after that moment starts a new version.
"""

import functools
import hashlib
import time
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import http_date

VERSION_KEY = "newsroom:content-version"
# The query parameters reader pages read; any other one does not change a page.
PAGE_PARAMETERS = {"page", "q", "p"}  # "p": the sitemaps framework's pages


def content_version():
    """The current version: a dict with its ``key``, ``since`` and ``until`` timestamps."""
    version = cache.get(VERSION_KEY)
    if version is None or (version["until"] is not None and time.time() >= version["until"]):
        version = new_content_version()
    return version


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
    return version


def forget_content_version():
    cache.delete(VERSION_KEY)


def content_changed(**kwargs):
    """Signal receiver: the next request starts a new version.

    Once now, and again when the transaction commits: a page rendered in between, from data
    the transaction had not yet committed, is then never served.
    """
    forget_content_version()
    transaction.on_commit(forget_content_version)


def cached_lookup(name, build):
    """Site furniture (the menu, the ads, the paywall settings), kept until its models change.

    Unlike pages, these survive article edits, so a page rebuilt after a publication only
    queries for its own content. ``forget_lookup`` is connected to the models each depends on.
    """
    key = f"newsroom:lookup:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=None)
    return value


def forget_lookup(name):
    """A signal receiver factory: drop the lookup ``name`` once the change commits."""

    def receiver(**kwargs):
        cache.delete(f"newsroom:lookup:{name}")
        transaction.on_commit(lambda: cache.delete(f"newsroom:lookup:{name}"))

    return receiver


def get_by_version(name, version):
    """A value derived from content, stored for ``version`` (see content_version()), or None."""
    return cache.get(f"newsroom:{name}:{version['key']}")


def store_by_version(name, value, version):
    cache.set(f"newsroom:{name}:{version['key']}", value, settings.PAGE_CACHE_TIMEOUT)


def has_session(request):
    """Whether the visitor may be signed in (a reader or staff): without a session cookie, the
    request is anonymous, and telling so need not load a session."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _is_anonymous_reader(request):
    # A signed-in reader or staff member always gets a fresh page.
    return request.method in ("GET", "HEAD") and not has_session(request)


def cached_response(request, build, variant="", version=None):
    """The page ``build()`` makes, from the cache for anonymous visitors.

    ``variant`` names what else the page depends on (the paywall's decision), so that each
    version of a page is cached apart and none is ever served to the wrong reader.
    """
    if not _is_anonymous_reader(request):
        response = build()
        patch_cache_control(response, private=True, no_cache=True)
        return response

    version = version or content_version()
    address = _page_address(request)
    key = f"newsroom:page:{version['key']}:{variant}:{address}"
    cached = cache.get(key)
    if cached is not None:
        status, content_type, content = cached
        response = HttpResponse(content, status=status, content_type=content_type)
    else:
        response = build()
        if hasattr(response, "render"):
            response.render()
        if _is_cacheable(request, response):
            cache.set(
                key,
                (response.status_code, response["Content-Type"], response.content),
                timeout=settings.PAGE_CACHE_TIMEOUT,
            )
    if response.status_code == 200:
        response["Last-Modified"] = http_date(version["since"])
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


def _page_address(request):
    """What identifies a page in the cache: scheme and host (pages carry absolute URLs), path,
    and only the query parameters reader pages use, so that made-up parameters cannot fill
    the cache with copies. Hashed, since a long query must not make an invalid cache key."""
    params = sorted((k, v) for k, v in request.GET.items() if k in PAGE_PARAMETERS)
    address = f"{request.scheme}://{request.get_host()}{request.path}?{urlencode(params)}"
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
