"""The answer to a request that failed: 503 while the database cannot be reached, else 500."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils.cache import patch_cache_control
from django.views import defaults

# What a database that is down, restarting or refusing connections raises.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)
RETRY_AFTER = 30  # seconds


def server_error(request):
    """Django's 500 handler; it runs while the exception is being handled, whichever middleware
    or view raised it."""
    if isinstance(sys.exception(), DATABASE_UNREACHABLE):
        return service_unavailable(request)
    return defaults.server_error(request)


def service_unavailable(request):
    # Rendered without a request: no context processor may query the unreachable database.
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = RETRY_AFTER
    patch_cache_control(response, no_store=True)
    return response
