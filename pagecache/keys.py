"""Every key the page cache writes, built here alone.

Keys start with the release (``RELEASE``, set per deployment): pages rendered by older code
are never served by newer code that shares the same Redis.
"""

import hashlib

from django.conf import settings


def _prefix():
    return f"newsroom:{settings.NEWSROOM_RELEASE}"


def page(path, query=""):
    """A page, by its path and the query that changes it (a list's page number)."""
    address = f"{path}?{query}"
    return f"{_prefix()}:page:{hashlib.sha256(address.encode()).hexdigest()}"


def part(name, version):
    """A value built for one version of the content (a list, a count, a piece of furniture)."""
    return f"{_prefix()}:part:{name}:{version.key}"


def withdrawal():
    """The page version of the last withdrawal (pagecache.pages.withdraw)."""
    return f"{_prefix()}:withdrawal"
