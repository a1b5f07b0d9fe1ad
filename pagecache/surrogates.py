"""The keys of what a page shows, for the CDN in front of the site (``CDN_PURGE_BACKEND``).

While a reader page is built, the code that chooses what it shows names it with ``shows()``:
``article-<id>`` for a story whose card, title or body is on the page, ``section-<id>``,
``author-<id>``, ``tag-<id>`` for a list of those, ``home``, ``feeds``, ``sitemaps``,
``latest`` for the lists drawn from the newest stories. Every page also has ``site``, the key
of what every page shows (the menu, the house ads, the paywall's settings). The keys are kept
with the cached page (pagecache/pages.py), so a page served from the cache carries them too,
in the header the CDN reads; a change purges the pages of its keys (pagecache/purge.py).
"""

import contextlib
import contextvars

from django.conf import settings

SITE = "site"  # every page has it

_collected = contextvars.ContextVar("pagecache_surrogate_keys", default=None)

# The header each backend reads, and how it separates keys. Without a backend, or with nginx
# (which purges by address, pagecache/purge.py), none is sent.
HEADERS = {
    "varnish": ("xkey", " "),
    "cloudflare": ("Cache-Tag", ","),
    "fastly": ("Surrogate-Key", " "),
}


def shows(*keys):
    """The page being built shows what ``keys`` name. Outside a page being built, nothing."""
    collected = _collected.get()
    if collected is not None:
        collected.update(keys)


def shows_articles(articles):
    """The page shows the cards (or titles) of ``articles``."""
    shows(*(f"article-{article.pk}" for article in articles if article is not None))


@contextlib.contextmanager
def collecting():
    """Collect the keys of the page built inside; yields the set, ``site`` included."""
    collected = {SITE}
    token = _collected.set(collected)
    try:
        yield collected
    finally:
        _collected.reset(token)


def backends():
    """The caches in front of the site (``CDN_PURGE_BACKEND``, comma-separated), ``none``
    left out."""
    names = (name.strip() for name in settings.CDN_PURGE_BACKEND.split(","))
    return [name for name in names if name and name != "none"]


def headers(keys):
    """[(name, value)]: the header each backend reads."""
    found = {HEADERS[backend] for backend in backends() if backend in HEADERS}
    if not keys:
        return []
    return [(name, separator.join(sorted(keys))) for name, separator in sorted(found)]


def add_header(response, keys):
    for name, value in headers(keys):
        response[name] = value
