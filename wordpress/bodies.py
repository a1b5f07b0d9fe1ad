"""WordPress post bodies turned into what Newsroom's editor and sanitiser accept.

Gutenberg's block comments go (their content stays); classic bodies get paragraphs by
``wpautop``'s rules; ``[caption]`` becomes a figure with its caption, ``[embed]`` and embed
blocks become Newsroom embeds, other shortcodes are removed (their enclosed text kept) and
counted. Pictures from the old uploads become library pictures; links to other posts of the
site are rewritten to their new addresses. Shapes, as the sanitiser checks them:

- ``<figure data-image="<Image id>"><img src="<URL>" alt="…"><figcaption>…</figcaption></figure>``
- ``<figure data-embed="<provider>"><a href="URL">URL</a></figure>``
"""

import html
import json
import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from wordpress import wxr

BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form"
    r"|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article"
    r"|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
# Bare shortcodes WordPress and common plugins register: removed even without attributes.
KNOWN_SHORTCODES = {
    "gallery", "audio", "video", "playlist", "embed", "caption", "wp_caption", "contact-form",
    "contact-form-7", "wpforms", "ninja_form", "gravityform", "vc_row", "vc_column",
    "vc_column_text", "et_pb_section", "et_pb_row", "et_pb_column", "et_pb_text", "toc",
    "sharethis", "addtoany", "ad", "adsense", "related_posts", "tweet",
}  # fmt: skip
EMBED_HOSTS = {
    "youtube.com": "youtube", "youtu.be": "youtube", "youtube-nocookie.com": "youtube",
    "vimeo.com": "vimeo", "dailymotion.com": "dailymotion", "dai.ly": "dailymotion",
    "twitter.com": "x", "x.com": "x", "instagram.com": "instagram", "bsky.app": "bluesky",
}  # fmt: skip
MASTODON_PATH = re.compile(r"/@[\w.]+/\d+/?$")

# Unclosed blocks, captions and figures must not make the conversion slow (a hostile export):
# what each one encloses stops at the next opening one ("tempered"), so every character is read
# a bounded number of times. A block's JSON never holds "-->" (WordPress escapes it).
EMBED_BLOCK = re.compile(
    r"<!--\s*wp:(core-embed/[\w-]+|embed|core/embed)\s+(\{(?:(?!-->).)*?\})\s*-->"
    r"((?:(?!<!--\s*wp:).)*?)<!--\s*/wp:\1\s*-->",
    re.S,
)
BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->\n?", re.S)
CAPTION = re.compile(
    r"\[(caption|wp_caption)\b([^\]]*)\]((?:(?!\[(?:wp_)?caption\b).)*?)\[/\1\]", re.S | re.I
)
EMBED_SHORTCODE = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.S | re.I)
SHORTCODE = re.compile(r"\[(/?)([a-zA-Z_][\w-]*)((?:\s[^\]]*)?)\]")
BARE_URL_LINE = re.compile(r"^[ \t]*(https?://[^\s<>\"]+)[ \t]*$", re.M)
IMG = re.compile(r"(?:<a\b[^>]*>\s*)?<img\b([^>]*?)/?>(?:\s*</a>)?", re.S | re.I)
# A figure, or a picture outside any figure: each converted once.
PICTURE = re.compile(
    rf"<figure\b(?P<figure>[^>]*)>(?P<inner>(?:(?!<figure\b).)*?)</figure>|{IMG.pattern}",
    re.S | re.I,
)
FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.S | re.I)
ATTRIBUTE = re.compile(r"([\w-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))")
WP_IMAGE_CLASS = re.compile(r"\bwp-image-([0-9]+)\b")
SIZE_SUFFIX = re.compile(r"-(?:\d+x\d+|scaled|rotated)(?=\.\w+$)")
LINK = re.compile(r"(<a\b[^>]*?\bhref\s*=\s*)([\"'])(.*?)\2", re.S | re.I)
TAG = re.compile(r"<[^>]*>")
PARAGRAPH = re.compile(r"<p\b[^>]*>(.*?)</p>", re.S | re.I)


@dataclass
class Picture:
    id: int
    url: str
    alt: str = ""


@dataclass
class Body:
    html: str
    shortcodes: Counter = field(default_factory=Counter)
    missing_pictures: list = field(default_factory=list)
    pending_posts: set = field(default_factory=set)  # linked posts not imported yet


def attributes(tag_attributes):
    return {
        name.lower(): html.unescape(next(v for v in values if v is not None) or "")
        for name, *values in ATTRIBUTE.findall(tag_attributes)
    }


def embed_provider(url):
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    if parts.scheme not in ("http", "https"):
        return None
    if host in EMBED_HOSTS:
        return EMBED_HOSTS[host]
    if MASTODON_PATH.search(parts.path):
        return "mastodon"
    return None


def embed(url):
    """A Newsroom embed of ``url``, or a plain link to it when no provider is known."""
    url = url.strip()
    quoted = html.escape(url)
    if provider := embed_provider(url):
        return f'<figure data-embed="{provider}"><a href="{quoted}">{quoted}</a></figure>'
    return f'<p><a href="{quoted}">{quoted}</a></p>'


def upload_path(src):
    """The path of ``src`` under the uploads folder ("2024/03/photo.jpg"), sizes removed."""
    path = unquote(urlsplit(src).path)
    marker = path.find("/uploads/")
    if marker == -1:
        return None
    return SIZE_SUFFIX.sub("", path[marker + len("/uploads/") :])


def autop(text):
    """WordPress's ``wpautop``: blank lines make paragraphs, single line breaks ``<br>``."""
    if not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n") + "\n"
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text, flags=re.I)
    text = re.sub(rf"(<{BLOCKS}[\s/>])", r"\n\n\1", text, flags=re.I)
    text = re.sub(rf"(</{BLOCKS}>)", r"\1\n\n", text, flags=re.I)
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", text)]
    text = "".join(f"<p>{chunk}</p>\n" for chunk in chunks if chunk)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(rf"<p>\s*(</?{BLOCKS}[^>]*>)\s*</p>", r"\1", text, flags=re.I)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text, flags=re.I)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*(</?{BLOCKS}[^>]*>)", r"\1", text, flags=re.I)
    text = re.sub(rf"(</?{BLOCKS}[^>]*>)\s*</p>", r"\1", text, flags=re.I)
    text = re.sub(r"(?<!<br />)(?<!\s)\s*\n", "<br />\n", text)  # from a run's start only
    text = re.sub(rf"(</?{BLOCKS}[^>]*>)\s*<br />", r"\1", text, flags=re.I)
    text = re.sub(
        r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text, flags=re.I
    )
    return text.strip()


class Converter:
    """Converts the bodies of one export.

    ``picture(attachment_id, upload_path)`` returns the library ``Picture`` of an old upload
    or None; ``post(wp_id)`` the new address of an imported post, or None when not yet
    imported; ``post_paths`` maps the old paths of the export's posts ("/2024/03/titre/",
    "/?p=123") to their WordPress ids; ``hosts`` are the old site's host names.
    """

    def __init__(self, picture, post, post_paths, hosts):
        self.picture, self.post = picture, post
        self.post_paths, self.hosts = post_paths, {h.lower() for h in hosts if h}

    def convert(self, content):
        body = Body("")
        text = (content or "").replace("\r\n", "\n")
        is_blocks = "<!-- wp:" in text
        text = EMBED_BLOCK.sub(lambda m: self._embed_block(m), text)
        text = BLOCK_COMMENT.sub("", text)
        text = CAPTION.sub(self._caption, text)
        text = EMBED_SHORTCODE.sub(lambda m: "\n\n" + embed(strip_tags(m[1])) + "\n\n", text)
        text = self._remove_shortcodes(text, body)
        if not is_blocks:
            text = BARE_URL_LINE.sub(
                lambda m: "\n\n" + embed(m[1]) + "\n\n" if embed_provider(m[1]) else m[0], text
            )
            text = autop(text)
        text = PICTURE.sub(lambda m: self._picture(m, body), text)
        text = re.sub(
            r"<p>\s*(<figure\b(?:(?!<figure\b).)*?</figure>)\s*</p>", r"\1", text, flags=re.S
        )
        text = re.sub(r"<p>\s*(?:<br\s*/?>\s*)*</p>", "", text)
        text = re.sub(r"<(/?)h1\b", r"<\1h2", text, flags=re.I)
        text = re.sub(r"<(/?)h[56]\b", r"<\1h4", text, flags=re.I)
        text = re.sub(r"\n\s*\n\s*", "\n\n", text)
        body.html = self.rewrite_links(text, body.pending_posts).strip()
        return body

    def _embed_block(self, match):
        try:
            url = json.loads(match[2]).get("url", "")
        except (ValueError, AttributeError, RecursionError):  # not JSON, not an object, too deep
            url = ""
        url = (url if isinstance(url, str) else "") or strip_tags(match[3]).strip()
        return "\n\n" + embed(url) + "\n\n" if url else match[3]

    def _caption(self, match):
        options, inner = attributes(match[2]), match[3]
        image = IMG.search(inner)
        caption = options.get("caption") or (IMG.sub("", inner) if image else inner).strip()
        picture = image[0] if image else ""
        return f"\n\n<figure>{picture}<figcaption>{caption}</figcaption></figure>\n\n"

    def _remove_shortcodes(self, text, body):
        closed = {name.lower() for slash, name, _ in SHORTCODE.findall(text) if slash}

        def remove(match):
            slash, name, options = match[1], match[2].lower(), match[3]
            if slash or options.strip() or name in closed or name in KNOWN_SHORTCODES:
                if not slash:
                    body.shortcodes[name] += 1
                return ""
            return match[0]  # "[sic]", "[1]": text, not a shortcode

        return SHORTCODE.sub(remove, text)

    def _picture(self, match, body):
        if match["figure"] is None:
            return self._image(match[3], "", body)
        if "data-embed" in match["figure"]:
            return match[0]
        inner = match["inner"]
        caption = FIGCAPTION.search(inner)
        caption = caption[1].strip() if caption else ""
        image = IMG.search(inner)
        if image is None:  # a figure of something else (a table, a quote): its content
            return FIGCAPTION.sub(r"<p>\1</p>", inner)
        return self._image(image[1], caption, body)

    def _image(self, tag_attributes, caption, body):
        found = attributes(tag_attributes)
        src = found.get("src", "")
        number = WP_IMAGE_CLASS.search(found.get("class", ""))
        picture = self.picture(number[1] if number else None, upload_path(src))
        if picture is None:
            body.missing_pictures.append(src)
            return f"<p>{caption}</p>" if caption else ""
        alt = html.escape(found.get("alt") or picture.alt)
        figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
        return (
            f'<figure data-image="{picture.id}"><img src="{html.escape(picture.url)}" '
            f'alt="{alt}">{figcaption}</figure>'
        )

    def old_post(self, href):
        """The WordPress id of the post ``href`` points to, if it is one of the export's."""
        parts = urlsplit(html.unescape(href).strip())
        if parts.netloc and (parts.hostname or "").lower() not in self.hosts:
            return None
        if parts.netloc == "" and not parts.path.startswith("/") and not parts.query:
            return None
        query = dict(pair.partition("=")[::2] for pair in parts.query.split("&") if pair)
        if post := wxr.post_query(query.get("p")):
            return self.post_paths.get(post)
        path = posixpath.normpath(unquote(parts.path or "/"))
        path = path if path == "/" else f"{path}/"
        return self.post_paths.get(path)

    def rewrite_links(self, text, pending):
        """``text`` with links to the export's posts pointing at their new addresses; the
        WordPress ids of posts not imported yet are added to ``pending``."""

        def rewrite(match):
            wp_id = self.old_post(match[3])
            if wp_id is None:
                return match[0]
            new = self.post(wp_id)
            if new is None:
                pending.add(wp_id)
                return match[0]
            return f"{match[1]}{match[2]}{html.escape(new)}{match[2]}"

        return LINK.sub(rewrite, text)


def strip_tags(fragment):
    """The text of an HTML fragment, for a lead or a link (Django's ``strip_tags`` reads
    every fragment with an HTML parser: too slow for ten thousand stories)."""
    return TAG.sub("", fragment)


def first_paragraph(body_html):
    """The text of the first paragraph that has any, for a lead."""
    for match in PARAGRAPH.finditer(body_html):
        text = " ".join(html.unescape(strip_tags(match[1])).split())
        if text:
            return text
    return ""


def plain(fragment):
    """An excerpt or a title as plain text."""
    return " ".join(html.unescape(strip_tags(fragment or "")).split())
