"""The site's public address (settings.NEWSROOM_SITE_URL, env SITE_URL).

Canonical and absolute URLs (pages, feeds, sitemaps, e-mails) come from it, never from the
request: a Host header such as ``127.0.0.1:6666`` must reach no page and no cache entry.
"""

from urllib.parse import urljoin, urlsplit

from django.conf import settings


def absolute_url(url):
    """``url`` on the public site; an address already absolute (media on a CDN) is kept."""
    return urljoin(settings.NEWSROOM_SITE_URL, url)


def site_scheme_and_domain():
    address = urlsplit(settings.NEWSROOM_SITE_URL)
    return address.scheme, address.netloc
