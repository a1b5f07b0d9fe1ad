"""The allowlist that every piece of rich text passes through before it is stored."""

from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.core.files.storage import default_storage

TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "strong", "em", "b", "i",
    "a", "figure", "figcaption", "img", "hr", "sub", "sup",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def _is_library_image(src):
    """Whether ``src`` points into the newsroom's media storage (local or object storage)."""
    parts = urlsplit(src)
    if not parts.scheme and not parts.netloc:
        return parts.path.startswith(settings.MEDIA_URL)
    media_base = default_storage.url("")
    return urlsplit(media_base).netloc != "" and src.startswith(media_base)


def _filter_attribute(tag, attribute, value):
    # Images in the body come from the newsroom's own media library, never from elsewhere.
    if tag == "img" and attribute == "src":
        return value if _is_library_image(value) else None
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
