"""Reader pages from the cache: what is kept for an address, when it is served, and the
headers that let browsers and CDNs keep it too.

Pages live in the default cache (Redis in production, else the worker's memory) and, when that
is not in the worker's own memory, also in a local tier of each worker (``local-pages`` in
settings.CACHES). An entry is served only under the content version it was built for
(pagecache/versions.py).

Only what readers can reach through the site's links is kept: a list's pages by their number
as the links write it, never search results (any text would make a new page). Made-up
addresses cannot fill the cache.

Without Redis, pages are built from the database: slower, correct. Without the database, a
reader still gets the copy of a page last kept, even one of an older version; anything else is
a 503 (newsroom/views.py).
"""

import contextlib
import functools
import re
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache, caches
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers, set_response_etag
from django.utils.functional import SimpleLazyObject
from django.utils.http import http_date

from newsroom.views import DATABASE_UNREACHABLE
from pagecache import keys, parts, surrogates, versions

LOCAL_PAGES = "local-pages"  # the name of the worker-memory cache tier in settings.CACHES
PAGE_NUMBER = re.compile(r"[1-9][0-9]*")  # as the site's links write it


def has_session(request):
    """Whether the visitor is signed in (a reader or staff). Without a session cookie, telling
    so need not load a session; a cookie naming no signed-in session (made up, expired, signed
    out) costs one query, never a page built afresh."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated


def is_staff(request):
    """Whether the visitor is signed in as staff, who always get pages built afresh: they may
    see what readers cannot (a story not out yet, links to edit)."""
    return has_session(request) and request.user.is_staff


@dataclass
class CachedPage:
    """What the cache holds for one address: the page in each of its variants, and ``meta``,
    what the view needs to know before it can choose a variant (an article's address and
    access level). The entry records the content version it was built for, and counts as
    empty under any other version: a new version needs no deletion, entries are replaced.

    ``answers`` holds, for each scheme, the variant an anonymous visitor gets and the headers
    the whole middleware stack gave it (as Django's ``ResponseHeaders`` store them), so that
    the answer in front of Django can be given (pagecache/fastpath.py); ``page_parameter`` names
    the query parameter of a list's page number, for the same reason.

    ``key`` is None for a page that is never kept; ``older`` is the entry of an older version
    found at the address, served only while the database is unreachable."""

    key: str | None
    version: versions.Version
    variants: dict = field(default_factory=dict)
    meta: object = None
    older: dict | None = None
    answers: dict = field(default_factory=dict)
    page_parameter: str | None = None

    @classmethod
    def read(cls, request, page_parameter=None, version=None):
        """This address's entry, from the worker's own memory if it has it, else from the
        shared cache. ``page_parameter`` names the query parameter of a list's page number;
        ``version``, the current version if the caller has just read it."""
        version = version or parts.page_version() or versions.current()
        key = _page_key(request, page_parameter)
        if key is None:
            return cls(None, version)
        # While the version cannot be confirmed, only the shared cache can tell of a page
        # withdrawn meanwhile (``withdraw``): the worker's own copy is not trusted.
        local = _local_pages() if version.confirmed else None
        entry = local.get(key) if local else None
        if entry is None or entry["version"] != version.key:
            older = entry
            entry = cache.get(key)
            if entry is None or entry["version"] != version.key:
                return cls(key, version, older=entry or older, page_parameter=page_parameter)
            if local:
                local.set(key, entry, timeout=settings.PAGE_CACHE_TIMEOUT)
        if not version.confirmed and not may_fall_back(entry):
            return cls(key, version, page_parameter=page_parameter)
        return cls(
            key,
            version,
            entry["variants"],
            entry["meta"],
            answers=entry.get("answers", {}),
            page_parameter=page_parameter or entry.get("page_parameter"),
        )

    @classmethod
    def never_kept(cls):
        return cls(None, versions.current())

    def store(self, variant, response, meta=None, shows=()):
        """Keep ``response`` as ``variant``, with the keys of what it ``shows``
        (pagecache/surrogates.py)."""
        if self.key is None:
            return
        self.variants[variant] = (
            response.status_code,
            response["Content-Type"],
            response["ETag"],
            response.content,
            sorted(shows),
        )
        # Headers kept for another copy of this variant would not match this one.
        self.answers = {scheme: a for scheme, a in self.answers.items() if a[0] != variant}
        if meta is not None:
            self.meta = meta
        self._write()

    def keep_answer(self, scheme, variant, headers):
        """Keep ``headers``, what the middleware stack gave the anonymous visitor's ``variant``
        over ``scheme``, to be answered with in front of Django (pagecache/fastpath.py)."""
        if self.key is None or variant not in self.variants:
            return
        self.answers = {**self.answers, scheme: (variant, headers)}
        self._write()

    def _write(self):
        entry = {
            "version": self.version.key,
            "number": self.version.number,
            "variants": self.variants,
            "meta": self.meta,
            "answers": self.answers,
            "page_parameter": self.page_parameter,
        }
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
            if not may_fall_back(self.older) or self.older["meta"] is None:
                raise
            return self.older["meta"]


def _local_pages():
    """The worker's own copy of the pages it serves, in front of a shared cache (Redis); none
    when the cache is already in the worker's memory."""
    return caches[LOCAL_PAGES] if LOCAL_PAGES in settings.CACHES else None


def is_reader(request):
    """Whether the request may get a page from the cache: a reader, anonymous or signed in, not
    staff (who always get a fresh page), reading. A signed-in reader's page is the anonymous
    reader's page of the same paywall decision: no reader page shows anything personal (the
    account link says « Mon compte » to everyone), and one that would is never kept
    (``_view_use``)."""
    return request.method in ("GET", "HEAD") and not is_staff(request)


@parts.one_version()
def cached_response(request, build, variant="", page=None, meta=None, *, page_parameter=None):
    """The page ``build()`` makes, from the cache for readers (``is_reader``).

    ``variant`` names what else the page depends on (the paywall's decision), so that each
    version of a page is cached apart and none is ever served to the wrong reader. ``page`` is
    the entry if the view has already read it (``CachedPage.read``); ``meta`` is stored with it.
    ``page_parameter`` names the query parameter of a list's page number.
    """
    if not is_reader(request):
        response = build()
        if hasattr(response, "render"):
            response.render()  # under the version its content was read under (one_version)
        patch_cache_control(response, private=True, no_cache=True)
        response.page_cache_status = "bypass"  # for the request log
        return response

    signed_in = has_session(request)
    page = page or CachedPage.read(request, page_parameter)
    older = False
    cached = page.variants.get(variant)
    if cached is None:
        try:
            with surrogates.collecting() as shows, _view_use(request) as used:
                response = build()
        except DATABASE_UNREACHABLE:
            cached = may_fall_back(page.older) and page.older["variants"].get(variant)
            if not cached:
                raise
            older = True  # better a slightly old page than an error
        else:
            if hasattr(response, "render"):
                response.render()
            if _is_cacheable(request, response, used):
                set_response_etag(response)
                page.store(variant, response, meta, shows)
            surrogates.add_header(response, shows)
    if cached is not None:
        older = older or not page.version.confirmed
        status, content_type, etag, content, *shown = cached
        response = HttpResponse(content, status=status, content_type=content_type)
        response["ETag"] = etag  # computed once, when the page was stored
        surrogates.add_header(response, shown[0] if shown else [surrogates.SITE])
    response.page_cache_status = "miss" if cached is None else "older" if older else "hit"
    if not signed_in and not older and variant in page.variants:
        # An anonymous visitor's kept page: the next one may be answered in front of Django.
        response.kept_page = (page, variant)
    if signed_in or settings.SESSION_COOKIE_NAME in request.COOKIES:
        # The page of every reader of the same decision, but asked with a session: kept by no
        # shared cache (a CDN that ignores Vary: Cookie must not hand it to others). Nor with
        # a session cookie that names none (made up, expired, signed out): SessionMiddleware
        # answers it with a Set-Cookie that deletes the cookie, which a shared cache keeping
        # the answer would hand to every reader, signing them out.
        patch_cache_control(response, private=True, no_cache=True)
    elif older:
        # Not to be kept by a CDN once the database answers again.
        patch_cache_control(response, public=True, no_cache=True)
    elif page.key is None:
        # Never kept here (search results, a page number the links never write): nor by a CDN,
        # which no purge could reach for them and any text would fill.
        patch_cache_control(response, private=True, no_cache=True)
    elif response.status_code == 200 and (last_modified := _last_modified(page.version)):
        response["Last-Modified"] = last_modified
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


def _last_modified(version):
    """The pages' Last-Modified: when ``version`` started, to the second (HTTP dates have no
    finer grain); None while a page of an older version of the same second may still be about.

    Two versions can start within one second (an unpublication right after a publication):
    both would say the same Last-Modified, and a copy of the first, asked again with that date
    alone (If-Modified-Since, without its ETag), would be answered 304 and kept. So the date
    is said only from one second after it, plus the time a worker may go on with the version
    it last read (``PAGE_CACHE_RECHECK``): by then every page answered is of the last version
    started in that second, and any later version says a later date. Before that, the ETag
    alone tells copies apart."""
    if _clock() < int(version.since) + 1 + settings.PAGE_CACHE_RECHECK:
        return None
    return _http_date(int(version.since))


def _clock():
    return time.time()  # replaced by tests


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
    return keys.page(request.path, query)


def _is_cacheable(request, response, used):
    # A page that set a cookie, used a CSRF token, or whose view read the session or the user
    # is personal.
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Vary")
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not used.session
        and not used.user
    )


class _Use:
    session = user = False


@contextlib.contextmanager
def _view_use(request):
    """What the view reads of the visitor while it builds a page that may be kept: ``session``
    and ``user`` are true once it read either.

    The page cache itself read the session before the view ran, to tell a signed-in reader
    from staff, and so did the paywall for its decision (the variant's name says what it
    found). That read is not the view's: the session's ``accessed`` flag is cleared while the
    view runs, then set again for SessionMiddleware, which reads it. The user the view sees is
    the same user behind a proxy that records any use of it (a template showing the reader's
    name): such a page is sent, never kept."""
    used = _Use()
    session = getattr(request, "session", None)
    accessed = session is not None and session.accessed
    had_user = "user" in request.__dict__
    user = request.__dict__.get("user")
    if session is not None:
        session.accessed = False
    if had_user:
        request.user = _watched(user, used)
    try:
        yield used
    finally:
        if session is not None:
            used.session = session.accessed
            session.accessed = session.accessed or accessed
        if had_user:
            request.user = user


def _watched(user, used):
    """``user`` as a lazy object (Django's, which stands for its object in every use: its
    attributes, ``str()``, comparisons, ``isinstance``): its first use marks it ``used``."""

    def use():
        used.user = True
        return user

    return SimpleLazyObject(use)


def reader_page(view=None, *, page_parameter=None):
    """Cache a reader page for readers and make it cacheable by browsers and CDNs.

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


def kept_by_no_shared_cache_unless_said(get_response):
    """Middleware: only reader pages, which carry the keys a purge reaches
    (pagecache/surrogates.py), may be kept by a CDN. An answer that says nothing of caching (a
    404 at the address of a story not published yet or withdrawn, an old address's redirect,
    an error) is marked private: a CDN would keep it out of reach of every purge, and the story
    that later takes the address would stay hidden behind it."""

    def middleware(request):
        response = get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        return response

    return middleware


def withdraw(using="default"):
    """Something readers could see is theirs no longer (an article unpublished, deleted, put
    behind the paywall; the paywall switched on): call it in the change's transaction.

    No copy built before the change is then served as a fallback while the database is
    unreachable (``may_fall_back``), whatever page shows it: the article's own, the lists'.
    Recorded before the commit: a process that died between its commit and a later write
    would leave the withdrawn copies servable; a change rolled back only costs fallbacks.
    """
    number = versions.number_after_commit(using)
    cache.set(keys.withdrawal(), number, timeout=settings.PAGE_CACHE_TIMEOUT)


def may_fall_back(entry):
    """Whether ``entry``, kept for a version the worker cannot confirm or an older one, may be
    served while the database is unreachable: only from a cache every process shares (where
    withdrawals are recorded), and only if built after the last withdrawal."""
    if entry is None or entry.get("version") is None:
        return False
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        return False  # pages in each process's memory: another's withdrawal is unknown here
    withdrawn = cache.get(keys.withdrawal())
    return withdrawn is None or entry.get("number", 0) >= withdrawn


def withdrawn_at(model, withdraws):
    """A save of a ``model`` row for which ``withdraws(instance)`` is true, or a deletion,
    withdraws what readers saw of it (``withdraw``). Writes that send no signal
    (``QuerySet.update()``) must call ``withdraw`` themselves."""

    def receiver(instance, signal, using, **kwargs):
        if signal is post_delete or withdraws(instance):
            withdraw(using=using)

    for signal in (post_save, post_delete):
        signal.connect(receiver, sender=model, weak=False)
