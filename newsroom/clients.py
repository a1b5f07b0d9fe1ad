"""Who is asking: the address of the reader behind the deployment's trusted proxies, for the
rate limits of the public forms and the admin's sign-in lockout alike."""

from django.conf import settings


def client_ip(request):
    """The reader's address: behind ``TRUSTED_PROXY_COUNT`` proxies, the one the outermost
    proxy saw (each appends to X-Forwarded-For; anything further left can be forged)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(hops) >= proxies and hops[-proxies]:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")
