"""The allowlist that every piece of rich text passes through before it is stored.

Sanitising drops markup, never text without a word: a body in which an HTML parser would
swallow or garble text (an element such as ``<style>`` or ``<math>``, a comment left open) or
from which cleaning would drop text is refused with a message for the editor, whether it
comes from the admin's form, ``Article.clean()`` or ``Article.save()`` (imports, demo).
"""

import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _

TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "strong", "em", "b", "i",
    "a", "figure", "figcaption", "img", "hr", "sub", "sup",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    # A picture from the media library (data-image: the Image's id), or an embedded post or
    # video (data-embed: the provider, the figure's link its address); the reader's page
    # renders both from these references, never from stored player markup.
    "figure": {"data-image", "data-embed"},
}
EMBED_PROVIDERS = {
    "youtube", "vimeo", "dailymotion", "x", "instagram", "bluesky", "mastodon",
}  # fmt: skip
URL_SCHEMES = {"http", "https", "mailto"}
MAX_IMAGE_ID = 2**63 - 1  # the largest primary key a database stores
# Elements whose content a parser does not read as text (raw text, foreign content, templates,
# selects): one left open takes all the text after it. Closed, their content is code (script,
# style), an embed, or text that the check of lost text below keeps.
SWALLOWING_TAGS = [
    "style", "script", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
    "plaintext", "template", "svg", "math", "select",
]  # fmt: skip
_SWALLOWING_TAG = re.compile(rf"<({'|'.join(SWALLOWING_TAGS)})(?=[\s/>]|$)", re.I | re.A)
# A comment ends at "-->" or "--!>"; "<!-->" and "<!--->" are empty comments.
_COMMENT_END = re.compile(r"->|>|.*?--!?>", re.S)
# Control characters are not text (and PostgreSQL refuses NUL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Bidirectional embeddings, overrides and isolates: they turn the rest of a line around
# ("\u202eelbatirc" reads "critable"), which no title or note of a French newsroom needs.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def plain_line(text):
    """``text`` (a title, a note) without control characters or direction overrides."""
    return _BIDI_CONTROLS.sub("", _CONTROL.sub("", text))


def has_visible_text(text):
    """Whether ``text`` shows a character (zero-width spaces and other formats show none)."""
    return any(unicodedata.category(c)[0] not in "CZ" for c in text)


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
    if attribute == "data-image":
        # One way to write an image's id (no leading zero): the protection of the pictures
        # readers see (Image.is_shown_to_readers) looks for that very reference.
        if not (value.isascii() and value.isdigit() and len(value) < 30):
            return None
        if not 0 < int(value) <= MAX_IMAGE_ID:
            return None
        return str(int(value))
    if attribute == "data-embed":
        return value if value in EMBED_PROVIDERS else None
    return value


def sanitize_html(html: str) -> str:
    """Reduce ``html`` to the tags and attributes the site's article pages can show safely.

    Raises ValidationError, with a message for the editor, rather than drop any text."""
    if not html:
        return ""
    html = _CONTROL.sub("", html)
    _refuse_swallowing_markup(html)
    # Twice: once elements are dropped, what remains may nest as HTML cannot write it (a
    # heading in a heading, once the <div> between them is gone); the second pass stores it
    # as it will be read back.
    cleaned = _clean(_clean(html))
    _refuse_lost_text(html, cleaned)
    # An editor that saves an empty document sends "<p></p>".
    return "" if cleaned.strip() in ("", "<p></p>") else cleaned


def _clean(html):
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel=None,  # no target attribute is allowed, so no tab-napping to guard against
        strip_comments=True,
    )


def _refuse_swallowing_markup(html):
    # Each element's last start tag is the one to check: a later end tag closes every other.
    last_starts = {m.group(1).lower(): m.end() for m in _SWALLOWING_TAG.finditer(html)}
    for tag, after in last_starts.items():
        end = re.compile(rf"</{tag}(?=[\s/>]|$)", re.I | re.A)
        if tag == "plaintext" or not end.search(html, after):
            raise ValidationError(
                _(
                    "The body contains a <%(tag)s> element that is never closed: the text "
                    "after it would be lost. Close or remove it, then save again."
                ),
                code="open_element",
                params={"tag": tag},
            )
    start = html.find("<!--")
    while start != -1:
        end = _COMMENT_END.match(html, start + 4)
        if end is None:
            raise ValidationError(
                _(
                    "The body contains a comment that is never closed (“<!--” without “-->”): "
                    "the text after it would be lost. Close or remove it, then save again."
                ),
                code="open_comment",
            )
        start = html.find("<!--", end.end())


def _refuse_lost_text(html, cleaned):
    """Every letter of ``html``'s text must still be in ``cleaned``'s, in the same order."""
    text = _text(html)
    before, after = text.replace(" ", ""), _text(cleaned).replace(" ", "")
    if before == after:
        return
    remaining = iter(after)
    for position, letter in enumerate(before):
        if letter not in remaining:
            # Where the letter is in the text, spaces included.
            index = [i for i, character in enumerate(text) if character != " "][position]
            near = text[max(0, index - 30) : index + 30]
            raise ValidationError(
                _(
                    "Part of the text would be lost when the body is cleaned, near “%(text)s”. "
                    "Check the HTML there, then save again."
                ),
                code="lost_text",
                params={"text": near},
            )


class LenientHTMLParser(HTMLParser):
    """Python's HTML parser, reading a "<!…" declaration as browsers do (a comment up to the
    next ">"), where the standard one fails on those it does not know ("<![", "<!DOCTYPE [")."""

    def parse_html_declaration(self, i):
        if self.rawdata.startswith("<!--", i):
            return self.parse_comment(i)
        end = self.rawdata.find(">", i + 2)
        return -1 if end == -1 else end + 1


class _TextReader(LenientHTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks = []

    def handle_data(self, data):
        if self.cdata_elem is None:  # the content of a script or style is code, not text
            self.chunks.append(data)


def _text(html):
    """The text of ``html`` as Python's parser reads it, each run of spaces made one space."""
    reader = _TextReader()
    reader.feed(html)
    reader.close()
    return " ".join("".join(reader.chunks).split())
