"""Security headers beyond Django's SecurityMiddleware."""

from csp.middleware import CSPMiddleware
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

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith(reverse("admin:index")):
            update = parts.update or {}
            parts.update = {
                **update,
                "style-src": [*update.get("style-src", []), "'unsafe-inline'"],
            }
        return parts
