"""Errors reported to Sentry (sentry-sdk) when ``SENTRY_DSN`` is set; nothing otherwise.

Readers' addresses are what the site protects most: events carry no cookies, no user, no
request body and no local variables, the URL loses its query string, the URL and the headers
(a Referer) lose any signed token (a sign-in link is a credential), and anything shaped like an
e-mail address is masked.
"""

import re
from urllib.parse import urlsplit, urlunsplit

from newsroom.logs import hide_secret_paths, hide_secrets

# Whatever its spelling (a reader's address may be Unicode): a domain ending in letters.
EMAIL_ADDRESS = re.compile(r"[^\s@<>\"'()\[\],;:/]+@(?:[^\s@<>\"'()\[\],;:/.]+\.)+[^\W\d_]{2,}")
MASK = "[adresse]"


def init_sentry(dsn, *, environment, release, traces_sample_rate):
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=before_send,
        before_send_transaction=before_send,
        before_breadcrumb=before_breadcrumb,
    )


def before_send(event, hint):
    request = event.get("request")
    if request:
        request.pop("query_string", None)
        request.pop("cookies", None)
        request.pop("data", None)
        if url := request.get("url"):
            parts = urlsplit(url)
            request["url"] = urlunsplit(parts._replace(path=hide_secrets(parts.path), query=""))
        if isinstance(headers := request.get("headers"), dict):
            # The Referer of a page opened from a sign-in link is that link.
            request["headers"] = {
                key: hide_secret_paths(str(value)) for key, value in headers.items()
            }
    # The release is the deployment's own name ("newsroom@1.2.3" is no address).
    return {**_masked(event), "release": event.get("release")}


def before_breadcrumb(crumb, hint):
    # The request lines (newsroom/logs.py) name the reader's address.
    if crumb.get("category") == "newsroom.requests":
        return None
    return _masked(crumb)


def _masked(value):
    """``value`` with every string that looks like an e-mail address masked, at any depth."""
    if isinstance(value, str):
        return EMAIL_ADDRESS.sub(MASK, value)
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_masked(item) for item in value]
    return value
