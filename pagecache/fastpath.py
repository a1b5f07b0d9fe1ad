"""Kept pages answered in front of Django, with the headers the whole stack gave them.

A page from the cache costs little, but Django's handling of a request (the request object,
its signals, the middleware stack around the view: sessions, locale, CSRF, auth, the CSP, the
security headers, the conditional GET…) costs more than reading it. The first time a kept page
goes out to an anonymous visitor, the middleware ``record_answers`` records the headers the
stack gave it, beside the page in its cache entry (``CachedPage.keep_answer``), one set per
scheme (HSTS is sent over HTTPS alone). The next anonymous visitor asking for that address
under the same content version gets the page and those headers from ``KeptPages``, the WSGI
application in front of Django's (newsroom/wsgi.py), without Django's handler.

Each worker keeps the answers it gave lately in its memory (``MEMORY``), under the content
version, the address and the scheme, ready for the server: a page it answered before costs no
cache read. An answer kept under an older version is never served: a new version is a new key.

Everything the stack would have done differently goes the long way, through Django, where it
is done:

- a method other than GET and HEAD, a cookie that changes the page (the session's, and
  whatever ``personal_cookie()`` names: the paywall's meter), a query string other than the
  list's page number as the site's links write it (``?page=2``; ``/?p=123``, an old WordPress
  address, or ``?utm_source=…`` are served from the cache the long way), a static file, the
  health check (``passes``);
- a Host that ``ALLOWED_HOSTS`` refuses (Django's own check, ``request.get_host()``: the long way
  answers 400), plain HTTP when ``SECURE_SSL_REDIRECT`` sends it to HTTPS (``request.scheme``
  reads ``SECURE_PROXY_SSL_HEADER``), every request when ``PREPEND_WWW`` or
  ``DISALLOWED_USER_AGENTS`` is set (CommonMiddleware's work);
- a request Django refuses as suspicious (too many query parameters: its 400, and its log);
- a content version this worker cannot confirm (the database unreachable: the long way serves
  the older copy it may, ``may_fall_back``), an entry without recorded headers;
- ``If-Match`` and ``If-Unmodified-Since`` (their 412 is the stack's to give); headers that
  hold anything of the request (a CSP nonce) are never recorded, nor those of an answer that
  set a cookie or that shared caches may not keep, nor those of a page that a middleware changed
  on its way out (compressed) or that varies on another request header (``Vary``).

``If-None-Match`` and ``If-Modified-Since`` are answered 304 here as
``ConditionalGetMiddleware`` answers them: a GET's alone, a HEAD gets the page's headers. A path
with no recorded answer is not asked of the cache again by the worker under the same content
version, until the worker serves it from the cache the long way (``_NOTHING_AT``).
"""

import contextlib
import logging
import threading
import time
from dataclasses import dataclass
from http.client import responses

from django.conf import settings
from django.core.exceptions import DisallowedHost, SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest
from django.db import close_old_connections
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from pagecache import versions
from pagecache.pages import PAGE_NUMBER, CachedPage

logger = logging.getLogger(__name__)

READS = ("GET", "HEAD")
# The conditional requests answered here, as ConditionalGetMiddleware answers them; and those
# whose 412 the stack gives (django.utils.cache.get_conditional_response).
CONDITIONS = {"HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"}
PRECONDITIONS = {"HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE"}
# The request headers an answer recorded may vary on: the cookies that change a page go the long
# way, and the site speaks one language (LocaleMiddleware's Vary: Accept-Language).
VARY_ANSWERED = {"cookie", "accept-language"}
_PERSONAL_COOKIES = set()
# The paths this worker found no recorded answer for, with the content version it looked under:
# not asked of the cache again under that version (a page never kept, the ceiling, a 404), until
# this worker serves the page from the cache the long way. Emptied when full.
_NOTHING_AT = {}
NOTHING_AT_MAX = 10_000


def personal_cookie(name):
    """Declare a cookie that may change a reader page (the paywall's meter, in its app's
    ``ready()``): visitors who send it never get a page answered in front of Django."""
    _PERSONAL_COOKIES.add(name)


@dataclass(frozen=True, slots=True)
class Answer:
    """A kept page as the server sends it: the status line, the headers (Content-Length
    included), the body."""

    status: str
    headers: list
    body: bytes

    @classmethod
    def of(cls, response):
        return cls(
            f"{response.status_code} {response.reason_phrase}",
            list(response.items()),
            response.content,
        )

    def response(self):
        """The answer as Django's response, for Django's conditional GET."""
        response = HttpResponse(self.body, status=int(self.status[:3]))
        # Headers the stack set and Django checked once, when they were recorded: taken as they
        # are (Django's case-insensitive store), not checked again.
        response.headers._store.update((name.lower(), (name, v)) for name, v in self.headers)
        return response


class Memory:
    """The answers a worker gave lately, by (version, address, scheme), bounded in entries and
    bytes: emptied when full (a new version leaves the older answers unused until then)."""

    def __init__(self, max_entries=1000, max_bytes=64 * 2**20):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.answers, self.size = {}, 0
        self.lock = threading.Lock()  # between the threads of a gthread worker

    def get(self, key):
        return self.answers.get(key)

    def keep(self, key, answer):
        size = len(answer.body)
        if size > self.max_bytes:
            return
        with self.lock:
            if key in self.answers:
                return
            if len(self.answers) >= self.max_entries or self.size + size > self.max_bytes:
                self.clear()
            self.answers[key] = answer
            self.size += size

    def clear(self):
        self.answers, self.size = {}, 0


MEMORY = Memory()


def forget():
    """Look for every path's answer again (tests)."""
    _NOTHING_AT.clear()
    MEMORY.clear()


class KeptPages:
    """The WSGI application that answers kept pages in front of Django's, ``application``, which
    answers everything else. ``log(request, status, started)`` writes the request's log line and
    returns its request id; ``passes`` are the paths left to Django whatever they hold (the
    health check's)."""

    def __init__(self, application, *, log, passes=()):
        self.application, self.log, self.passes = application, log, frozenset(passes)

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        if environ.get("REQUEST_METHOD", "").upper() in READS:
            try:
                request = WSGIRequest(environ)
                answer = self._answer(request)
            except SuspiciousOperation:
                answer = None  # a bad request (too many parameters): Django's 400, and its log
            except Exception:
                # A shortcut, never a failure: Django answers, as it would without it.
                logger.exception("Kept page not answered in front of Django")
                answer = None
            if answer is not None:
                request_id = self.log(request, int(answer.status[:3]), started)
                start_response(answer.status, [*answer.headers, ("X-Request-ID", request_id)])
                return [] if request.method == "HEAD" else [answer.body]
        return self.application(environ, start_response)

    def _answer(self, request):
        if request.path_info in self.passes or not PRECONDITIONS.isdisjoint(request.META):
            return None
        if not _may_answer(request):
            return None
        version = _confirmed_version()
        if version is None:
            return None
        key = (version.key, request.path, request.META.get("QUERY_STRING", ""), request.scheme)
        answer = MEMORY.get(key)
        if answer is None:
            answer = _kept_answer(request, version)
            if answer is None:
                return None
            MEMORY.keep(key, answer)
        if request.method != "GET" or CONDITIONS.isdisjoint(request.META):
            return answer  # ConditionalGetMiddleware answers a GET alone, never a HEAD
        response = answer.response()
        conditional = get_conditional_response(
            request,
            etag=response.get("ETag"),
            last_modified=parse_http_date_safe(response.get("Last-Modified")),
            response=response,
        )
        return answer if conditional is response else Answer.of(conditional)


def _may_answer(request):
    """Whether the stack would give ``request`` the answer it gave any anonymous visitor."""
    cookies = request.COOKIES
    if cookies and (
        settings.SESSION_COOKIE_NAME in cookies or not _PERSONAL_COOKIES.isdisjoint(cookies)
    ):
        return False
    if request.path_info.startswith(settings.STATIC_URL):
        return False  # WhiteNoise's, never a page
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return False
    if settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS:
        return False  # CommonMiddleware's redirects and refusals, the long way
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


def _confirmed_version():
    """The current content version, None if it cannot be confirmed."""
    version = versions.current(reading=_as_in_a_request)
    return version if version.confirmed else None


@contextlib.contextmanager
def _as_in_a_request():
    """Around a read of the database: its connections looked after as Django does around a
    request (their age, their health after an error), without the request's signals."""
    close_old_connections()
    try:
        yield
    finally:
        close_old_connections()


def _kept_answer(request, version):
    """The answer recorded for the request's address and scheme under ``version``, from the
    cache; None if there is none."""
    if _NOTHING_AT.get(request.path) == version.key:
        return None
    page = CachedPage.read(request, version=version)  # the address without its query string
    if page.key is None or not page.version.confirmed:
        return None
    if not page.answers:
        if len(_NOTHING_AT) >= NOTHING_AT_MAX:
            _NOTHING_AT.clear()
        _NOTHING_AT[request.path] = page.version.key
        return None
    if query := request.META.get("QUERY_STRING"):
        # Only a list's page number, as the site's links write it, names another page: one
        # answer per page in memory, not one per spelling (``?page=%32``, ``?page=2&``).
        parameter = page.page_parameter
        name, _equals, number = query.partition("=")
        if not parameter or name != parameter or not PAGE_NUMBER.fullmatch(number):
            return None
        if number != "1":
            page = CachedPage.read(request, parameter, version)
            if page.key is None or not page.version.confirmed:
                return None
    answer = page.answers.get(request.scheme)
    cached = answer and page.variants.get(answer[0])
    if not cached:
        return None
    _variant, headers = answer
    status, _content_type, _etag, content, *_shown = cached
    headers = {**headers, "content-length": ("Content-Length", str(len(content)))}
    return Answer(f"{status} {responses[status]}", list(headers.values()), content)


def record_answers(get_response):
    """Middleware: records the headers the stack below gives an anonymous visitor's kept page,
    for ``KeptPages`` to answer the next visitors with."""

    def middleware(request):
        response = get_response(request)
        if getattr(response, "kept_page", None) is not None and _may_answer(request):
            _record_headers(request, response)
        return response

    return middleware


def _record_headers(request, response):
    _NOTHING_AT.pop(request.path, None)  # a kept page: look for its answer from now on
    if response.status_code != 200 or response.cookies:
        return
    if "public" not in response.get("Cache-Control", ""):
        return  # only what shared caches may keep: the same answer for every visitor
    if "'nonce-" in response.get("Content-Security-Policy", ""):
        return  # made for this request alone
    if not response.has_header("Last-Modified"):
        return  # a version too young to say its date (pages._last_modified): said later
    page, variant = response.kept_page
    kept = page.variants.get(variant)
    if kept is None or response.content != kept[3]:
        return  # changed on its way out (compressed): not the page as kept
    if not VARY_ANSWERED.issuperset(_named_in_vary(response)):
        return  # another answer for another request header (Accept-Encoding)
    if page.answers.get(request.scheme, (None,))[0] == variant:
        return
    page.keep_answer(request.scheme, variant, dict(response.headers._store))


def _named_in_vary(response):
    return {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}
