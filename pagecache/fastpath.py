"""Kept pages answered by the first middleware, with the headers the whole stack gave them.

A page from the cache costs little, but the middleware stack around it (sessions, locale,
CSRF, auth, the CSP, the security headers, the conditional GET…) costs more than reading it. The
first time a kept page goes out to an anonymous visitor, ``serve_kept_pages`` (placed right
after the request log and the health check) records the headers the stack gave it, beside the
page in its cache entry (``CachedPage.keep_answer``), one set per scheme (HSTS is sent over
HTTPS alone). The next anonymous visitor asking for that address under the same content
version gets the page and those headers from here, without the rest of the stack.

Everything the stack would have done differently goes the long way, where it is done:

- a method other than GET and HEAD, a cookie that changes the page (the session's, and
  whatever ``personal_cookie()`` names: the paywall's meter), a query string other than the
  list's page number as the site's links write it (``?page=2``; ``/?p=123``, an old WordPress
  address, or ``?utm_source=…`` are served from the cache the long way);
- a Host that ``ALLOWED_HOSTS`` refuses (Django's own check, ``request.get_host()``: the long way
  answers 400), plain HTTP when ``SECURE_SSL_REDIRECT`` sends it to HTTPS, every request when
  ``PREPEND_WWW`` or ``DISALLOWED_USER_AGENTS`` is set (CommonMiddleware's work);
- a content version this worker cannot confirm (the database unreachable: the long way serves
  the older copy it may, ``may_fall_back``), an entry without recorded headers;
- headers that hold anything of the request (a CSP nonce) are never recorded, nor those of an
  answer that set a cookie or that shared caches may not keep.

Conditional requests are answered 304 here as ``ConditionalGetMiddleware`` answers them. A
path with no recorded answer is not asked of the cache again by the worker under the same
content version, until the worker serves it from the cache the long way (``_NOTHING_AT``).
"""

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from pagecache import versions
from pagecache.pages import CachedPage

READS = ("GET", "HEAD")
# The headers of a conditional request (django.utils.cache.get_conditional_response).
CONDITIONS = {
    "HTTP_IF_MATCH",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_IF_UNMODIFIED_SINCE",
}
_PERSONAL_COOKIES = set()
# The paths this worker found no recorded answer for, with the content version it looked under:
# not asked of the cache again under that version (a page never kept, the ceiling, a 404), until
# this worker serves the page from the cache the long way. Emptied when full.
_NOTHING_AT = {}
NOTHING_AT_MAX = 10_000


def personal_cookie(name):
    """Declare a cookie that may change a reader page (the paywall's meter, in its app's
    ``ready()``): visitors who send it never get a page from the first middleware."""
    _PERSONAL_COOKIES.add(name)


def forget():
    """Look for every path's answer again (tests)."""
    _NOTHING_AT.clear()


def serve_kept_pages(get_response):
    def middleware(request):
        if not _may_answer(request):
            return get_response(request)
        if (response := _kept_answer(request)) is not None:
            return response
        response = get_response(request)
        _record_headers(request, response)
        return response

    return middleware


def _may_answer(request):
    if request.method not in READS:
        return False
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


def _kept_answer(request):
    version = versions.current()
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
    if request.META.get("QUERY_STRING"):
        # Only a list's page number, as the site's links write it, names another page.
        parameter = page.page_parameter
        if not parameter or set(request.GET) != {parameter}:
            return None
        if len(request.GET.getlist(parameter)) != 1:
            return None
        if request.GET[parameter] != "1":
            page = CachedPage.read(request, parameter, version)
            if page.key is None or not page.version.confirmed:
                return None
    answer = page.answers.get(request.scheme)
    cached = answer and page.variants.get(answer[0])
    if not cached:
        return None
    _variant, headers = answer
    status, _content_type, _etag, content, *_shown = cached
    response = HttpResponse(content, status=status)
    # Headers the stack set and Django checked once, when they were recorded: taken as they
    # are (Django's case-insensitive store), not checked again at every request.
    response.headers._store.update(headers)
    if not CONDITIONS.isdisjoint(request.META):
        last_modified = parse_http_date_safe(response.get("Last-Modified"))
        response = get_conditional_response(
            request, etag=response.get("ETag"), last_modified=last_modified, response=response
        )
    response.page_cache_status = "hit"  # for the request log
    return response


def _record_headers(request, response):
    kept = getattr(response, "kept_page", None)
    if kept is None:
        return
    _NOTHING_AT.pop(request.path, None)  # a kept page: look for its answer from now on
    if response.status_code != 200 or response.cookies:
        return
    if "public" not in response.get("Cache-Control", ""):
        return  # only what shared caches may keep: the same answer for every visitor
    if "'nonce-" in response.get("Content-Security-Policy", ""):
        return  # made for this request alone
    if not response.has_header("Last-Modified"):
        return  # a version too young to say its date (pages._last_modified): said later
    page, variant = kept
    if page.answers.get(request.scheme, (None,))[0] == variant:
        return
    page.keep_answer(request.scheme, variant, dict(response.headers._store))
