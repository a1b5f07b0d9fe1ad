"""Request ids, one line per request, and with ``LOG_FORMAT=json`` one JSON line per log record.

Every response carries ``X-Request-ID``: the proxy's, when it sent a sane one, else a new one;
the line logged for the request (logger ``newsroom.requests``, INFO) carries it too, with the
method, the path, the status, the time taken, the reader's address and the page cache's
verdict. The path is logged without its query string, and without the signed token of an
e-mail link (a sign-in link is a credential).
"""

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from django.http import HttpRequest
from django.urls import Resolver404, resolve

from newsroom.clients import client_ip

logger = logging.getLogger("newsroom.requests")

# The id of the request being answered, added to every JSON record logged meanwhile.
current_request_id = contextvars.ContextVar("request_id", default=None)
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
# The URL parameter of the e-mail links that carry a signed token (subscriptions/urls.py).
SECRET_PARAMETERS = ("token",)
# The paths of these links, and of whatever a mail client or a reader made of one (a parenthesis
# glued on, a doubled slash): all that follows is hidden. deploy/nginx/newsroom.conf masks the
# same paths in its access log.
SECRET_PATH = re.compile(
    r"(/(?:compte/connexion|newsletter/confirmer|newsletter/desinscription)/).+",
    re.IGNORECASE | re.DOTALL,
)
HIDDEN = "…"


def request_log(get_response):
    def middleware(request):
        started = time.perf_counter()
        request.request_id = _request_id(request)
        token = current_request_id.set(request.request_id)
        try:
            response = get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request.request_id
        if logger.isEnabledFor(logging.INFO):
            cache = getattr(response, "page_cache_status", None)
            _log(request, loggable_path(request), response.status_code, started, cache)
        return response

    return middleware


def log_kept_page(request, status, started):
    """The log line of a kept page answered in front of Django (pagecache.fastpath.KeptPages);
    returns the request id its answer carries."""
    request.request_id = _request_id(request)
    if logger.isEnabledFor(logging.INFO):
        # A reader page's path holds no route's token: only a token link's path is hidden.
        _log(request, hide_secret_paths(request.path), status, started, "hit")
    return request.request_id


def _request_id(request):
    """The proxy's request id when it sent a sane one, else a new one."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _log(request, path, status, started, cache):
    logger.info(
        "%s %s %s",
        request.method,
        path,
        status,
        extra={
            "request_id": request.request_id,
            "method": request.method,
            "path": path,
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "client_ip": client_ip(request),
            "cache": cache,
        },
    )


def loggable_path(request):
    """The request's path, with any signed token in it hidden."""
    return hide_secrets(request.path, getattr(request, "resolver_match", None))


def hide_secrets(path, match=None):
    """``path`` with the signed token it may hold hidden: a route's ``token`` parameter
    (``match``, the route, if known), and all that follows a token link's path."""
    if match is None:  # not routed to a view: a redirect adding the slash, a 404…
        for candidate in (path, f"{path}/"):
            try:
                match = resolve(candidate)
                break
            except Resolver404:
                continue
    for name in SECRET_PARAMETERS:
        secret = match and match.kwargs.get(name)
        if secret:
            path = path.replace(secret, HIDDEN)
    return hide_secret_paths(path)


def hide_secret_paths(text):
    """``text`` (a path, a whole URL, a header) with all that follows a token link's path
    hidden, whatever was glued to the token."""
    return SECRET_PATH.sub(lambda found: found[1] + HIDDEN, text)


class HideSecrets(logging.Filter):
    """Hides signed tokens in the paths Django's own records name ("Not Found: /compte/…")."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is None or not isinstance(record.args, tuple):
            return True
        if isinstance(request, HttpRequest):
            hidden = loggable_path(request)
            record.args = tuple(hidden if arg == request.path else arg for arg in record.args)
        else:  # the development server's request line; its ``request`` is the socket
            record.args = tuple(
                hide_secret_paths(arg) if isinstance(arg, str) else arg for arg in record.args
            )
        return True


# The attributes every LogRecord has: anything else was given through ``extra``. Django's own
# ``request`` is left out: its text holds the query string.
STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the id of the request being
    answered, the ``extra`` fields and, for an error, its traceback."""

    def format(self, record):
        line = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id := current_request_id.get():
            line["request_id"] = request_id
        line.update(
            (key, value) for key, value in vars(record).items() if key not in STANDARD_ATTRIBUTES
        )
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)
