"""Old addresses of the former site answer with a permanent redirect (``OldAddress``).

A path is looked up only once this site has nothing at it (a 404), so an old address never
shadows a real page, whatever is created later; a page served from the page cache costs
nothing more. WordPress's ``/?p=123`` names a post by its query string on the home page's
path: it is looked up before the home page is built, and only when ``p`` is a number.
"""

from django.http import HttpResponsePermanentRedirect

from pagecache import parts
from wordpress import wxr
from wordpress.models import OldAddress, spellings

READS = ("GET", "HEAD")


def post_query(request):
    """``/?p=123`` as it is stored, or None for any other request (and for every request
    when no such address was imported: a cached home page asked with ``?p=`` costs nothing)."""
    if request.path != "/" or "p" not in request.GET:
        return None
    query = wxr.post_query(request.GET["p"])
    return query if query and _any_post_query() else None


def _any_post_query():
    return parts.remember(
        "wordpress:post-queries",
        lambda: OldAddress.objects.filter(path__startswith="/?p=").exists(),
    )


def destination(path):
    """Where ``path`` (or the same path with or without its final slash) now lives: one
    indexed lookup. None for an article readers cannot see (a draft, a story scheduled for
    later): its address would give its title away before it is published."""
    if "\x00" in path:
        return None  # no stored address holds one (and PostgreSQL refuses it in a query)
    found = (
        OldAddress.objects.filter(path__in=spellings(path))
        .select_related("article__category")
        .order_by("-path")  # the path as asked, with its slash, first
        .first()
    )
    if found is None or (found.article_id and not found.article.is_visible):
        return None
    return found.destination()


def old_addresses(get_response):
    def middleware(request):
        query = post_query(request) if request.method in READS else None
        if query and (found := destination(query)):
            return HttpResponsePermanentRedirect(found)
        response = get_response(request)
        if response.status_code != 404 or request.method not in READS:
            return response
        found = destination(request.path)
        return HttpResponsePermanentRedirect(found) if found else response

    return middleware
