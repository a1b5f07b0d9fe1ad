"""The allowlist that every piece of rich text passes through before it is stored."""

from urllib.parse import urlsplit

import nh3
from django.conf import settings

TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "strong", "em", "b", "i",
    "a", "figure", "figcaption", "img", "hr", "sub", "sup",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _filter_attribute(tag, attribute, value):
    # Images in the body come from the newsroom's own media library, never from elsewhere.
    if tag == "img" and attribute == "src":
        parts = urlsplit(value)
        is_local = not parts.scheme and not parts.netloc
        return value if is_local and parts.path.startswith(settings.MEDIA_URL) else None
    return value


def sanitize_html(html: str) -> str:
    """Reduce ``html`` to the tags and attributes the site's article pages can show safely."""
    if not html:
        return ""
    cleaned = nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel=None,  # no target attribute is allowed, so no tab-napping to guard against
        strip_comments=True,
    )
    # An editor that saves an empty document sends "<p></p>".
    return "" if cleaned.strip() in ("", "<p></p>") else cleaned
