"""The allowlist that every piece of rich text passes through before it is stored."""

from html.parser import HTMLParser
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


class _BlockCounter(HTMLParser):
    """Finds where the n-th top-level block element of a fragment ends."""

    def __init__(self, count):
        super().__init__(convert_charrefs=False)
        self.count, self.depth, self.end = count, 0, None

    def handle_starttag(self, tag, attrs):
        if tag not in VOID_TAGS:
            self.depth += 1

    def handle_endtag(self, tag):
        self.depth -= 1
        if self.depth == 0 and self.end is None:
            self.count -= 1
            if self.count == 0:
                line, column = self.getpos()
                self.end = (line, column + len(tag) + 3)


VOID_TAGS = {"br", "hr", "img"}


def leading_blocks(html, count):
    """The first ``count`` top-level blocks (paragraphs, headings…) of sanitised ``html``."""
    if count <= 0:
        return ""
    parser = _BlockCounter(count)
    parser.feed(html)
    if parser.end is None:
        return html
    # The parser counts lines by "\n" alone (not by every break str.splitlines() knows).
    line, column = parser.end
    offset = sum(len(text) + 1 for text in html.split("\n")[: line - 1]) + column
    return html[:offset]
