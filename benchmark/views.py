"""The ceiling: a fixed page of the same size as the page measured, made with no database and no
template but served by the same server, settings and middleware, so that every figure of
``manage.py bench`` is also a ratio to what the stack itself can do. The same view, served by
Django with nothing else (``benchmark.bare_settings``), is the bare view.
"""

import functools

from django.http import HttpResponse

CEILING_DEFAULT_BYTES = 40_000
CEILING_MAX_BYTES = 1_000_000


@functools.lru_cache(maxsize=8)
def _ceiling_page(size):
    head = (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8">'
        "<title>Plafond</title></head><body><p>"
    )
    tail = "</p></body></html>\n"
    return (head + "x" * max(0, size - len(head) - len(tail)) + tail).encode("ascii")


def ceiling(request):
    """A fixed page of ``?bytes=`` bytes: what the server and middleware cost with no work."""
    try:
        size = int(request.GET.get("bytes", CEILING_DEFAULT_BYTES))
    except ValueError:
        size = CEILING_DEFAULT_BYTES
    return HttpResponse(
        _ceiling_page(min(max(size, 0), CEILING_MAX_BYTES)), content_type="text/html; charset=utf-8"
    )
