"""Who is asking: the address of the reader behind the deployment's trusted proxies, for the
rate limits of the public forms and the admin's sign-in lockout alike."""

import ipaddress

from django.conf import settings

# An IPv6 subscriber is given a whole /64 at least: its addresses are one client.
IPV6_CLIENT_PREFIX = 64


def client_ip(request):
    """The reader's address: behind ``TRUSTED_PROXY_COUNT`` proxies, the one the outermost
    proxy saw (each appends to X-Forwarded-For; anything further left can be forged)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.headers.get("X-Forwarded-For", "").split(",")]
        if len(hops) >= proxies and hops[-proxies]:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def client_network(request):
    """What a rate limit counts as one client: the reader's IPv4 address, or the /64 network
    of an IPv6 one (any of its 2**64 addresses is theirs to use); an IPv4 address written as
    IPv6 (``::ffff:203.0.113.7``) counts as itself."""
    address = client_ip(request)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(ip)
