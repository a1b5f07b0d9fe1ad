"""Security headers beyond Django's SecurityMiddleware."""

from dataclasses import asdict

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import reverse

# Browser features no page of the site uses, turned off: a script that slipped past the CSP
# still could not reach them; and no interest-based ad profiling of readers.
FEATURES_OFF = [
    "accelerometer",
    "bluetooth",
    "browsing-topics",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "hid",
    "interest-cohort",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in FEATURES_OFF)


def permissions_policy(get_response):
    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, with inline styles allowed in the admin alone: its rich-text editor
    (Tiptap, in django-prose-editor) injects a ``<style>`` element that carries no nonce, and
    newsletter previews are e-mails, styled inline. Reader pages keep ``style-src 'self'``."""

    def process_response(self, request, response):
        if self._changes_the_policy(request, response):
            return super().process_response(request, response)
        # Every other response gets the same headers: built once per process, not twice a
        # request (a fifth of the work of a page answered from the cache by Django).
        if not PLAIN_HEADERS:
            PLAIN_HEADERS.update(self._plain_headers(request, response))
        for header, value in PLAIN_HEADERS.items():
            response.headers.setdefault(header, value)
        # As the library does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    def _changes_the_policy(self, request, response):
        """Whether this response's policy may differ from the site's: a view's decorator, a
        nonce asked for, the admin's styles, the library's own exceptions."""
        return (
            any(hasattr(response, name) for name in RESPONSE_OVERRIDES)
            or getattr(request, "_csp_nonce", None) is not None
            or request.path.startswith(reverse("admin:index"))
            or settings.DEBUG
            or any(
                (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES")
                for name in POLICY_SETTINGS
            )
        )

    def _plain_headers(self, request, response):
        headers = {}
        for header, report_only in ((HEADER, False), (HEADER_REPORT_ONLY, True)):
            parts = self.get_policy_parts(request, response, report_only=report_only)
            if policy := build_policy(**asdict(parts), report_only=report_only):
                headers[header] = policy
        return headers

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(reverse("admin:index")):
            update = parts.update or {}
            parts.update = {
                **update,
                "style-src": [*update.get("style-src", []), "'unsafe-inline'"],
            }
        return parts


# What a view may set on its response to change its policy (django-csp's decorators).
RESPONSE_OVERRIDES = [
    f"_csp_{name}{suffix}"
    for name in ("config", "update", "replace", "exempt")
    for suffix in ("", "_ro")
]
POLICY_SETTINGS = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY")
PLAIN_HEADERS = {}  # {header: policy} of a response that changes nothing of the policy


@receiver(setting_changed)
def _forget_plain_headers(setting, **kwargs):
    if setting in POLICY_SETTINGS:
        PLAIN_HEADERS.clear()
