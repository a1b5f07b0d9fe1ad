"""The one place that decides what a reader may read of an article.

The article page (and its preview) asks ``decide()`` and shows what it says. Feeds and
newsletters carry leads only; search quotes the body of no article that ``is_paywalled()``.

What a reader without the full text gets of the body, ``preview()``, is the rule an editor
sets in the paywall settings:

- the first N paragraphs (``PaywallSettings.preview_paragraphs``), where a list item, a quoted
  paragraph, a caption and a line ended by a line break each count as one paragraph, and
  headings count for nothing;
- and never more than a third of the body's text (its letters, spaces aside), whatever the
  body's shape: a story of one or two paragraphs, one list or one quote keeps two thirds of
  its text back. The preview then stops at the end of a word, every open tag closed;
- headings, rules, line breaks, images and empty blocks that would end the preview are left
  out: the preview ends on text.

The rest of the body is never sent, not even hidden.
"""

import re
import time
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

from django.conf import settings as django_settings
from django.core import signing

from articles.caching import cached_lookup, has_session
from articles.models import Article
from subscriptions.models import PaywallSettings, Subscription

Mode = PaywallSettings.Mode
METER_COOKIE = "newsroom_meter"
METER_SALT = "subscriptions.paywall.meter"
METER_WINDOW = 30 * 24 * 3600  # seconds


@dataclass(frozen=True)
class Decision:
    full_text: bool  # the whole body may be sent
    teaser: bool  # the subscription teaser is shown
    metered: bool = False  # this read counts against the browser's free articles

    @property
    def variant(self):
        """What distinguishes cached copies of the same page."""
        return f"{'full' if self.full_text else 'lead'}-{'teaser' if self.teaser else 'plain'}"


def settings():
    """The paywall settings, kept in the cache until they are saved again."""
    return cached_lookup("paywall-settings", PaywallSettings.load)


def is_subscriber(user):
    if not user.is_authenticated:
        return False
    if not hasattr(user, "_is_subscriber"):
        user._is_subscriber = Subscription.objects.active().filter(reader=user).exists()
    return user._is_subscriber


def reader_of(request):
    """The request's user, without touching the session of a visitor who has none."""
    return request.user if has_session(request) else None


class Meter:
    """Subscriber-only articles a browser read for free in the last 30 days (signed cookie)."""

    def __init__(self, reads=None):
        self.reads = reads or {}

    @classmethod
    def from_request(cls, request):
        try:
            raw = request.get_signed_cookie(METER_COOKIE, salt=METER_SALT, max_age=METER_WINDOW)
            reads = {int(pk): int(at) for pk, at in (item.split(":") for item in raw.split(","))}
        except (KeyError, ValueError, signing.BadSignature):
            # No cookie, or one forged, damaged or signed with an old key: no reads.
            reads = {}
        cutoff = time.time() - METER_WINDOW
        return cls({pk: at for pk, at in reads.items() if at > cutoff})

    def allows(self, article_pk, limit):
        return article_pk in self.reads or len(self.reads) < limit

    def record(self, article_pk, response):
        self.reads.setdefault(article_pk, int(time.time()))
        value = ",".join(f"{pk}:{at}" for pk, at in self.reads.items())
        response.set_signed_cookie(
            METER_COOKIE,
            value,
            salt=METER_SALT,
            max_age=METER_WINDOW,
            secure=django_settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def decide(user, access, article_pk=None, meter=None):
    """What ``user`` (None for an anonymous visitor) may read of an article with ``access``."""
    if access == Article.Access.FREE:
        return Decision(full_text=True, teaser=False)
    paywall = settings()
    if paywall.mode == Mode.OFF:
        return Decision(full_text=True, teaser=False)
    if user is not None and (user.is_staff or is_subscriber(user)):
        return Decision(full_text=True, teaser=False)
    if paywall.mode == Mode.ANNOUNCE:
        return Decision(full_text=True, teaser=True)
    metered = paywall.mode == Mode.METERED and meter is not None and article_pk is not None
    if metered and meter.allows(article_pk, paywall.free_articles):
        return Decision(full_text=True, teaser=True, metered=True)
    return Decision(full_text=False, teaser=True)


def may_read_every_body(user):
    """Whether ``user`` (None for an anonymous visitor) may read every article in full, and so
    find subscriber-only articles by words of their body."""
    if settings().mode in (Mode.OFF, Mode.ANNOUNCE):
        return True
    return user is not None and (user.is_staff or is_subscriber(user))


def is_paywalled(access):
    """Whether search engines should be told the article's body is not free to read."""
    return access == Article.Access.SUBSCRIBERS and settings().mode in (Mode.METERED, Mode.ON)


PREVIEW_SHARE = 1 / 3  # of the body's letters, at most, whatever the number of paragraphs
HEADINGS = {"h2", "h3", "h4"}
# Text on either side of these is on another line: each line of text is one paragraph.
LINE_BREAKS = {"p", "li", "ul", "ol", "blockquote", "figure", "figcaption", "hr", "br", *HEADINGS}
VOID_TAGS = {"br", "hr", "img", "wbr"}


def preview(body, paragraphs=None):
    """What a reader without the full text gets of ``body`` (sanitised HTML): see above."""
    if paragraphs is None:
        paragraphs = settings().preview_paragraphs
    reader = _BodyReader.read(body)
    letters = len("".join(reader.text.split()))
    end = min(reader.end_of_paragraph(paragraphs), reader.end_of_words(letters * PREVIEW_SHARE))
    kept = reader.root.cut(end)
    kept.drop_trailing_furniture()
    return kept.html()


@dataclass
class _Node:
    """An element (its ``tag`` and start tag as written) or a piece of text (``tag`` None)."""

    tag: str | None
    raw: str  # the start tag, or the text as written (an entity is a piece of its own)
    text: str = ""  # a piece's text, entities decoded
    position: int = 0  # where the node starts in the body's text (``_BodyReader.text``)
    children: list = field(default_factory=list)

    def html(self):
        inner = "".join(child.html() for child in self.children)
        end = f"</{self.tag}>" if self.tag and self.tag not in VOID_TAGS else ""
        return f"{self.raw}{inner}{end}"

    def has_text(self):
        if self.tag is None:
            return bool(self.text.strip())
        return any(child.has_text() for child in self.children)

    def cut(self, end):
        """A copy of the node without what starts at ``end`` or after it."""
        if self.tag is None and self.position + len(self.text) > end:
            # Plain text is cut; an entity is kept whole or not at all.
            kept = end - self.position if self.raw == self.text else 0
            return _Node(None, self.raw[:kept], self.text[:kept], self.position)
        children = [child.cut(end) for child in self.children if child.position < end]
        return _Node(self.tag, self.raw, self.text, self.position, children)

    def drop_trailing_furniture(self):
        """Leave out the headings, rules, images and empty blocks that end the node."""
        while self.children:
            last = self.children[-1]
            if last.tag not in HEADINGS:
                last.drop_trailing_furniture()
                if last.has_text():
                    return
            self.children.pop()


class _BodyReader(HTMLParser):
    """Reads sanitised HTML into nodes, and its text as a reader sees it: lines end with a
    "\n", so that no word runs from one paragraph into the next."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.root = _Node("", "")
        self.open = [self.root]
        self.chunks, self.length = [], 0
        self.paragraph_ends = []  # where each line with text, headings aside, ends
        self.line_has_text = False

    @classmethod
    def read(cls, html):
        reader = cls()
        reader.feed(html)
        reader.close()
        reader.line_break()
        reader.text = "".join(reader.chunks)
        return reader

    def end_of_paragraph(self, count):
        if count <= 0:
            return 0
        return self.paragraph_ends[count - 1] if count <= len(self.paragraph_ends) else self.length

    def end_of_words(self, budget):
        """Where the last whole word within ``budget`` letters ends."""
        end = letters = 0
        for word in re.finditer(r"\S+", self.text):
            letters += len(word.group())
            if letters > budget:
                return end
            end = word.end()
        return self.length

    def line_break(self):
        if self.line_has_text:
            self.paragraph_ends.append(self.length)
            self.line_has_text = False
        self.chunks.append("\n")
        self.length += 1

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, self.get_starttag_text(), position=self.length)
        self.open[-1].children.append(node)
        if tag in LINE_BREAKS:
            self.line_break()
        if tag not in VOID_TAGS:
            self.open.append(node)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag not in (node.tag for node in self.open[1:]):
            return  # a stray end tag
        while self.open.pop().tag != tag:
            pass
        if tag in LINE_BREAKS:
            self.line_break()

    def handle_data(self, data):
        self.add_text(data, data)

    def handle_entityref(self, name):
        self.add_text(f"&{name};", unescape(f"&{name};"))

    def handle_charref(self, name):
        self.add_text(f"&#{name};", unescape(f"&#{name};"))

    def add_text(self, raw, text):
        self.open[-1].children.append(_Node(None, raw, text, self.length))
        self.chunks.append(text)
        self.length += len(text)
        if text.strip() and not any(node.tag in HEADINGS for node in self.open):
            self.line_has_text = True
